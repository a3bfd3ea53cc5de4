package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	klayout "github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// The proposal screens' modes.
const (
	modeForm      = "form"      // the guided form, step by step
	modeDone      = "done"      // submitted: the codes, the slip
	modeHandoff   = "handoff"   // handed over to finish at home: the QR
	modeStatus    = "status"    // typing the tracker and the secret
	modeResult    = "result"    // the proposal's status and history
	modeProtest   = "protest"   // typing a protest's reason
	modeProtested = "protested" // the protest filed
)

// The form's steps, in order.
const (
	stepPool = iota
	stepTitle
	stepSummary
	stepDescription
	stepLocation
	stepCategory
	stepCost
	stepContact
	stepReview
	steps
)

// stepField names each step's field as civic.Check does.
var stepField = [steps]string{"pool", "title", "summary", "description", "location", "category", "cost", "contact", ""}

// maxProtest is the longest protest reason taken at the kiosk, in characters.
const maxProtest = 2000

// civicState is one resident's proposal, status check or protest: held in
// memory only while they are at it, never written or logged, and wiped
// (civicWipe) on finish, cancel or timeout.
type civicState struct {
	mode        string
	step        int
	draft       wire.ProposalDraft
	cost        string // the whole złoty typed
	contact     string
	shift       bool
	keys        keyLayout // the layout the resident switched to, if any
	problem     *election.Problem
	confirm     bool          // "throw the proposal away?"
	warning     time.Duration // the idle countdown, while it runs
	wantProtest bool          // came to protest
	tracker     string
	secret      string
	field       int // 0 tracker, 1 secret
	reason      string
	receipt     *wire.ProposalReceipt
	handoff     *wire.ProposalHandoff
	status      *wire.ProposalStatus
	printFailed string // the printer's problem key, when the slip did not print
}

// civicOpen starts a proposal screen.
func (u *UI) civicOpen(mode string) {
	u.civic = civicState{mode: mode}
	u.lastTouch = u.o.Clock()
}

// civicWipe forgets everything the resident typed and starts clean for
// the next one: language, text size and contrast too.
func (u *UI) civicWipe() {
	u.civic = civicState{}
	u.s.Reset()
}

// text is the draft's text of a step.
func (c *civicState) text(step int) *string {
	switch step {
	case stepTitle:
		return &c.draft.Title
	case stepSummary:
		return &c.draft.Summary
	case stepDescription:
		return &c.draft.Description
	case stepLocation:
		return &c.draft.Location
	case stepContact:
		return &c.contact
	}
	return nil
}

// limitOf is how many characters a step's text may have.
func limitOf(step int) int {
	switch step {
	case stepTitle:
		return civic.MaxTitle
	case stepSummary:
		return civic.MaxSummary
	case stepDescription:
		return civic.MaxDescription
	case stepLocation:
		return civic.MaxLocation
	case stepContact:
		return 200
	}
	return 0
}

// Keyboards of the proposal screens: prose adds punctuation to the
// resident's letters; a contact has @ and no capitals; a tracker and a
// secret are base32 (A–Z, 2–7).
var (
	contactLayout = keyLayout{name: "contact", rows: []string{"1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM", "@.-_+"}}
	base32Layout  = keyLayout{name: "base32", rows: []string{"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"}, reflow: true}
)

func proseLayout(l keyLayout) keyLayout {
	return keyLayout{name: l.name, rows: append(append([]string{}, l.rows...), `,.-?!:;()"/%`)}
}

// draft is the civic draft of what the resident typed.
func (u *UI) draft() civic.Draft {
	d := u.civic.draft
	cost := int64(0)
	if n, err := strconv.ParseInt(u.civic.cost, 10, 64); err == nil {
		cost = n * 100
	}
	u.civic.draft.Cost, u.civic.draft.Lang = cost, u.s.Lang()
	return civic.Draft{Pool: d.Pool, Lang: u.s.Lang(), Title: d.Title, Summary: d.Summary, Description: d.Description,
		Location: d.Location, Category: election.Category(d.Category), Cost: cost}
}

// stepProblems are the problems of one step's field (every field's for the review).
func (u *UI) stepProblems(step int) election.Problems {
	var out election.Problems
	d := u.draft()
	for _, p := range civic.Check(u.yearEdition(), d) {
		if step == stepReview || p.Field == stepField[step] {
			out = append(out, p)
		}
	}
	if (step == stepContact || step == stepReview) && utf8.RuneCountInString(u.civic.contact) > limitOf(stepContact) {
		out = append(out, election.Problem{Key: "proposals.contact_long", Field: "contact"})
	}
	return out
}

