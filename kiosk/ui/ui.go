// Package ui is the kiosk's Fyne interface: thin screens over
// kiosk/session (the resident) and kiosk/station (staff), with large touch
// targets, paging instead of scrolling, on-screen keypads, three languages
// switchable at every step, and large-text and high-contrast themes.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/urna-kiosk/urna/assets"
	kl "github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/station"
	"github.com/urna-kiosk/urna/sync/election"
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
	// PageSize is how many projects a page of the list shows (4).
	PageSize int
	// StaffIdle locks staff mode after this long without a touch (StaffIdle).
	StaffIdle time.Duration
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

	large, contrast bool

	// the project browser
	category  election.Category
	query     string
	searching bool
	page      int
	detail    string
	poolSeen  int

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
	// Taps counts the resident's and staff's touches (for the tap-count report).
	Taps int
}

// New builds the UI in win.
func New(app fyne.App, win fyne.Window, o Options) *UI {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.PageSize == 0 {
		o.PageSize = 4
	}
	u := &UI{o: o, s: o.Session, app: app, win: win, poolSeen: -1}
	app.Settings().SetTheme(newTheme(false, false))
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
	if u.applyCatalog() || u.pauseIfRevoked() {
		u.Refresh()
	}
	u.idle = u.s.Tick()
	if u.s.Step() != before || u.idle.Warning || wasWarning {
		if u.s.Step() != before {
			u.resetBrowser()
		}
		u.Refresh()
	}
}

func (u *UI) resetBrowser() {
	u.category, u.query, u.searching, u.page, u.detail, u.poolSeen = "", "", false, 0, "", -1
}

// Refresh redraws the current screen.
func (u *UI) Refresh() {
	var body fyne.CanvasObject
	switch {
	case u.staff != staffOff:
		body = u.staffBody()
	default:
		body = u.residentScreen()
	}
	content := container.NewBorder(u.header(), nil, nil, nil, container.NewPadded(body))
	if u.idle.Warning && u.staff == staffOff {
		content = container.NewStack(content, u.idleOverlay())
	}
	u.win.SetContent(content)
}

func (u *UI) residentScreen() fyne.CanvasObject {
	if w := u.admissionScreen(); w != nil {
		return w
	}
	switch u.s.Step() {
	case session.Closed:
		return u.closedScreen()
	case session.Paused:
		return u.pausedScreen()
	case session.Identity:
		return u.identityScreen()
	case session.Guardian:
		return u.guardianScreen()
	case session.District:
		return u.districtScreen()
	case session.Choose:
		return u.chooseScreen()
	case session.Review:
		return u.reviewScreen()
	case session.Done:
		return u.doneScreen()
	}
	return u.attractScreen()
}

// Screen names the screen shown, for tests and the automation file.
func (u *UI) Screen() string {
	if n := u.staffName(); n != "" {
		return n
	}
	if n := u.admissionName(); n != "" {
		return n
	}
	return u.s.Step().String()
}

// SetAccessibility switches the large-text and high-contrast themes.
func (u *UI) SetAccessibility(large, contrast bool) {
	u.large, u.contrast = large, contrast
	u.app.Settings().SetTheme(newTheme(large, contrast))
	u.Refresh()
}

var langNames = map[string]string{"pl": "Polski", "en": "English", "uk": "Українська"}

func (u *UI) header() fyne.CanvasObject {
	items := []fyne.CanvasObject{u.corner()}
	for _, l := range assets.Languages {
		b := newButton(langNames[l], u.act(func() { u.s.SetLang(l) }))
		if l == u.s.Lang() {
			b.Importance = 1 // widget.HighImportance
		}
		items = append(items, b)
	}
	large := newButton("A+ "+u.t("ui.large_text"), func() { u.Taps++; u.SetAccessibility(!u.large, u.contrast) })
	contrast := newButton("◐ "+u.t("ui.contrast"), func() { u.Taps++; u.SetAccessibility(u.large, !u.contrast) })
	if u.large {
		large.Importance = 1
	}
	if u.contrast {
		contrast.Importance = 1
	}
	items = append(items, layoutSpacer(), large, contrast)
	return container.NewHBox(items...)
}

func (u *UI) idleOverlay() fyne.CanvasObject {
	secs := int(u.idle.Remaining.Round(time.Second) / time.Second)
	card := container.NewVBox(
		heading(u.t("ui.idle_title")),
		para(u.t("ui.idle_text", "seconds", secs)),
		primary(u.t("ui.still_here"), u.act(func() { u.s.StillHere(); u.idle = session.Idle{} })),
	)
	return container.NewStack(shade(), container.NewCenter(panel(card)))
}

// fmtDuration is whole minutes, rounded up.
func fmtDuration(d time.Duration) string { return fmt.Sprint(int((d + time.Minute - 1) / time.Minute)) }
