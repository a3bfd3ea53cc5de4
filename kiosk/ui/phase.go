package ui

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// CivicDesk is the central's proposal desk as the kiosk reaches it (the
// sync agent): every call is a kiosk-signed request; a refusal is
// election.Problems, shown translated.
type CivicDesk interface {
	SubmitProposal(ctx context.Context, p wire.ProposalSubmit) (wire.ProposalReceipt, error)
	ProposalStatus(ctx context.Context, tracker, secret string) (wire.ProposalStatus, error)
	Protest(ctx context.Context, tracker, secret, reason string) (wire.ProposalStatus, error)
	HandOff(ctx context.Context, d wire.ProposalDraft) (wire.ProposalHandoff, error)
}

// civicTimeout bounds each call to the central, so a resident is never
// left in front of a frozen screen.
const civicTimeout = 15 * time.Second

// Idle limits of the proposal screens, as a ballot's: a countdown after
// civicIdleWarn without a touch, everything typed wiped after civicIdleReset.
const (
	civicIdleWarn  = 60 * time.Second
	civicIdleReset = 90 * time.Second
)

// OfferTimeline takes the edition's year (the signed timeline's edition
// JSON, verified by the sync agent) for the attract screen; call it on the
// UI goroutine. A year that does not decode is ignored.
func (u *UI) OfferTimeline(editionJSON []byte) {
	ed, err := election.DecodeEdition(bytes.NewReader(editionJSON))
	if err != nil {
		if u.o.Station != nil && u.o.Station.Log != nil {
			u.o.Station.Log.Warn("timeline-not-used", "err", err)
		}
		return
	}
	u.year = ed
	if u.civic.mode == "" {
		u.Refresh()
	}
}

// OnAction gives the attract screen a button for a (read the projects, see
// the results) that opens another engineer's screen: open is called on a
// touch, and the button shows while the phase in force allows a.
func (u *UI) OnAction(a election.Action, open func()) {
	if u.actions == nil {
		u.actions = map[election.Action]func(){}
	}
	u.actions[a] = open
}

// votingNow reports whether the resident is not at a proposal screen and
// the year's phase in force is the vote: only then do the voting point's
// opening and staff activation stand before the attract screen.
func (u *UI) votingNow() bool {
	return u.civic.mode == "" && (u.year == nil || u.year.Allows(election.ActVote, u.o.Clock()))
}

// yearEdition is the edition whose phases the kiosk follows: the signed
// timeline's, else the catalog's.
func (u *UI) yearEdition() *election.Edition {
	if u.year != nil {
		return u.year
	}
	return u.s.Edition()
}

// day writes a date in the edition's zone in the resident's language: "7 lutego 2026".
func (u *UI) day(ed *election.Edition, t time.Time) string {
	t = t.In(ed.Location())
	return fmt.Sprintf("%d %s %d", t.Day(), u.t(fmt.Sprintf("month.%d", t.Month())), t.Year())
}

// lastDay is the last day of a phase that ends at midnight (Ends is exclusive).
func (u *UI) lastDay(ed *election.Edition, p election.Phase) string {
	return u.day(ed, p.Ends.Add(-time.Nanosecond))
}

// phaseOffers are the attract screen's actions now, in order, each with
// what a touch does; vote is offered only when the session can start.
func (u *UI) phaseOffers(ed *election.Edition, now time.Time) []offer {
	var out []offer
	for _, a := range ed.Actions(now) {
		switch a {
		case election.ActVote:
			if u.s.Step() == session.Attract {
				out = append(out, offer{a, u.t("ui.touch_to_start"), u.start})
			}
		case election.ActSubmit:
			out = append(out, offer{a, u.t("kp.act.submit"), func() { u.civicOpen(modeForm) }})
		case election.ActCheckStatus:
			out = append(out, offer{a, u.t("kp.act.status"), func() { u.civicOpen(modeStatus) }})
		case election.ActProtest:
			out = append(out, offer{a, u.t("kp.act.protest"), func() { u.civicOpen(modeStatus); u.civic.wantProtest = true }})
		default:
			if open := u.actions[a]; open != nil {
				out = append(out, offer{a, u.t("kp.act." + string(a)), open})
			}
		}
	}
	return out
}

// offer is one button of the attract screen.
type offer struct {
	action election.Action
	label  string
	do     func()
}