// stepOfField is the step where a field is typed.
func stepOfField(field string) int {
	for i, f := range stepField {
		if f == field && f != "" {
			return i
		}
	}
	return stepReview
}

// problemText is a problem's sentence in the resident's language.
func (u *UI) problemText(p *election.Problem) string {
	if p == nil {
		return ""
	}
	return u.t(p.Key, "min", p.Detail, "max", p.Detail, "date", p.Detail)
}

// refused takes a failed call's problem: the desk's own, or "no answer".
func (u *UI) refused(err error) {
	var ps election.Problems
	var p election.Problem
	switch {
	case errors.As(err, &ps) && len(ps) > 0:
		u.civic.problem = &ps[0]
	case errors.As(err, &p):
		u.civic.problem = &p
	default:
		u.civic.problem = &election.Problem{Key: "kp.no_answer"}
		if u.o.Station != nil && u.o.Station.Log != nil {
			u.o.Station.Log.Warn("civic-call-failed", "mode", u.civic.mode)
		}
	}
}

// civicScreen is the proposal screen in progress, if any.
func (u *UI) civicScreen() screen {
	if u.civic.mode == "" {
		return screen{}
	}
	name := "proposal-" + u.civic.mode
	build := map[string]func(fyne.Size) fyne.CanvasObject{
		modeForm: u.formScreen, modeDone: u.proposalDoneScreen, modeHandoff: u.handoffScreen, modeStatus: u.statusScreen,
		modeResult: u.resultScreen, modeProtest: u.protestScreen, modeProtested: u.protestedScreen}[u.civic.mode]
	if u.civic.mode == modeForm {
		name = "proposal-" + [...]string{"pool", "title", "summary", "description", "location", "category", "cost", "contact", "review"}[u.civic.step]
	}
	return screen{name: name, build: func(area fyne.Size) fyne.CanvasObject { return u.civicModal(build(area), area) }}
}

// civicModal puts the idle countdown or the cancel question over a screen.
func (u *UI) civicModal(o fyne.CanvasObject, area fyne.Size) fyne.CanvasObject {
	width := min(area.Width*0.8, 900)
	switch {
	case u.civic.warning > 0:
		secs := int(u.civic.warning.Round(time.Second) / time.Second)
		card := container.NewVBox(headingIn(u.t("kp.idle_title"), width), paraIn(u.t("kp.idle_text", "seconds", secs), width),
			primary(u.t("kp.still_here"), u.act(func() { u.civic.warning = 0 })))
		return container.NewStack(o, newModal(card, width))
	case u.civic.confirm:
		card := container.NewVBox(headingIn(u.t("kp.cancel_title"), width), paraIn(u.t("kp.cancel_text"), width),
			primary(u.t("kp.cancel_no"), u.act(func() { u.civic.confirm = false })),
			newButton(u.t("kp.cancel_yes"), u.act(u.civicWipe)))
		return container.NewStack(o, newModal(card, width))
	}
	return o
}

// cancelProposal asks before a typed proposal is thrown away.
func (u *UI) cancelProposal() *touchButton {
	return newButton(u.t("ui.cancel"), u.act(func() {
		if u.civic.mode == modeForm && u.civic.step > stepPool {
			u.civic.confirm = true
			return
		}
		u.civicWipe()
	}))
}

// typedBox shows typed text (its end, when long) with a cursor.
func typedBox(text string, width float32, lines int, mono bool) fyne.CanvasObject {
	r := []rune(text)
	if len(r) > 60*lines {
		text = "…" + string(r[len(r)-60*lines:])
	}
	l := widget.NewLabel(clampTail(text+"▏", width-4*theme.InnerPadding(), lines, mono))
	l.TextStyle = fyne.TextStyle{Bold: true, Monospace: mono}
	box := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	box.StrokeColor, box.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	keep := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	keep.SetMinSize(fyne.NewSize(1, lineHeight(false)*float32(lines)))
	return container.NewStack(box, keep, container.NewPadded(l))
}

