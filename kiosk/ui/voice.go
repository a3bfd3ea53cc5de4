package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/urna-kiosk/urna/kiosk/input"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/speech"
	"github.com/urna-kiosk/urna/sync/election"
)

// voiceState is one resident's voice guide: on from their first key (or
// the attract screen's button) until the session ends, when it resets.
type voiceState struct {
	on      bool
	curtain bool
	set     speech.Settings
	focus   int
	// view is the view last introduced (screen, panel, page, language):
	// a new one is introduced and its focus starts over.
	view string
	// problem is the problem or notice last said, so it is said once.
	problem string
	// lead is what a key made the guide say first ("louder"); keyed that a
	// key caused this redraw (the focused button is said again).
	lead  []string
	keyed bool
	// stay keeps the focus where it is through a repeated introduction (help).
	stay bool
	// moved is how focus last moved: "next"/"prev" within a line says a
	// project's button briefly.
	moved string
	last  speech.Prompt
	// until is when the last prompt will have been said, about: the idle
	// timeout counts from then, not from the key (a ballot read back
	// takes over a minute).
	until time.Time
	// about holds what a button means beyond its label (a project's
	// number, title and cost), set as the screen is built.
	about map[*touchButton]about
	ring  *focusRing
	head  fyne.CanvasObject
	// at is where the screen's objects are (focusItems)
	at map[fyne.CanvasObject]fyne.Position
}

type about struct{ full, short string }

// voiceOn starts the guide for this resident.
func (u *UI) voiceOn() {
	v := &u.voice
	if v.on {
		return
	}
	v.on, v.view, v.problem = true, "", ""
	if v.set == (speech.Settings{}) {
		v.set = u.o.VoiceSettings
	}
	v.lead = append(v.lead, u.t("voice.on"), u.t("voice.keys"))
}

// voiceReset is the next resident's clean start: guide off, curtain
// open, rate and volume back to the venue's.
func (u *UI) voiceReset() {
	if u.voice.on && u.o.Speaker != nil {
		u.o.Speaker.Stop()
	}
	u.voice = voiceState{ring: u.voice.ring, head: u.voice.head}
}

// startVoice is the attract screen's audio button: the guide and the session at once.
func (u *UI) startVoice() {
	u.voiceOn()
	u.start()
}

// voiceButton is the attract screen's button to start with the guide, if
// the kiosk has speech.
func (u *UI) voiceButton() fyne.CanvasObject {
	if u.o.Speaker == nil {
		return nil
	}
	return container.NewCenter(newButton("🎧 "+u.t("ui.voice_start"), u.act(u.startVoice)))
}

// listenKeys takes the keypad's and keyboard's keys for the resident.
func (u *UI) listenKeys() {
	c := u.win.Canvas()
	c.SetOnTypedKey(u.TypedKey)
	c.SetOnTypedRune(u.TypedRune)
}

// keysTaken reports whether keys belong to the resident now: staff mode
// and the staff's admission screens are touch only.
func (u *UI) keysTaken() bool {
	return u.o.Speaker != nil && u.staff == staffOff && u.admissionName() == "" &&
		u.s.Step() != session.Closed && u.s.Step() != session.Paused
}

// typing reports whether characters type into a field: the PESEL or code,
// or the search.
func (u *UI) typing() bool {
	return u.s.Step() == session.Identity || u.s.Step() == session.Choose && u.searching
}

// TypedKey takes a key press (Fyne sends keys nothing focused took here).
func (u *UI) TypedKey(ev *fyne.KeyEvent) {
	if !u.keysTaken() {
		u.sayWaiting()
		return
	}
	if ev.Name == fyne.KeyBackspace && u.typing() && u.voice.on {
		u.deleteTyped()
		return
	}
	if ev.Name == fyne.KeySpace && u.searching && u.voice.on {
		return // the search takes the space as a character
	}
	if a := input.Key(string(ev.Name)); a != input.None {
		u.Press(a)
	}
}

// TypedRune takes a typed character: a digit of the PESEL, a letter of the
// search, or an action (+ - * / . and the keypad's digits elsewhere).
func (u *UI) TypedRune(r rune) {
	if !u.keysTaken() {
		u.sayWaiting()
		return
	}
	if u.voice.on && u.typing() && u.typeRune(r) {
		return
	}
	a := input.Rune(r)
	if a == input.None && r >= '0' && r <= '9' && !u.typing() {
		a = input.Digit(r)
	}
	if a != input.None {
		u.Press(a)
	} else if !u.voice.on && u.typing() && r >= '0' && r <= '9' {
		// the first key starts the guide, and the digit still counts
		u.Press(input.Repeat)
		u.typeRune(r)
	}
}

