package public

import "github.com/urna-kiosk/urna/sync/election"

// Money writes grosze as a reader of lang reads an amount (election.FormatMoney).
func Money(lang string, grosze int64, withGrosze bool) string {
	return election.FormatMoney(lang, grosze, withGrosze)
}