// clampTail wraps text to width and keeps its last lines: the resident
// sees what they type last.
func clampTail(text string, width float32, lines int, mono bool) string {
	style := fyne.TextStyle{Bold: true, Monospace: mono}
	wrapped := strings.Split(clampLines(text, width, theme.TextSize(), style, 1000), "\n")
	if len(wrapped) > lines {
		wrapped = wrapped[len(wrapped)-lines:]
	}
	return strings.Join(wrapped, "\n")
}

// typeInto types r into s (at most max characters): prose is lower case
// but for the first letter of a sentence or after shift.
func (u *UI) typeInto(s *string, r rune, max int, prose bool) {
	if utf8.RuneCountInString(*s) >= max {
		return
	}
	if unicode.IsLetter(r) {
		t := strings.TrimRight(*s, " ")
		start := t == "" || strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?")
		if !prose || !(start || u.civic.shift) {
			r = unicode.ToLower(r)
		}
	}
	u.civic.shift = false
	*s += string(r)
	u.civic.problem = nil
}

func backspace(s *string) {
	if r := []rune(*s); len(r) > 0 {
		*s = string(r[:len(r)-1])
	}
}

// textKeyboard is the keyboard of a text step: letters of the resident's
// language (or the other alphabet), punctuation, shift, space and delete.
func (u *UI) textKeyboard(s *string, max int, contact bool) fyne.CanvasObject {
	keys := u.civic.keys
	if keys.name == "" || contact != (keys.name == contactLayout.name) {
		keys = textLayout(u.s.Lang())
		if contact {
			keys = contactLayout
		}
	}
	typeRune := func(r rune) { u.act(func() { u.typeInto(s, r, max, !contact) })() }
	del := newButton("⌫", u.act(func() { backspace(s) }))
	space := newButton(u.t("ui.space"), u.act(func() { u.typeInto(s, ' ', max, false) }))
	if contact {
		return newKeyboard(keys, typeRune, newButton(u.t("ui.clear"), u.act(func() { *s = "" })), space, del)
	}
	other, otherLabel := ukrainianLayout, u.t("ui.keys_cyrillic")
	if keys.name == ukrainianLayout.name {
		other, otherLabel = polishLayout, u.t("ui.keys_latin")
	}
	swap := newButton(otherLabel, u.act(func() { u.civic.keys = other }))
	shift := newButton("⇧", u.act(func() { u.civic.shift = !u.civic.shift }))
	if u.civic.shift {
		shift.Importance = widget.HighImportance
	}
	return newKeyboard(proseLayout(keys), typeRune, shift, swap, space, del)
}

// formNav is the form's row: cancel, back, next.
func (u *UI) formNav() fyne.CanvasObject {
	back := newButton(u.t("ui.back"), u.act(func() {
		u.civic.problem = nil
		if u.civic.step > stepPool {
			u.civic.step--
		}
	}))
	if u.civic.step == stepPool {
		back.Disable()
	}
	next := primary(u.t("ui.next"), u.act(func() {
		if ps := u.stepProblems(u.civic.step); len(ps) > 0 {
			u.civic.problem = &ps[0]
			return
		}
		u.civic.problem = nil
		u.civic.step++
	}))
	return container.NewGridWithColumns(3, u.cancelProposal(), back, next)
}

// formHead is a step's heading and help.
func (u *UI) formHead(width float32, label, help string) []fyne.CanvasObject {
	step := widget.NewLabel(u.t("ui.step", "step", u.civic.step+1, "steps", int(steps)))
	step.TextStyle.Bold = true
	return []fyne.CanvasObject{container.NewBorder(nil, nil, nil, step, widget.NewLabel(u.t("kp.form_title"))),
		headingIn(label, width), paraIn(help, width)}
}

func (u *UI) formScreen(area fyne.Size) fyne.CanvasObject {
	switch u.civic.step {
	case stepPool:
		return u.poolStep(area)
	case stepCategory:
		return u.categoryStep(area)
	case stepCost:
		return u.costStep(area)
	case stepReview:
		return u.reviewStep(area)
	}
	return u.textStep(area)
}

// column is the width of the form's text column: half a landscape screen.
func column(area fyne.Size) float32 {
	if landscape(area) {
		return (area.Width - theme.Padding()) / 2
	}
	return area.Width
}

// sideBySide lays a step out: text above the keys, or beside them on a
// landscape screen.
func sideBySide(area fyne.Size, top, bottom, keys fyne.CanvasObject) fyne.CanvasObject {
	if landscape(area) {
		return container.NewGridWithColumns(2, container.NewBorder(top, bottom, nil, nil), keys)
	}
	return container.NewBorder(top, bottom, nil, nil, keys)
}