// attractScreen offers what the phase in force allows; outside every
// window it says what comes next and when. With voting the only thing
// on offer it is the ballot's own attract screen.
func (u *UI) attractScreen(area fyne.Size) fyne.CanvasObject {
	year := u.yearEdition()
	now := u.o.Clock()
	offers := u.phaseOffers(year, now)
	if u.year == nil && len(year.Phases) == 0 {
		// an edition without a year of stages: the vote alone
		offers = slices.DeleteFunc(offers, func(o offer) bool { return o.action != election.ActVote })
	}
	if len(offers) == 0 && u.year == nil {
		return u.closedScreen(area)
	}
	w := min(720, area.Width*0.9)
	button := func(o offer, first bool) fyne.CanvasObject {
		b := newButton(fitLabel(o.label, w), u.act(o.do))
		if first {
			b.Importance = widget.HighImportance
		}
		return container.NewGridWrap(fyne.NewSize(w, max(touchSize()*1.4, b.MinSize().Height)), b)
	}
	if i := slices.IndexFunc(offers, func(o offer) bool { return o.action == election.ActVote }); i >= 0 {
		var others []fyne.CanvasObject
		for j, o := range offers {
			if j != i {
				others = append(others, button(o, false))
			}
		}
		return u.voteAttract(area, others...)
	}
	if s := u.afterVote(year, now, area, offers, button); s != nil {
		return s
	}
	width := area.Width
	title := headingIn(year.Name.In(u.s.Lang()), width)
	title.Alignment = fyne.TextAlignCenter
	items := []fyne.CanvasObject{layout.NewSpacer(), title}
	if v := u.s.Venue(); v != nil {
		place := paraIn(v.Name, width)
		place.Alignment = fyne.TextAlignCenter
		items = append(items, place)
	}
	line := func(s string) {
		l := paraIn(s, width)
		l.Alignment = fyne.TextAlignCenter
		items = append(items, l)
	}
	if p, ok := year.PhaseAt(now); ok {
		if p.Kind == election.PhaseVoting {
			line(u.t("kp.voting_dates", "dates", poster.Dates(year, u.o.Messages, u.s.Lang())))
		} else {
			line(u.t("proposals.phase_now", "phase", u.t("proposals.phase."+string(p.Kind)), "until", u.lastDay(year, p)))
		}
	}
	if len(offers) == 0 {
		line(u.t("kp.nothing_now"))
	}
	if p, ok := year.NextPhase(now); ok {
		line(u.t("kp.next_phase", "phase", u.t("proposals.phase."+string(p.Kind)), "from", u.day(year, p.Starts), "to", u.lastDay(year, p)))
	}
	var buttons []fyne.CanvasObject
	for i, o := range offers {
		buttons = append(buttons, button(o, i == 0))
	}
	items = append(items, container.NewCenter(container.NewVBox(buttons...)), layout.NewSpacer())
	return container.NewVBox(items...)
}

// civicTick wipes what a resident typed in the proposal screens after
// civicIdleReset without a touch, and reports whether to redraw.
func (u *UI) civicTick() bool {
	if u.civic.mode == "" {
		return false
	}
	idle := u.o.Clock().Sub(u.lastTouch)
	reset, warn := civicIdleReset, civicIdleWarn
	if u.civic.mode == modeDone {
		reset, warn = 45*time.Second, 30*time.Second
	}
	switch {
	case idle >= reset:
		u.civicWipe()
		return true
	case idle >= warn:
		u.civic.warning = reset - idle
		return true
	case u.civic.warning > 0:
		u.civic.warning = 0
		return true
	}
	return false
}

// afterVote is the attract screen of the results phase (the winners of
// the venue's district and city-wide) and of the promotion phase (what
// the past votes built near the venue), with the phase's buttons under
// it; nil in other phases or when the kiosk holds nothing that checks.
func (u *UI) afterVote(year *election.Edition, now time.Time, area fyne.Size, offers []offer, button func(offer, bool) fyne.CanvasObject) fyne.CanvasObject {
	p, ok := year.PhaseAt(now)
	if !ok {
		return nil
	}
	var buttons []fyne.CanvasObject
	for i, o := range offers {
		buttons = append(buttons, button(o, i == 0))
	}
	bar := container.NewCenter(container.NewVBox(buttons...))
	// the panels' borders and padding are inside the area: the texts wrap
	// short of its edges
	inner := fyne.NewSize(area.Width-8*theme.Padding(), area.Height-bar.MinSize().Height)
	var screen fyne.CanvasObject
	switch p.Kind {
	case election.PhaseResults:
		screen = u.resultsScreen(inner)
	case election.PhasePromotion:
		screen = u.builtScreen(inner)
	}
	if screen == nil {
		return nil
	}
	return container.NewBorder(nil, bar, nil, nil, screen)
}
