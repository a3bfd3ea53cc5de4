package ui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"github.com/urna-kiosk/urna/kiosk/input"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/sync/election"
)

// Prepared ballots: a plan code from the public ballot planner, shown to a
// keyboard-mode 2D scanner or typed on the on-screen keyboard, fills the
// resident's ballot in through the same session calls a tap makes, so the
// rules apply to it as to any choice. It is not a ballot until the
// resident identifies, reviews it (prepared choices marked, each can be
// changed) and confirms.

// planLayout is the plan code's alphabet (Crockford's base32: no I, L, O, U).
var planLayout = keyLayout{name: "plan", rows: []string{"0123456789ABCDEFGHJKMNPQRSTVWXYZ"}, reflow: true}

// planMaxTyped bounds the typed code (the longest code is 64 characters).
const planMaxTyped = 80

// prepared is the plan a resident brought, and the scanner that reads it.
type prepared struct {
	ballot  *election.Ballot // the decoded plan, nil if none
	applied bool             // filled into the session
	filled  []planMark       // the choices the plan filled in
	warn    string           // translation key of what the plan could not fill
	// msg is shown while the session stays at msgStep: a problem (bad)
	// or a notice.
	msg     string
	bad     bool
	msgStep session.Step
	group   int // the group of five a mistyped code is wrong in (1-based), for plan.mistyped_group
	// the code keyboard
	typing bool
	typed  []rune

	scan  input.Scanner
	timer *time.Timer
}

type planMark struct {
	pool, project string
	points        int
}

// clear forgets the resident's plan (the scanner is the kiosk's).
func (p *prepared) clear() {
	scan, timer := p.scan, p.timer
	*p = prepared{scan: scan, timer: timer}
}

// ReadPlan takes a plan code (or the planner address ending in one) from the
// scanner or the code keyboard. Between residents it starts a session when
// the point admits one; in staff mode, at the thank-you screen and while
// the point is closed it is ignored.
func (u *UI) ReadPlan(text string) {
	u.readPlan(text)
	u.Refresh()
}

func (u *UI) readPlan(text string) bool {
	if u.staff != staffOff || u.s.Step() == session.Done {
		return false
	}
	if u.s.Step() == session.Attract && u.admissionName() == "" {
		u.lastTouch = u.o.Clock()
		u.start()
	}
	if st := u.s.Step(); st < session.Identity || st > session.Review {
		return false
	}
	u.s.StillHere()
	b, dropped, err := election.DecodePlan(u.s.Edition(), election.PlanFromText(text))
	if err != nil {
		key := election.KeyPlanUnreadable
		var p election.Problem
		if errors.As(err, &p) {
			key = p.Key
		}
		u.o.Station.Log.Info("plan-refused", "reason", key)
		u.planSay(key, true)
		if key == election.KeyPlanUnreadable && u.plan.typing {
			if g := mistypedGroup(u.s.Edition(), election.PlanFromText(text)); g > 0 {
				u.planSay("plan.mistyped_group", true)
				u.plan.group = g
			} else {
				u.planSay("plan.retype", true)
			}
		}
		return false
	}
	typing := u.plan.typing
	u.plan.clear()
	u.plan.typing = typing
	u.plan.ballot = &b
	if len(dropped) > 0 {
		u.plan.warn = dropped[0].Key
	}
	u.o.Station.Log.Info("plan-read", "withdrawn", len(dropped))
	u.planSay("ui.plan_read", false)
	u.applyPlan()
	return true
}

// planSay shows a message about the plan at the step the resident is at.
func (u *UI) planSay(key string, bad bool) {
	u.plan.msg, u.plan.bad, u.plan.msgStep = key, bad, u.s.Step()
}