func (u *UI) textStep(area fyne.Size) fyne.CanvasObject {
	step := u.civic.step
	s, max := u.civic.text(step), limitOf(step)
	col := column(area)
	labels := map[int][2]string{
		stepTitle:       {u.t("proposals.f.title"), u.t("kp.help.title")},
		stepSummary:     {u.t("proposals.f.summary"), u.t("kp.help.summary")},
		stepDescription: {u.t("proposals.f.description"), u.t("kp.help.description")},
		stepLocation:    {u.t("proposals.f.location"), u.t("kp.help.location")},
		stepContact:     {u.t("proposals.f.contact"), u.t("proposals.contact_note")},
	}[step]
	lines := 3
	if step == stepSummary || step == stepDescription {
		lines = 5
	}
	count := widget.NewLabel(u.t("kp.count", "n", utf8.RuneCountInString(*s), "max", max))
	items := append(u.formHead(col, labels[0], labels[1]), typedBox(*s, col, lines, false), count,
		messageLine(u.problemText(u.civic.problem), false, 2))
	return sideBySide(area, container.NewVBox(items...), u.formNav(), u.textKeyboard(s, max, step == stepContact))
}

func (u *UI) poolStep(area fyne.Size) fyne.CanvasObject {
	year := u.yearEdition()
	top := container.NewVBox(append(u.formHead(area.Width, u.t("proposals.f.pool"), u.costLimits(year, "")),
		messageLine(u.problemText(u.civic.problem), false, 1))...)
	var city, districts []fyne.CanvasObject
	cols := 3
	if landscape(area) {
		cols = 6
	}
	cellW := (area.Width - float32(cols-1)*theme.Padding()) / float32(cols)
	for _, p := range year.Pools {
		label := districtName(p, u.s.Lang())
		if p.Number != "" {
			label = p.Number + " " + label
		}
		if p.Kind == election.CityWide {
			label = p.Name.In(u.s.Lang())
		}
		b := newButton(fitLabel(label, cellW), u.act(func() { u.civic.draft.Pool, u.civic.problem = p.ID, nil }))
		if p.Kind == election.CityWide {
			b.Text = fitLabel(label, area.Width)
		}
		if u.civic.draft.Pool == p.ID {
			b.Importance = widget.HighImportance
		}
		if p.Kind == election.CityWide {
			city = append(city, b)
		} else {
			districts = append(districts, b)
		}
	}
	body := container.NewVBox(append(city, widget.NewLabel(u.t("kp.or_district")), container.NewGridWithColumns(cols, districts...))...)
	return container.NewBorder(top, u.formNav(), nil, nil, container.NewVBox(body, layout.NewSpacer()))
}

// costLimits writes the edition's cost limits: of one pool kind, or of each.
func (u *UI) costLimits(year *election.Edition, kind election.PoolKind) string {
	if year.Proposals == nil {
		return u.t("kp.help.pool")
	}
	var parts []string
	for _, k := range []election.PoolKind{election.CityWide, election.District} {
		lim, ok := year.Proposals.CostLimits[k]
		if !ok || (kind != "" && kind != k) {
			continue
		}
		key := "proposals.limits.district"
		if k == election.CityWide {
			key = "proposals.limits.city"
		}
		parts = append(parts, u.t(key, "min", election.FormatPLN(lim.Min), "max", election.FormatPLN(lim.Max)))
	}
	if kind == "" {
		return u.t("kp.help.pool") + " " + strings.Join(parts, " ")
	}
	return strings.Join(parts, " ")
}

func (u *UI) categoryStep(area fyne.Size) fyne.CanvasObject {
	top := container.NewVBox(u.formHead(area.Width, u.t("proposals.f.category"), u.t("kp.help.category"))...)
	var buttons []fyne.CanvasObject
	for _, c := range election.Categories {
		b := newButton(u.categoryName(c), u.act(func() { u.civic.draft.Category = string(c) }))
		if u.civic.draft.Category == string(c) {
			b.Importance = widget.HighImportance
		}
		buttons = append(buttons, b)
	}
	cols := 2
	if landscape(area) {
		cols = 4
	}
	return container.NewBorder(top, u.formNav(), nil, nil, container.NewVBox(container.NewGridWithColumns(cols, buttons...), layout.NewSpacer()))
}

