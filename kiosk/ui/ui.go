// Package ui is the kiosk's Fyne interface: thin screens over
// kiosk/session (the resident) and kiosk/station (staff), with large touch
// targets, paging instead of scrolling, on-screen keypads, three languages
// switchable at every step, and large-text and high-contrast themes.
package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/urna-kiosk/urna/assets"
	kl "github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/speech"
	"github.com/urna-kiosk/urna/kiosk/station"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Options are the UI's dependencies.
type Options struct {
	Session    *session.Session
	Station    *station.Station
	Staff      *session.Staff // the venue's staff PIN
	Technician *session.Staff // the technician's PIN, to leave the kiosk
	Messages   assets.Messages
	Clock      func() time.Time
	// OnExit leaves the kiosk for the desktop (technician only).
	OnExit func()
	// StaffIdle locks staff mode after this long without a touch (StaffIdle).
	StaffIdle time.Duration
	// Civic is the central's proposal desk (phase.go); nil: the proposal
	// screens say the central cannot be reached.
	Civic CivicDesk
	// Results returns the latest signed results the kiosk holds (nil:
	// none), for the results phase's screen (results.go).
	Results func() *wire.ResultsFile
	// Built returns the latest signed implementation records the kiosk
	// holds (nil: none), for the promotion phase's screen (results.go).
	Built func() *wire.SignedBuilt
	// Evaluate counts an answer to "how easy was it to vote?" (1–5) asked
	// after a ballot; nil: not asked (the default; evaluation.go).
	Evaluate func(score int)
	// Speaker says the voice guide's prompts (nil: the kiosk has no voice
	// guide); VoiceSettings are the rate and volume every resident starts
	// with; VoiceForAll starts every resident with the guide on.
	Speaker       speech.Speaker
	VoiceSettings speech.Settings
	VoiceForAll   bool
	// ScanPrefix is what the barcode scanner sends before a code
	// (input.DefaultPrefix when empty).
	ScanPrefix string
}

// staff-mode screens
const (
	staffOff = iota
	staffPIN
	staffMenu
	staffExitPIN
)

// UI is the kiosk's window content.
type UI struct {
	o   Options
	s   *session.Session
	app fyne.App
	win fyne.Window

	// the theme in use: the resident's text size and contrast, fitted to
	// the screen
	applied *kioskTheme
	// the screen shown (its reset runs when it is left)
	shown screen

	// the project browser
	category  election.Category
	query     string
	searching bool
	picking   bool // choosing a category
	page      int
	pageSize  int // projects the page shown holds, computed from the room
	pages     int // pages of the list shown
	detail    string
	poolSeen  int
	keys      keyLayout // the search keyboard's layout, when the resident switched it

	// a question over the screen (cancel voting?), nil if none
	confirming *confirmation

	// staff mode
	staff    int
	pin      []byte
	staffMsg string
	alert    bool
	// staffID is who signed in to staff mode; report the last opening or
	// closing report, shown on screen; posterLang the posters' language.
	staffID    string
	report     *kl.Report
	posterLang string
	hot        *hotCorner
	lastTouch  time.Time // the last touch of anyone, resident or staff

	// a newer catalog's edition JSON, waiting for no resident to be voting
	catalog []byte
	// the kiosk was found revoked and voting paused for it
	revoked bool

	idle session.Idle

	// the stages before the vote (phase.go, proposal.go): the signed
	// timeline's edition, other screens' attract buttons, the resident's
	// proposal, status check or protest in progress
	year    *election.Edition
	actions map[election.Action]func()
	civic   civicState

	eval evaluation // the question after a ballot (evaluation.go)
	// voice is the resident's voice guide and key focus (voice.go)
	voice voiceState
	// the resident's prepared ballot and the barcode scanner (plan.go)
	plan prepared
	// Taps counts the resident's and staff's touches (for the tap-count report).
	Taps int
}

// New builds the UI in win.
func New(app fyne.App, win fyne.Window, o Options) *UI {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	u := &UI{o: o, s: o.Session, app: app, win: win, poolSeen: -1}
	win.SetPadded(false)
	u.useTheme(win.Canvas().Size())
	u.listenKeys()
	u.listenScanner()
	u.Refresh()
	return u
}

// t translates into the resident's language.
func (u *UI) t(key string, args ...any) string { return u.o.Messages.T(u.s.Lang(), key, args...) }