// applyPlan fills a waiting plan in once the resident has identified: at
// the district step, or from a pool or review (back to the district first,
// as a resident would). It stops at the first pool the plan leaves
// incomplete, for the resident to finish by hand.
func (u *UI) applyPlan() {
	p := &u.plan
	if u.s.Between() || u.s.Step() == session.Done {
		p.clear()
		return
	}
	if p.ballot == nil || p.applied {
		return
	}
	for range 2*len(u.s.Pools()) + 2 {
		if st := u.s.Step(); st != session.Choose && st != session.Review {
			break
		}
		u.s.Back()
	}
	if u.s.Step() != session.District {
		return
	}
	p.applied = true
	b := *p.ballot
	u.s.ChooseDistrict(b.District)
	u.s.ConfirmDistrict()
	ed := u.s.Edition()
	for _, pool := range u.s.Pools() {
		if u.s.Step() != session.Choose {
			break
		}
		for _, c := range u.s.Choices(pool.ID) {
			u.s.Toggle(c.Project) // what the resident chose before the plan came
		}
		rule := u.s.Rule(pool)
		want := b.Selection(pool.ID).Choices
		for _, c := range want {
			if rule.Kind == election.Points {
				u.s.Give(c.Project, c.Points)
			} else {
				u.s.Toggle(c.Project)
			}
		}
		for _, c := range want {
			pts, ok := u.s.PointsOf(pool.ID, c.Project)
			if ok && (rule.Kind != election.Points || pts == c.Points) {
				p.filled = append(p.filled, planMark{pool.ID, c.Project, pts})
			} else if p.warn == "" {
				p.warn = election.KeyPlanRuleChanged
			}
		}
		if slices.ContainsFunc(ed.Validate(u.s.Ballot()), func(pr election.Problem) bool { return pr.Pool == pool.ID }) {
			break // the resident finishes this pool by hand
		}
		u.s.NextPool()
	}
	if len(p.filled) == 0 && p.warn == "" && slices.ContainsFunc(b.Selections, func(s election.Selection) bool { return len(s.Choices) > 0 }) {
		p.warn = election.KeyPlanRuleChanged // nothing entered: never say it was
	}
	switch {
	case p.warn != "":
		u.planSay(p.warn, true)
	case u.s.Step() == session.Review:
		u.planSay("ui.plan_filled", false)
	default:
		u.planSay("ui.plan_finish", false)
	}
	u.o.Station.Log.Info("plan-filled", "choices", len(p.filled), "review", u.s.Step() == session.Review)
}

// withPlan is a screen's message line: the session's message if it has
// one, else what the plan says at this step.
func (u *UI) withPlan(msg string, notice bool) (string, bool) {
	if msg != "" || u.plan.msg == "" || u.plan.msgStep != u.s.Step() {
		return msg, notice
	}
	return u.t(u.plan.msg, "group", u.plan.group), !u.plan.bad
}

// mistypedGroup is the group of five characters a typed code is wrong in,
// if changing one character there (and nowhere else) makes it read; 0 if
// the checksum does not tell.
func mistypedGroup(ed *election.Edition, code string) int {
	alphabet := planLayout.rows[0]
	typed := []rune(strings.ToUpper(strings.ReplaceAll(code, "-", "")))
	found := 0
	for i, was := range typed {
		for _, c := range alphabet {
			if c == was {
				continue
			}
			typed[i] = c
			_, _, err := election.DecodePlan(ed, string(typed))
			typed[i] = was
			if err == nil {
				if found != 0 && found != i/5+1 {
					return 0 // two places would do: say how to retype instead
				}
				found = i/5 + 1
			}
		}
	}
	return found
}

// planMark is the mark before a review line the plan filled in and the
// resident kept ("" otherwise).
func (u *UI) planMark(pool string, c election.Choice) string {
	if slices.Contains(u.plan.filled, planMark{pool, c.Project, c.Points}) {
		return "◆ "
	}
	return ""
}

// planButton opens the code keyboard.
func (u *UI) planButton(width float32) *touchButton {
	return newButton(fitLabel(u.t("ui.plan_have_code"), width), u.act(func() { u.plan.typing = true }))
}

// planScreen is the code keyboard when it is open.
func (u *UI) planScreen() (screen, bool) {
	if !u.plan.typing || u.staff != staffOff || u.s.Between() || u.s.Step() == session.Done {
		u.plan.typing = false
		return screen{}, false
	}
	return screen{name: "plan-code", build: u.planCodeScreen}, true
}