// sayWaiting is a key on a screen before a ballot may begin (ask staff,
// not open): it says aloud what to do, with the venue's voice settings.
func (u *UI) sayWaiting() {
	if u.o.Speaker == nil || u.staff != staffOff {
		return
	}
	var text string
	switch u.admissionName() {
	case "ask-staff":
		text = u.t("voice.ask_staff")
	case "not-open":
		text = u.t("station.not_open") + ". " + u.t("ui.not_open_help")
	default:
		return
	}
	u.o.Speaker.Say(u.o.VoiceSettings.Prompt(u.s.Lang(), text))
}

// typeRune types r into the field shown, if it belongs there.
func (u *UI) typeRune(r rune) bool {
	switch {
	case u.s.Step() == session.Identity:
		if u.s.Method() == election.ByCode {
			r = []rune(strings.ToUpper(string(r)))[0]
			if !strings.ContainsRune(codeLayout.rows[0], r) {
				return false
			}
		} else if r < '0' || r > '9' {
			return false
		}
		u.s.Type(r)
		u.voice.lead = append(u.voice.lead, u.typedCount())
	case u.searching:
		if !(r == ' ' || r >= '0' && r <= '9' || strings.ContainsRune(polishLayout.rows[1]+polishLayout.rows[2]+polishLayout.rows[3]+polishLayout.rows[4]+ukrainianLayout.rows[1]+ukrainianLayout.rows[2]+ukrainianLayout.rows[3], []rune(strings.ToUpper(string(r)))[0])) {
			return false
		}
		u.query += strings.ToLower(string(r))
		u.page = 0
		u.voice.lead = append(u.voice.lead, string(r)+".", u.t("ui.found", "n", len(u.s.Projects(u.poolID(), u.category, u.query))))
	default:
		return false
	}
	u.s.StillHere()
	u.Refresh()
	return true
}

// deleteTyped is Backspace in a field.
func (u *UI) deleteTyped() {
	if u.s.Step() == session.Identity {
		u.s.Backspace()
		u.voice.lead = append(u.voice.lead, u.t("voice.deleted"), u.typedCount())
	} else if r := []rune(u.query); len(r) > 0 {
		u.query = string(r[:len(r)-1])
		u.voice.lead = append(u.voice.lead, u.t("voice.deleted"), u.t("ui.found", "n", len(u.s.Projects(u.poolID(), u.category, u.query))))
	}
	u.Refresh()
}

// typedCount says how much is typed, not what: the digits of a PESEL are
// not said aloud (a WAV file or a loudspeaker would keep them).
func (u *UI) typedCount() string {
	n := len([]rune(u.s.Typed(false)))
	if u.s.Method() == election.ByCode {
		return u.t("voice.typed_code", "n", n)
	}
	return u.t("voice.typed_pesel", "n", n)
}