// problem translates a problem key with its arguments.
func (u *UI) problem(key string, args map[string]any) string {
	if key == "" {
		return ""
	}
	var flat []any
	for k, v := range args {
		flat = append(flat, k, v)
	}
	return u.t(key, flat...)
}

// act runs a touch's effect and redraws.
func (u *UI) act(f func()) func() {
	return func() {
		u.Taps++
		u.lastTouch = u.o.Clock()
		if !u.s.Between() {
			u.s.StillHere() // every tap is the resident still here, a key on a keyboard too
		}
		f()
		u.Refresh()
	}
}

// Run ticks the idle timeout once a second until ctx ends.
func (u *UI) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fyne.Do(u.Tick)
		}
	}
}

// OfferCatalog takes a newer catalog's edition JSON from the sync agent
// (call it on the UI goroutine). It takes effect when no resident is
// voting and staff mode is closed: the next resident sees it, and a
// resident mid-way finishes with the catalog they began with.
func (u *UI) OfferCatalog(editionJSON []byte) {
	u.catalog = editionJSON
	if u.applyCatalog() {
		u.Refresh()
	}
}

// pauseIfRevoked pauses voting, between residents, once the central says
// the city office revoked this kiosk: its ballots would not count.
func (u *UI) pauseIfRevoked() bool {
	r := u.o.Station.Revoked
	if u.revoked || r == nil || !r() || !u.s.Between() || u.s.Step() == session.Paused {
		return false
	}
	u.revoked = true
	u.o.Station.Pause(true)
	u.s.SetPaused(true)
	return true
}

// applyCatalog switches to the waiting catalog if nobody is voting.
func (u *UI) applyCatalog() bool {
	if u.catalog == nil || u.staff != staffOff || !u.s.Between() {
		return false
	}
	raw := u.catalog
	u.catalog = nil
	if err := u.o.Station.UseCatalog(raw); err != nil {
		if !errors.Is(err, station.ErrNotNewer) {
			u.o.Station.Log.Warn("catalog-not-used", "err", err)
		}
		return false
	}
	u.s.UseEdition(u.o.Station.Edition, u.o.Station.Venue)
	u.resetBrowser()
	return true
}

// Tick checks the idle timeout (and whether voting opened or closed), and
// puts a waiting catalog into use.
func (u *UI) Tick() {
	before, wasWarning := u.s.Step(), u.idle.Warning
	if u.staff != staffOff {
		u.staffTick()
		return
	}
	if u.applyCatalog() || u.pauseIfRevoked() || u.civicTick() {
		u.Refresh()
	}
	u.voiceKeepsAwake()
	u.idle = u.s.Tick()
	if u.s.Step() != before || u.idle.Warning || wasWarning || u.evaluationTick() {
		u.Refresh()
	}
}

func (u *UI) resetBrowser() {
	u.category, u.query, u.searching, u.picking, u.page, u.detail, u.poolSeen, u.keys = "", "", false, false, 0, "", -1, keyLayout{}
}

// current is the screen to show.
func (u *UI) current() screen {
	if n := u.staffName(); n != "" {
		return screen{name: n, build: func(fyne.Size) fyne.CanvasObject { return u.staffBody() }}
	}
	if n := u.evaluationName(); n != "" {
		return screen{name: n, build: u.evaluationScreen}
	}
	if s, ok := u.planScreen(); ok {
		return s
	}
	if n := u.admissionName(); n != "" {
		return screen{name: n, build: func(fyne.Size) fyne.CanvasObject { return u.admissionScreen() }}
	}
	return u.residentScreen()
}

// Refresh redraws the current screen, built for the window's size.
func (u *UI) Refresh() {
	u.applyPlan()
	next := u.current()
	if next.name != u.shown.name {
		if u.shown.reset != nil {
			u.shown.reset()
		}
		u.confirming = nil
	}
	if u.s.Between() || u.s.Step() == session.Done {
		u.idle, u.confirming = session.Idle{}, nil
	}
	u.shown = next
	f := newFrame(screen{name: next.name, reset: next.reset, build: u.compose(next)})
	u.win.SetContent(f)
	u.takeKeys(f)
	u.afterShow()
}

// compose puts a screen under the header, with the modal card over both.
func (u *UI) compose(s screen) func(area fyne.Size) fyne.CanvasObject {
	return func(area fyne.Size) fyne.CanvasObject {
		u.useTheme(area)
		head := u.header(area.Width)
		pad := theme.Padding()
		body := fyne.NewSize(area.Width-2*pad, area.Height-head.MinSize().Height-3*pad)
		content := container.NewBorder(head, nil, nil, nil, container.NewPadded(s.build(body)))
		if m := u.modal(area); m != nil {
			return u.voiceLayers(head, content, m)
		}
		return u.voiceLayers(head, content)
	}
}