func (u *UI) costStep(area fyne.Size) fyne.CanvasObject {
	year := u.yearEdition()
	col := column(area)
	kind := election.PoolKind("")
	if p := year.Pool(u.civic.draft.Pool); p != nil {
		kind = p.Kind
	}
	help := u.costLimits(year, kind)
	if year.Proposals != nil {
		if g := year.Proposals.CostGuide.In(u.s.Lang()); g != "" {
			help += "\n" + g
		}
	}
	shown := " "
	if n, err := strconv.ParseInt(u.civic.cost, 10, 64); err == nil {
		shown = election.FormatPLN(n * 100)
	}
	amount := canvas.NewText(shown, theme.Color(theme.ColorNameForeground))
	amount.TextSize = theme.TextSize() * 1.6
	amount.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	box := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	box.StrokeColor, box.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	items := append(u.formHead(col, u.t("proposals.f.cost"), help), container.NewStack(box, container.NewPadded(amount)),
		messageLine(u.problemText(u.civic.problem), false, 2))
	typeDigit := func(r rune) {
		u.act(func() {
			if len(u.civic.cost) < 12 && (u.civic.cost != "" || r != '0') {
				u.civic.cost += string(r)
			}
			u.civic.problem = nil
		})()
	}
	keys := keypad(typeDigit, u.act(func() { backspace(&u.civic.cost) }), u.act(func() { u.civic.cost = "" }), u.t("ui.delete"), u.t("ui.clear"))
	return sideBySide(area, container.NewVBox(items...), u.formNav(), keys)
}

func (u *UI) reviewStep(area fyne.Size) fyne.CanvasObject {
	year := u.yearEdition()
	d := u.draft()
	pool := d.Pool
	if p := year.Pool(d.Pool); p != nil {
		pool = p.Name.In(u.s.Lang())
	}
	category := ""
	if d.Category != "" {
		category = u.categoryName(d.Category)
	}
	contact := u.t("kp.no_contact")
	if u.civic.contact != "" {
		contact = u.civic.contact
	}
	rows := []struct {
		step        int
		label, text string
	}{{stepPool, u.t("proposals.f.pool"), pool}, {stepTitle, u.t("proposals.f.title"), d.Title},
		{stepSummary, u.t("proposals.f.summary"), d.Summary}, {stepDescription, u.t("proposals.f.description"), d.Description},
		{stepLocation, u.t("proposals.f.location"), d.Location}, {stepCategory, u.t("proposals.f.category"), category},
		{stepCost, u.t("proposals.f.cost"), election.FormatPLN(d.Cost)}, {stepContact, u.t("kp.contact_short"), contact}}
	var list []fyne.CanvasObject
	cols := 1
	if landscape(area) {
		cols = 2
	}
	colW := (area.Width - float32(cols-1)*theme.Padding()) / float32(cols)
	for _, r := range rows {
		change := newButton(u.t("ui.change"), u.act(func() { u.civic.step, u.civic.problem = r.step, nil }))
		textW := colW - change.MinSize().Width - 4*theme.InnerPadding()
		l := widget.NewLabel(clampLines(r.label+": "+r.text, textW, theme.TextSize(), fyne.TextStyle{}, 2))
		list = append(list, container.NewBorder(nil, nil, nil, change, l))
	}
	top := container.NewVBox(append(u.formHead(area.Width, u.t("kp.review_title"), u.t("kp.review_help")), container.NewGridWithColumns(cols, list...))...)
	submit := primary(u.t("kp.submit"), u.act(u.submitProposal))
	home := newButton(u.t("kp.handoff"), u.act(u.handOff))
	back := newButton(u.t("ui.back"), u.act(func() { u.civic.step--; u.civic.problem = nil }))
	nav := container.NewVBox(messageLine(u.problemText(u.civic.problem), false, 2), submit,
		container.NewGridWithColumns(3, u.cancelProposal(), back, home))
	return container.NewBorder(top, nav, nil, nil)
}

// ctx bounds a call to the central.
func civicContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), civicTimeout)
}