// Press does what a key's action does.
func (u *UI) Press(a input.Action) {
	if !u.keysTaken() {
		return
	}
	v := &u.voice
	u.lastTouch = u.o.Clock()
	if !u.s.Between() {
		u.s.StillHere()
	}
	if u.idle.Warning {
		u.idle = session.Idle{}
	}
	if !v.on {
		u.voiceOn()
		if u.s.Step() == session.Attract {
			u.start()
		}
		u.Refresh()
		return
	}
	v.keyed, v.moved = true, ""
	switch a {
	case input.Louder:
		v.set = v.set.Louder()
		v.lead = append(v.lead, u.t("voice.louder"))
		v.keyed = false
	case input.Quieter:
		v.set = v.set.Quieter()
		v.lead = append(v.lead, u.t("voice.quieter"))
		v.keyed = false
	case input.Faster:
		v.set = v.set.Faster()
		v.lead = append(v.lead, u.t("voice.faster"))
		v.keyed = false
	case input.Slower:
		v.set = v.set.Slower()
		v.lead = append(v.lead, u.t("voice.slower"))
		v.keyed = false
	case input.Repeat:
		v.view, v.stay, v.problem = "", true, "" // where the resident is, again, focus kept
	case input.Help:
		v.lead = append(v.lead, u.t("voice.keys"))
		v.view, v.stay = "", true // and where the resident is, again, focus kept
	case input.Curtain:
		v.curtain = !v.curtain
		if v.curtain {
			v.lead = append(v.lead, u.t("voice.curtain_on"))
		} else {
			v.lead = append(v.lead, u.t("voice.curtain_off"))
		}
		v.keyed = false
	case input.Last:
		v.focus, v.moved = u.lastFocus(u.focusItems()), "last"
	case input.Up, input.Down, input.Left, input.Right, input.Next, input.First:
		how := map[input.Action]string{input.Up: "up", input.Down: "down", input.Left: "prev", input.Right: "next",
			input.Next: "next", input.First: "first"}[a]
		items := u.focusItems()
		v.focus, v.moved = moveFocus(focusLines(items, v.at), v.focus, how), how
	case input.Select:
		items := u.focusItems()
		if v.focus < len(items) {
			b := items[v.focus]
			if u.askCancel(b) {
				break
			}
			b.Tapped(&fyne.PointEvent{}) // as a touch would: its act redraws
			return
		}
	case input.Back:
		u.back()
	}
	u.Refresh()
}

// lastFocus is End: the primary action (Next, Confirm) of the screen's last
// lines, else the last button of the last line; never Cancel by default.
func (u *UI) lastFocus(items []*touchButton) int {
	lines := focusLines(items, u.voice.at)
	if len(lines) == 0 {
		return 0
	}
	last := lines[len(lines)-1]
	for i := len(items) - 1; i >= 0 && lines[i] >= last-1; i-- {
		if items[i].Importance == widget.HighImportance && items[i].Text != u.t("ui.cancel") {
			return i
		}
	}
	return len(items) - 1
}

// askCancel is Enter on a Cancel button during a ballot: a key never
// throws a ballot away at once, it asks first (and the question is said).
func (u *UI) askCancel(b *touchButton) bool {
	if b.Text != u.t("ui.cancel") || u.confirming != nil || u.civic.mode != "" || u.s.Between() || u.s.Step() == session.Done {
		return false
	}
	u.confirming = &confirmation{title: u.t("ui.cancel_title"), text: u.t("ui.cancel_text"),
		yes: u.t("ui.cancel_yes"), no: u.t("ui.cancel_no"), onYes: u.s.Reset}
	return true
}

// back is Backspace or Escape: close what is open, or go one step back.
func (u *UI) back() {
	switch {
	case u.confirming != nil:
		u.confirming = nil
	case u.s.Step() == session.Choose && u.searching:
		u.searching = false
	case u.s.Step() == session.Choose && u.picking:
		u.picking = false
	case u.s.Step() == session.Choose && u.detail != "":
		u.detail = ""
	case u.s.Step() == session.Choose || u.s.Step() == session.Review || u.s.Step() == session.District || u.s.Step() == session.Guardian:
		u.s.Back()
	default:
		u.voice.lead = append(u.voice.lead, u.t("voice.no_back"))
		u.voice.keyed = false
	}
}

// say speaks text with the resident's settings, off the UI goroutine.
func (u *UI) say(text string) {
	p := u.voice.set.Prompt(u.s.Lang(), text)
	u.voice.last = p
	u.voice.until = u.o.Clock().Add(saying(p))
	u.o.Speaker.Say(p)
}

// saying is about how long espeak-ng takes to say p, on the long side:
// measured, it says about 10 characters a second at 160 words a minute
// (numbers like BO.OM.6/25 take longer than their words suggest).
func saying(p speech.Prompt) time.Duration {
	chars := float64(len([]rune(p.Text)))
	secs := chars / 9 * float64(speech.DefaultRate) / float64(max(p.Rate, speech.MinRate))
	return time.Duration(secs*float64(time.Second)) + time.Second
}

// voiceKeepsAwake holds the idle timeout off while the guide is speaking.
func (u *UI) voiceKeepsAwake() {
	if u.voice.on && !u.s.Between() && u.o.Clock().Before(u.voice.until) {
		u.s.StillHere()
	}
}