// useTheme sets the theme for the resident's settings and the screen, if
// it changed.
func (u *UI) useTheme(area fyne.Size) {
	large, contrast := u.s.Large(), u.s.Contrast()
	if u.staff != staffOff {
		large, contrast = false, false // staff mode is the staff's, not the resident's
	}
	t := newTheme(large, contrast, area)
	if u.applied != nil && *u.applied == *t {
		return
	}
	u.applied = t
	u.app.Settings().SetTheme(t)
}

// confirmation is a question over the screen.
type confirmation struct {
	title, text, yes, no string
	onYes                func()
}

// modal is the card over the screen: the idle warning, or a question.
func (u *UI) modal(area fyne.Size) fyne.CanvasObject {
	width := min(area.Width*0.8, 900)
	switch {
	case u.staff != staffOff:
		return nil
	case u.idle.Warning:
		return newModal(u.idleCard(width), width)
	case u.confirming != nil:
		c := u.confirming
		return newModal(container.NewVBox(headingIn(c.title, width), paraIn(c.text, width),
			primary(c.no, u.act(func() { u.confirming = nil })),
			newButton(c.yes, u.act(func() { u.confirming = nil; c.onYes() }))), width)
	}
	return nil
}

// Screen names the screen shown, for tests and the automation file.
func (u *UI) Screen() string { return u.current().name }

// SetAccessibility switches the resident's large-text and high-contrast
// themes (until the next resident).
func (u *UI) SetAccessibility(large, contrast bool) {
	u.s.SetAccessibility(large, contrast)
	u.Refresh()
}

var langNames = map[string]string{"pl": "Polski", "en": "English", "uk": "Українська"}

func (u *UI) header(width float32) fyne.CanvasObject {
	// the fullest header that fits: then short text-size and contrast
	// buttons, then language codes
	var head fyne.CanvasObject
	for short := range 3 {
		head = u.headerRow(short)
		if head.MinSize().Width <= width {
			break
		}
	}
	return head
}

func (u *UI) headerRow(short int) fyne.CanvasObject {
	left := []fyne.CanvasObject{u.corner()}
	for _, l := range assets.Languages {
		name := langNames[l]
		if short >= 2 {
			name = strings.ToUpper(l)
		}
		b := newButton(name, u.act(func() {
			u.s.SetLang(l)
			u.voice.stay = u.voice.on // the focus stays on the language, not in the page
		}))
		if l == u.s.Lang() {
			b.Importance = widget.HighImportance
		}
		left = append(left, b)
	}
	lg, ct := u.s.Large(), u.s.Contrast()
	largeText, contrastText := "A+ "+u.t("ui.large_text"), "◐ "+u.t("ui.contrast")
	if short >= 1 {
		largeText, contrastText = u.t("ui.large_short"), "◐"
	}
	large := newButton(largeText, func() { u.Taps++; u.SetAccessibility(!lg, ct) })
	contrast := newButton(contrastText, func() { u.Taps++; u.SetAccessibility(lg, !ct) })
	if lg {
		large.Importance = widget.HighImportance
	}
	if ct {
		contrast.Importance = widget.HighImportance
	}
	var step fyne.CanvasObject = layoutSpacer()
	if n, of := u.s.Progress(); n > 0 && u.staff == staffOff {
		l := widget.NewLabel(u.t("ui.step", "step", n, "steps", of))
		l.TextStyle.Bold = true
		step = container.NewCenter(l)
	}
	// the step in the middle, the text and contrast buttons at the right
	return container.NewBorder(nil, nil, container.NewHBox(left...), container.NewHBox(large, contrast), step)
}

func (u *UI) idleCard(width float32) fyne.CanvasObject {
	secs := int(u.idle.Remaining.Round(time.Second) / time.Second)
	return container.NewVBox(
		headingIn(u.t("ui.idle_title"), width),
		paraIn(u.t("ui.idle_text", "seconds", secs), width),
		primary(u.t("ui.still_here"), u.act(func() { u.s.StillHere(); u.idle = session.Idle{} })),
	)
}

// fmtDuration is whole minutes, rounded up.
func fmtDuration(d time.Duration) string { return fmt.Sprint(int((d + time.Minute - 1) / time.Minute)) }