// submitProposal sends the proposal, prints its confirmation, and shows
// the codes; a refusal shows its sentence at the step of its field.
func (u *UI) submitProposal() {
	if ps := u.stepProblems(stepReview); len(ps) > 0 {
		u.civic.problem, u.civic.step = &ps[0], stepOfField(ps[0].Field)
		return
	}
	if u.o.Civic == nil {
		u.civic.problem = &election.Problem{Key: "kp.no_answer"}
		return
	}
	ctx, cancel := civicContext()
	defer cancel()
	u.draft()
	rc, err := u.o.Civic.SubmitProposal(ctx, wire.ProposalSubmit{Draft: u.civic.draft, Contact: u.civic.contact})
	if err != nil {
		u.refused(err)
		if u.civic.problem.Field != "" {
			u.civic.step = stepOfField(u.civic.problem.Field)
		}
		return
	}
	lang := u.s.Lang()
	u.civic = civicState{mode: modeDone, receipt: &rc} // the draft and the contact are gone
	u.printSlip(klayout.ProposalSlip{Lang: lang, Receipt: &rc})
}

// printSlip prints a slip and remembers whether it failed.
func (u *UI) printSlip(s klayout.ProposalSlip) {
	if u.o.Station == nil {
		return
	}
	ctx, cancel := civicContext()
	defer cancel()
	if err := u.o.Station.PrintProposalSlip(ctx, u.yearEdition(), s); err != nil {
		u.civic.printFailed = printer.ErrorKey(err)
		u.alert = true
	}
}

// handOff gives the draft (never the contact) to the central and prints
// the QR that opens it on the web form at home.
func (u *UI) handOff() {
	if u.o.Civic == nil {
		u.civic.problem = &election.Problem{Key: "kp.no_answer"}
		return
	}
	ctx, cancel := civicContext()
	defer cancel()
	u.draft()
	h, err := u.o.Civic.HandOff(ctx, u.civic.draft)
	if err != nil {
		u.refused(err)
		return
	}
	lang := u.s.Lang()
	u.civic = civicState{mode: modeHandoff, handoff: &h}
	u.printSlip(klayout.ProposalSlip{Lang: lang, Handoff: &h})
}

// codeText writes a code as typed so far, in groups of four.
func codeText(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), "-")
}