// voiceLayers puts the focus ring and, in audio-only mode, the privacy
// curtain over a composed screen.
func (u *UI) voiceLayers(head fyne.CanvasObject, layers ...fyne.CanvasObject) fyne.CanvasObject {
	u.voice.head = head
	if !u.voice.on {
		if len(layers) == 1 {
			return layers[0]
		}
		return container.NewStack(layers...)
	}
	u.voice.ring = newFocusRing()
	layers = append(layers, u.voice.ring.box)
	if u.voice.curtain && u.residentHere() {
		layers = append(layers, u.curtain())
	}
	return container.NewStack(layers...)
}

// residentHere reports whether a resident's session is on the screen: the
// curtain is theirs and never covers the attract, admission (ask staff) or
// staff screens.
func (u *UI) residentHere() bool {
	return !u.s.Between() && u.staff == staffOff && u.admissionName() == ""
}

// curtain covers the screen in audio-only mode: a bystander sees that the
// kiosk is in use, nothing more; a touch on it does nothing.
func (u *UI) curtain() fyne.CanvasObject {
	note := widget.NewLabel(u.t("voice.curtain_text"))
	note.Alignment = fyne.TextAlignCenter
	return container.NewStack(canvas.NewRectangle(color.Black), newTapArea(func() {}),
		container.NewCenter(panel(note)))
}

// afterShow speaks what changed once a screen is shown: what a key said,
// a new problem, a new view's introduction, the focused button.
func (u *UI) afterShow() {
	v := &u.voice
	defer func() { v.about = nil }()
	if u.s.Between() || u.staff != staffOff {
		if v.on || v.curtain || v.set != (speech.Settings{}) {
			u.voiceReset()
			u.Refresh() // drawn without the focus ring and curtain
		}
		return
	}
	if u.o.Speaker == nil {
		return
	}
	if !v.on && u.o.VoiceForAll && v.view == "" {
		u.voiceOn()
		u.Refresh()
		return
	}
	if !v.on {
		return
	}
	items := u.focusItems()
	var parts []string
	parts = append(parts, v.lead...)
	msg := u.problem(u.s.Problem())
	if msg == "" {
		msg = u.problem(u.s.Notice())
	}
	if msg == "" {
		msg, _ = u.withPlan("", false) // what the plan says at this step: read, filled in, or why not
	}
	if msg != "" && (msg != v.problem || v.keyed) {
		parts = append(parts, msg)
	}
	v.problem = msg
	view := u.viewKey()
	fresh := view != v.view
	if fresh {
		v.view = view
		if !v.stay {
			v.focus = u.firstFocus(items)
		}
		parts = append(parts, u.intro())
	}
	v.focus = max(0, min(v.focus, len(items)-1))
	if (fresh || v.keyed) && len(items) > 0 {
		parts = append(parts, u.describe(items[v.focus]))
	}
	v.lead, v.keyed, v.stay = nil, false, false
	if len(parts) > 0 {
		u.say(strings.Join(parts, " "))
	}
	if v.ring != nil && len(items) > 0 {
		b := items[v.focus]
		v.ring.around(b, v.at[b], u.win.Canvas().Size())
	}
}

// viewKey names what is shown: a change is a new view to introduce.
func (u *UI) viewKey() string {
	_, idx := u.s.Pool()
	return strings.Join([]string{u.s.Step().String(), u.s.Lang(), strconv.Itoa(idx), strconv.Itoa(u.page), u.detail,
		strconv.FormatBool(u.searching), strconv.FormatBool(u.picking), strconv.FormatBool(u.confirming != nil),
		strconv.FormatBool(u.idle.Warning), string(u.category), string(u.s.Method())}, "|")
}

// firstFocus is where focus starts on a new view: the first project, or
// the first button under the header.
func (u *UI) firstFocus(items []*touchButton) int {
	inHead := map[*touchButton]bool{}
	walk(u.voice.head, func(o fyne.CanvasObject) {
		if b, ok := o.(*touchButton); ok {
			inHead[b] = true
		}
	})
	for i, b := range items {
		if _, ok := u.voice.about[b]; ok {
			return i
		}
	}
	for i, b := range items {
		if !inHead[b] {
			return i
		}
	}
	return 0
}

// describe is what the focused button is called aloud.
func (u *UI) describe(b *touchButton) string {
	if a, ok := u.voice.about[b]; ok {
		if u.voice.moved == "next" || u.voice.moved == "prev" {
			return a.short
		}
		return a.full
	}
	return u.spoken(b.Text)
}