func (u *UI) planCodeScreen(area fyne.Size) fyne.CanvasObject {
	p := &u.plan
	typeRune := func(r rune) {
		u.act(func() {
			if len(p.typed) < planMaxTyped {
				p.typed = append(p.typed, r)
			}
		})()
	}
	del := newButton("⌫ "+u.t("ui.delete"), u.act(func() {
		if len(p.typed) > 0 {
			p.typed = p.typed[:len(p.typed)-1]
		}
	}))
	clearKey := newButton(u.t("ui.clear"), u.act(func() { p.typed = p.typed[:0] }))
	ok := primary(u.t("ui.ok"), u.act(func() {
		if u.readPlan(string(p.typed)) {
			p.typing, p.typed = false, nil
		}
	}))
	back := newButton(u.t("ui.back"), u.act(func() { p.typing, p.typed = false, nil }))
	shownText := groupCode(string(p.typed))
	if shownText == "" {
		shownText = " "
	}
	shown := canvas.NewText(shownText, theme.Color(theme.ColorNameForeground))
	shown.TextSize = theme.TextSize() * 1.4
	shown.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	for shown.MinSize().Width > area.Width-4*theme.Padding() && shown.TextSize > theme.TextSize()*0.7 {
		shown.TextSize *= 0.9
	}
	box := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	box.StrokeColor, box.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	msg, notice := "", false
	if p.bad {
		msg, notice = u.withPlan("", false)
	}
	top := container.NewVBox(
		headingIn(u.t("ui.plan_code_title"), area.Width),
		paraIn(u.t("ui.plan_code_help"), area.Width),
		container.NewStack(box, container.NewPadded(shown)),
		messageLine(msg, notice, 2),
	)
	keys := newKeyboard(planLayout, typeRune, del, clearKey, ok)
	return container.NewBorder(top, back, nil, nil, keys)
}

// groupCode writes a typed code in groups of five, as the planner prints it.
func groupCode(s string) string {
	s = strings.ReplaceAll(s, "-", "")
	var b strings.Builder
	for i, c := range []rune(s) {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// modifiers are the keys a scanner presses with its characters (Shift for
// capitals).
var modifiers = map[fyne.KeyName]bool{
	desktop.KeyShiftLeft: true, desktop.KeyShiftRight: true, desktop.KeyControlLeft: true, desktop.KeyControlRight: true,
	desktop.KeyAltLeft: true, desktop.KeyAltRight: true, desktop.KeySuperLeft: true, desktop.KeySuperRight: true,
}

// listenScanner reads a keyboard-mode barcode scanner from the window's
// keys: a scan goes to ReadPlan; everything else (a keypad, a keyboard) goes
// on to the handlers set before (call it after them), at once but for the
// scanner's prefix, held at most the scanner's HoldFor.
func (u *UI) listenScanner() {
	c := u.win.Canvas()
	prevRune, prevKey := c.OnTypedRune(), c.OnTypedKey()
	// Eager: a resident's keypad is never held back; only the prefix is
	u.plan.scan.Prefix, u.plan.scan.Eager = u.o.ScanPrefix, true
	if u.plan.scan.Prefix == "" {
		u.plan.scan.Prefix = input.DefaultPrefix
	}
	pass := func(rs []rune) {
		if prevRune != nil {
			for _, r := range rs {
				prevRune(r)
			}
		}
	}
	flush := func() { pass(u.plan.scan.Flush(u.o.Clock()).Typed) }
	c.SetOnTypedRune(func(r rune) {
		pass(u.plan.scan.Type(r, u.o.Clock()).Typed)
		// what is held goes on once no scanner could be typing it
		wait := u.plan.scan.HoldFor()
		if u.plan.timer == nil {
			u.plan.timer = time.AfterFunc(wait+10*time.Millisecond, func() { fyne.Do(flush) })
		} else {
			u.plan.timer.Reset(wait + 10*time.Millisecond)
		}
	})
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		now := u.o.Clock()
		if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
			ev, scanned := u.plan.scan.Enter(now)
			pass(ev.Typed)
			if scanned {
				u.ReadPlan(ev.Scan)
				return
			}
		} else if u.plan.scan.Holding() {
			if len(k.Name) == 1 || k.Name == fyne.KeySpace || modifiers[k.Name] {
				return // a key of a burst: its character decides (a scanner's dash is no volume key)
			}
			// a key that types nothing ends any burst: what was held is the person's
			pass(u.plan.scan.Flush(now.Add(time.Hour)).Typed)
		}
		if prevKey != nil {
			prevKey(k)
		}
	})
}

// planLine is a screen's message line of lines: the session's problem, or
// what the plan says at this step.
func (u *UI) planLine(problem string, lines int) fyne.CanvasObject {
	msg, notice := u.withPlan(problem, false)
	return messageLine(msg, notice, lines)
}
