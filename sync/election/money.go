package election

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatMoney writes grosze as a reader of lang reads an amount of złoty:
// "1 250 000 zł" in Polish, "1 250 000 зл" in Ukrainian, "PLN 1 250 000.50"
// in English (groups of three by a space, so that what a page shows a
// resident may type back in any language). withGrosze always writes the
// grosze ("1 250 000,00 zł", as staff read a unit's estimate); otherwise
// they are written only when not zero.
func FormatMoney(lang string, grosze int64, withGrosze bool) string {
	neg := grosze < 0
	if neg {
		grosze = -grosze
	}
	group, dec, before, after := "\u00a0", ",", "", "\u00a0zł"
	switch lang {
	case "en":
		group, dec, before, after = "\u00a0", ".", "PLN\u00a0", ""
	case "uk":
		after = "\u00a0зл"
	}
	digits := strconv.FormatInt(grosze/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(before)
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if withGrosze || grosze%100 != 0 {
		b.WriteString(dec + fmt.Sprintf("%02d", grosze%100))
	}
	b.WriteString(after)
	return b.String()
}