// spoken is a label as words: marks and symbols said or left out.
func (u *UI) spoken(s string) string {
	r := strings.NewReplacer("☐", u.t("voice.unchecked")+":", "☑", u.t("voice.checked")+":", "✓", "", "⌫", "",
		"🔍", "", "▾", "", "A+", "", "◐", u.t("ui.contrast"), "◀", u.t("ui.page_prev"), "▶", u.t("ui.page_next"),
		"🎧", "", "➜", "", "⚠", "", "\n", " ")
	return strings.Join(strings.Fields(r.Replace(s)), " ")
}

// aboutChoice marks a project's button: said with the project's number,
// title and cost when focus comes to its line, briefly within it.
func (u *UI) aboutChoice(b *touchButton, p election.Project, selected bool) *touchButton {
	if u.voice.about == nil {
		u.voice.about = map[*touchButton]about{}
	}
	label := u.spoken(b.Text)
	if pts, err := strconv.Atoi(strings.Fields(b.Text + " x")[0]); err == nil {
		label = u.spokenPoints(pts)
	}
	if selected {
		label += ", " + u.t("voice.selected")
	}
	u.voice.about[b] = about{full: u.spokenProject(p) + " " + label + ".", short: label + "."}
	return b
}

// spokenProject is a project's number, title and cost, in words espeak-ng reads well.
func (u *UI) spokenProject(p election.Project) string {
	return u.t("voice.project", "number", p.Number, "title", u.inLang(p.Title), "cost", spokenZloty(u.s.Lang(), p.Cost))
}

// spokenZloty is an amount in whole złoty as espeak-ng reads it right:
// digits without separators, which its Polish and English voices say as
// numbers; its Ukrainian voice says 1200000 as "one thousand two hundred
// thousand", so there millions and thousands are words.
func spokenZloty(lang string, grosze int64) string {
	z := grosze / 100
	if lang != "uk" || z < 1000 {
		return strconv.FormatInt(z, 10)
	}
	plural := func(n int64, one, few, many string) string {
		switch {
		case n%10 == 1 && n%100 != 11:
			return one
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return few
		}
		return many
	}
	var parts []string
	if m := z / 1_000_000; m > 0 {
		parts = append(parts, strconv.FormatInt(m, 10)+" "+plural(m, "мільйон", "мільйони", "мільйонів"))
	}
	if k := z / 1000 % 1000; k > 0 {
		parts = append(parts, strconv.FormatInt(k, 10)+" "+plural(k, "тисяча", "тисячі", "тисяч"))
	}
	if r := z % 1000; r > 0 {
		parts = append(parts, strconv.FormatInt(r, 10))
	}
	return strings.Join(parts, " ")
}

func (u *UI) spokenPoints(n int) string {
	switch {
	case n == 1:
		return u.t("voice.points_1")
	case n >= 2 && n <= 4:
		return u.t("voice.points_few", "points", n)
	}
	return u.t("voice.points_many", "points", n)
}

// intro says where the resident is and what they can do.
func (u *UI) intro() string {
	var parts []string
	if n, of := u.s.Progress(); n > 0 {
		parts = append(parts, u.t("ui.step", "step", n, "steps", of)+".")
	}
	switch {
	case u.idle.Warning || u.confirming != nil:
		return u.modalTexts()
	case u.s.Step() == session.Identity:
		if u.s.Method() == election.ByCode {
			parts = append(parts, u.t("voice.identity_code"))
		} else {
			parts = append(parts, u.t("voice.identity"))
		}
	case u.s.Step() == session.Choose:
		parts = append(parts, u.chooseIntro())
	case u.s.Step() == session.Review:
		parts = append(parts, u.reviewIntro())
	case u.s.Step() == session.Done:
		parts = append(parts, u.doneIntro())
	default:
		parts = append(parts, u.screenTexts())
	}
	return strings.Join(parts, " ")
}

// screenTexts are the texts of the screen shown, without the header's.
func (u *UI) screenTexts() string {
	f, ok := u.win.Canvas().Content().(*frame)
	if !ok {
		return ""
	}
	skip := map[fyne.CanvasObject]bool{}
	walk(u.voice.head, func(o fyne.CanvasObject) { skip[o] = true })
	var parts []string
	walk(f.Root(), func(o fyne.CanvasObject) {
		if skip[o] {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			if t := strings.TrimSpace(x.Text); t != "" {
				parts = append(parts, sentence(u.spoken(t)))
			}
		case *canvas.Text:
			if t := strings.TrimSpace(x.Text); t != "" {
				parts = append(parts, sentence(u.spoken(t)))
			}
		}
	})
	return strings.Join(parts, " ")
}

