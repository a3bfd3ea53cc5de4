package layout

import (
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// ProposalSlip is what a printed proposal confirmation, protest
// confirmation or hand-over slip shows.
type ProposalSlip struct {
	Edition *election.Edition
	Venue   *election.Venue
	Lang    string
	At      time.Time
	// one of: a submitted proposal, a protest filed, a draft handed over
	Receipt *wire.ProposalReceipt
	Protest *wire.ProposalStatus
	Handoff *wire.ProposalHandoff
}

// site is an address without its scheme, for reading off paper.
func site(url string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://"), "/")
}

// BuildProposalSlip composes the slip: the proposal's number, title and
// pool, the tracker and the secret (the secret only on a new proposal's
// confirmation, where the resident needs it), where to check, and the
// support-list hint; or the hand-over's QR and code.
func BuildProposalSlip(p *printer.Profile, m assets.Messages, s ProposalSlip) (printer.Doc, error) {
	t := func(key string, args ...any) string { return m.T(s.Lang, key, args...) }
	e := printer.NewEncoder(p)
	header(e, s.Edition, s.Venue, s.Lang)
	e.Line(dateTime(s.At, s.Edition.Location()))
	e.Rule()
	pool := func(id string) string {
		if pl := s.Edition.Pool(id); pl != nil {
			return pl.Name.In(s.Lang)
		}
		return id
	}
	big := func(label, value string) {
		e.Align(printer.Left)
		e.Line(label)
		e.Align(printer.Center)
		e.Bold(true)
		e.Size(1, 2)
		e.Line(value)
		e.Size(1, 1)
		e.Bold(false)
	}
	switch {
	case s.Receipt != nil:
		r := s.Receipt
		e.Bold(true)
		e.Wrap(t("proposals.done.title"), 1)
		e.Bold(false)
		e.Align(printer.Left)
		e.Feed(1)
		e.Pair(t("proposals.id"), r.ID)
		e.Wrap(t("proposals.f.title")+": "+r.Title, 1)
		e.Wrap(t("proposals.f.pool")+": "+pool(r.Pool), 1)
		e.Rule()
		big(t("kp.tracker"), r.Tracker)
		big(t("proposals.secret_label"), r.Secret)
		e.Align(printer.Left)
		e.Wrap(t("proposals.secret_note"), 1)
		if r.StatusURL != "" {
			e.Rule()
			e.Align(printer.Center)
			if err := e.QR(r.StatusURL); err != nil {
				return printer.Doc{}, err
			}
			e.Align(printer.Left)
			e.Wrap(t("kp.where_to_check", "url", site(r.StatusURL)), 1)
		}
		if r.Supporters > 0 {
			e.Rule()
			e.Wrap(t("kp.support_hint", "n", r.Supporters), 1)
		}
	case s.Protest != nil:
		st := s.Protest
		e.Bold(true)
		e.Wrap(t("kp.protest_filed"), 1)
		e.Bold(false)
		e.Align(printer.Left)
		e.Feed(1)
		e.Pair(t("proposals.id"), st.ID)
		e.Wrap(t("proposals.f.title")+": "+st.Title, 1)
		e.Wrap(t("proposals.f.pool")+": "+pool(st.Pool), 1)
		e.Pair(t("kp.tracker"), st.Tracker)
		e.Rule()
		e.Wrap(t("kp.protest_next"), 1)
	case s.Handoff != nil:
		h := s.Handoff
		e.Bold(true)
		e.Wrap(t("kp.handoff_title"), 1)
		e.Bold(false)
		if err := e.QR(h.URL); err != nil {
			return printer.Doc{}, err
		}
		big(t("kp.handoff_code"), h.Code)
		e.Align(printer.Left)
		e.Wrap(t("kp.handoff_how", "url", site(h.URL)), 1)
		e.Wrap(t("kp.handoff_until", "date", dateTime(h.Expires, s.Edition.Location())), 1)
		e.Wrap(t("kp.handoff_contact"), 1)
	}
	e.Cut(true)
	return e.Doc(), nil
}