// bigCode is a code shown large.
func bigCode(code string) fyne.CanvasObject {
	t := canvas.NewText(code, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.TextSize() * 1.6
	t.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	return container.NewPadded(t)
}

// slipLine says to take the slip, or that it did not print.
func (u *UI) slipLine(width float32) []fyne.CanvasObject {
	if u.civic.printFailed != "" {
		return []fyne.CanvasObject{problemLabel(u.t(u.civic.printFailed)), paraIn(u.t("kp.no_slip"), width)}
	}
	return []fyne.CanvasObject{paraIn(u.t("kp.take_slip"), width)}
}

func (u *UI) proposalDoneScreen(area fyne.Size) fyne.CanvasObject {
	rc := u.civic.receipt
	w := column(area)
	items := []fyne.CanvasObject{headingIn(u.t("proposals.done.title"), w),
		paraIn(u.t("proposals.id")+": "+rc.ID+" · "+rc.Title, w),
		widget.NewLabel(u.t("kp.tracker")), bigCode(rc.Tracker),
		widget.NewLabel(u.t("proposals.secret_label")), bigCode(rc.Secret),
		paraIn(u.t("proposals.secret_note"), w)}
	items = append(items, u.slipLine(w)...)
	if rc.Supporters > 0 {
		items = append(items, paraIn(u.t("kp.support_hint", "n", rc.Supporters), w))
	}
	if rc.Held {
		items = append(items, paraIn(u.t("kp.held"), w))
	}
	finish := primary(u.t("ui.finish"), u.act(u.civicWipe))
	var qr fyne.CanvasObject = layout.NewSpacer()
	if rc.StatusURL != "" {
		qr = u.qrBox(rc.StatusURL, area)
	}
	if landscape(area) {
		return container.NewGridWithColumns(2, container.NewBorder(nil, finish, nil, nil, container.NewVBox(items...)), qr)
	}
	return container.NewBorder(nil, finish, nil, nil, container.NewVBox(append(items, qr)...))
}

// qrBox is a QR code of url sized for the area.
func (u *UI) qrBox(url string, area fyne.Size) fyne.CanvasObject {
	img := qrImage(url)
	if img == nil {
		return layout.NewSpacer()
	}
	q := canvas.NewImageFromImage(img)
	q.FillMode = canvas.ImageFillContain
	q.ScaleMode = canvas.ImageScalePixels
	side := min(320, area.Height*0.25)
	if landscape(area) {
		side = min(320, area.Height*0.5, area.Width*0.35)
	}
	q.SetMinSize(fyne.NewSize(side, side))
	return container.NewCenter(q)
}

func (u *UI) handoffScreen(area fyne.Size) fyne.CanvasObject {
	h := u.civic.handoff
	year := u.yearEdition()
	w := column(area)
	items := []fyne.CanvasObject{headingIn(u.t("kp.handoff_title"), w), paraIn(u.t("kp.handoff_screen"), w),
		widget.NewLabel(u.t("kp.handoff_code")), bigCode(h.Code),
		paraIn(u.t("kp.handoff_until", "date", u.day(year, h.Expires)), w), paraIn(u.t("kp.handoff_contact"), w)}
	items = append(items, u.slipLine(w)...)
	finish := primary(u.t("ui.finish"), u.act(u.civicWipe))
	if landscape(area) {
		return container.NewGridWithColumns(2, container.NewBorder(nil, finish, nil, nil, container.NewVBox(items...)), u.qrBox(h.URL, area))
	}
	return container.NewBorder(nil, finish, nil, nil, container.NewVBox(append(items, u.qrBox(h.URL, area))...))
}

// statusScreen takes the tracker and the secret on the code keyboard.
func (u *UI) statusScreen(area fyne.Size) fyne.CanvasObject {
	col := column(area)
	field := func(i int, label, value string, n int) fyne.CanvasObject {
		b := newButton(label+": "+codeText(value)+strings.Repeat("·", n-len(value)), u.act(func() { u.civic.field = i }))
		b.Alignment = widget.ButtonAlignLeading
		if u.civic.field == i {
			b.Importance = widget.HighImportance
		}
		return b
	}
	title := u.t("kp.status_title")
	if u.civic.wantProtest {
		title = u.t("proposals.protest.title")
	}
	top := container.NewVBox(headingIn(title, col), paraIn(u.t("kp.status_help"), col),
		field(0, u.t("kp.tracker"), u.civic.tracker, 8), field(1, u.t("proposals.secret_label"), u.civic.secret, 16),
		messageLine(u.problemText(u.civic.problem), false, 2))
	typeRune := func(r rune) {
		u.act(func() {
			u.civic.problem = nil
			if u.civic.field == 0 && len(u.civic.tracker) < 8 {
				u.civic.tracker += string(r)
				if len(u.civic.tracker) == 8 {
					u.civic.field = 1
				}
			} else if u.civic.field == 1 && len(u.civic.secret) < 16 {
				u.civic.secret += string(r)
			}
		})()
	}
	del := newButton("⌫", u.act(func() {
		if u.civic.field == 0 {
			backspace(&u.civic.tracker)
		} else {
			backspace(&u.civic.secret)
		}
	}))
	keys := newKeyboard(base32Layout, typeRune, del)
	check := primary(u.t("proposals.status.show"), u.act(u.lookUp))
	nav := container.NewGridWithColumns(2, newButton(u.t("ui.cancel"), u.act(u.civicWipe)), check)
	return sideBySide(area, top, nav, keys)
}

func (u *UI) lookUp() {
	if len(u.civic.tracker) < 8 || len(u.civic.secret) < 16 {
		u.civic.problem = &election.Problem{Key: "kp.codes_short"}
		return
	}
	if u.o.Civic == nil {
		u.civic.problem = &election.Problem{Key: "kp.no_answer"}
		return
	}
	ctx, cancel := civicContext()
	defer cancel()
	st, err := u.o.Civic.ProposalStatus(ctx, u.civic.tracker, u.civic.secret)
	if err != nil {
		u.refused(err)
		return
	}
	u.civic.status, u.civic.mode, u.civic.problem = &st, modeResult, nil
}

// eventLine is one step of a proposal's history, with its reason.
func (u *UI) eventLine(year *election.Edition, ev wire.ProposalEvent) string {
	s := u.day(year, ev.At) + " · " + u.t("proposals.ev."+ev.Kind)
	switch ev.Kind {
	case string(civic.EvUphold), string(civic.EvRestore):
		if ev.Detail != "" {
			s += " · " + u.t("proposals.hearing", "date", ev.Detail)
		}
	case string(civic.EvMerge), string(civic.EvNumbered):
		s += " " + ev.Detail
	case string(civic.EvMeritPass):
		if n, err := strconv.ParseInt(ev.Detail, 10, 64); err == nil && n > 0 {
			s += " · " + u.t("proposals.unit_cost") + ": " + election.FormatPLN(n)
		}
	}
	if ev.Reason != "" {
		s += ": " + ev.Reason
	}
	return s
}

func (u *UI) resultScreen(area fyne.Size) fyne.CanvasObject {
	st := u.civic.status
	year := u.yearEdition()
	w := area.Width
	pool := st.Pool
	if p := year.Pool(st.Pool); p != nil {
		pool = p.Name.In(u.s.Lang())
	}
	status := widget.NewLabel(u.t("proposals.f.status") + ": " + u.t("proposals.st."+st.Status))
	status.TextStyle.Bold = true
	status.Importance = widget.HighImportance
	items := []fyne.CanvasObject{headingIn(st.Title, w), paraIn(st.ID+" · "+pool, w), status}
	if !st.FixBy.IsZero() {
		items = append(items, paraIn(u.t("proposals.fix_by", "date", u.day(year, st.FixBy))+" "+u.t("kp.fix_on_web"), w))
	}
	items = append(items, widget.NewLabel(u.t("proposals.history")))
	shown := st.History
	if max := 8; len(shown) > max {
		shown = shown[len(shown)-max:]
	}
	for _, ev := range shown {
		items = append(items, paraIn(u.eventLine(year, ev), w))
	}
	if u.civic.wantProtest && !st.Protest {
		items = append(items, messageLine(u.t("kp.protest_not_now"), true, 2))
	}
	var nav []fyne.CanvasObject
	if st.Protest {
		nav = append(nav, primary(u.t("kp.act.protest"), u.act(func() { u.civic.mode, u.civic.problem = modeProtest, nil })))
	}
	nav = append(nav, newButton(u.t("ui.finish"), u.act(u.civicWipe)))
	return container.NewBorder(nil, container.NewVBox(nav...), nil, nil, container.NewVBox(items...))
}

func (u *UI) protestScreen(area fyne.Size) fyne.CanvasObject {
	col := column(area)
	st := u.civic.status
	count := widget.NewLabel(u.t("kp.count", "n", utf8.RuneCountInString(u.civic.reason), "max", maxProtest))
	top := container.NewVBox(headingIn(u.t("proposals.protest.title"), col), paraIn(st.Title, col),
		widget.NewLabel(u.t("proposals.protest.why")), typedBox(u.civic.reason, col, 5, false), count,
		messageLine(u.problemText(u.civic.problem), false, 2))
	send := primary(u.t("proposals.protest.send"), u.act(u.fileProtest))
	back := newButton(u.t("ui.back"), u.act(func() { u.civic.mode, u.civic.problem = modeResult, nil }))
	nav := container.NewGridWithColumns(3, newButton(u.t("ui.cancel"), u.act(u.civicWipe)), back, send)
	return sideBySide(area, top, nav, u.textKeyboard(&u.civic.reason, maxProtest, false))
}

func (u *UI) fileProtest() {
	if strings.TrimSpace(u.civic.reason) == "" {
		u.civic.problem = &election.Problem{Key: civic.KeyReason}
		return
	}
	if u.o.Civic == nil {
		u.civic.problem = &election.Problem{Key: "kp.no_answer"}
		return
	}
	ctx, cancel := civicContext()
	defer cancel()
	st, err := u.o.Civic.Protest(ctx, u.civic.tracker, u.civic.secret, u.civic.reason)
	if err != nil {
		u.refused(err)
		return
	}
	lang := u.s.Lang()
	u.civic = civicState{mode: modeProtested, status: &st}
	u.printSlip(klayout.ProposalSlip{Lang: lang, Protest: &st})
}

func (u *UI) protestedScreen(area fyne.Size) fyne.CanvasObject {
	st := u.civic.status
	w := area.Width
	items := []fyne.CanvasObject{layout.NewSpacer(), headingIn(u.t("kp.protest_filed"), w), paraIn(st.ID+" · "+st.Title, w),
		paraIn(u.t("kp.protest_next"), w)}
	items = append(items, u.slipLine(w)...)
	return container.NewVBox(append(items, layout.NewSpacer(), primary(u.t("ui.finish"), u.act(u.civicWipe)))...)
}