// modalTexts are the texts of the card over the screen.
func (u *UI) modalTexts() string {
	f, ok := u.win.Canvas().Content().(*frame)
	if !ok {
		return ""
	}
	var parts []string
	walk(f.Root(), func(o fyne.CanvasObject) {
		if m, ok := o.(*modalCard); ok {
			walk(m, func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && strings.TrimSpace(l.Text) != "" {
					parts = append(parts, sentence(u.spoken(l.Text)))
				}
			})
		}
	})
	return strings.Join(parts, " ")
}

// sentence ends s with a full stop, so espeak-ng pauses.
func sentence(s string) string {
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?:…") {
		return s
	}
	return s + "."
}

func (u *UI) chooseIntro() string {
	pool, _ := u.s.Pool()
	switch {
	case u.searching:
		return u.t("voice.search", "query", u.query)
	case u.picking:
		return u.t("voice.categories")
	case u.detail != "":
		p := u.s.Edition().Project(u.detail)
		if p == nil {
			return ""
		}
		s := u.spokenProject(*p) + " " + sentence(u.inLang(p.Summary))
		if loc := u.inLang(p.Location); loc != "" {
			s += " " + sentence(u.t("ui.location", "location", loc))
		}
		return s + " " + u.t("voice.detail_close")
	}
	rule := u.s.Rule(pool)
	var help string
	switch rule.Kind {
	case election.Points:
		help = u.t("ui.points_help")
		if need, free := u.s.Remaining(pool); need > 0 {
			help += " " + sentence(u.t("ui.still_to_give", "points", joinInts(free)))
		} else {
			help += " " + sentence(u.t("ui.pool_complete"))
		}
	case election.Approval:
		help = u.t("ui.approval_help", "min", rule.Min, "max", rule.Max) + " " + sentence(u.t("ui.chosen_of", "n", len(u.s.Choices(pool.ID)), "max", rule.Max))
	case election.Knapsack:
		help = u.t("ui.knapsack_help", "budget", spokenZloty(u.s.Lang(), pool.Budget))
	}
	return sentence(pool.Name.In(u.s.Lang())) + " " + sentence(help) + " " +
		u.t("voice.list", "page", u.page+1, "pages", max(1, u.pages), "n", u.pageSize)
}

func (u *UI) reviewIntro() string {
	parts := []string{u.t("voice.review")}
	for _, pool := range u.s.Pools() {
		line := []string{pool.Name.In(u.s.Lang()) + ":"}
		choices := u.s.Choices(pool.ID)
		for _, c := range choices {
			p := u.s.Edition().Project(c.Project)
			if p == nil {
				continue
			}
			item := u.t("voice.project_short", "number", p.Number, "title", u.inLang(p.Title))
			if c.Points > 0 {
				item = u.spokenPoints(c.Points) + ", " + item
			}
			line = append(line, sentence(item))
		}
		if len(choices) == 0 {
			line = append(line, u.t("voice.nothing"))
		}
		parts = append(parts, strings.Join(line, " "))
	}
	return strings.Join(append(parts, sentence(u.t("ui.review_help")), u.t("voice.review_keys")), " ")
}

func (u *UI) doneIntro() string {
	sealed, _ := u.s.Sealed()
	parts := []string{u.t("ui.thanks")}
	if key := u.s.PrintProblem(); key != "" {
		parts = append(parts, sentence(u.t(key)), u.t("ui.no_receipt"))
	} else {
		parts = append(parts, u.t("ui.take_receipt"))
	}
	return strings.Join(append(parts, u.t("voice.tracker", "tracker", spell(sealed.Tracker))), " ")
}

// spell separates a code's characters, so each is said alone.
func spell(code string) string {
	var out []string
	for _, r := range code {
		if r == '-' || r == ' ' {
			out = append(out, ",")
			continue
		}
		out = append(out, string(r))
	}
	return strings.ReplaceAll(strings.Join(out, " "), " ,", ",")
}
