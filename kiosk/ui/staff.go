package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/urna-kiosk/urna/assets"
	kl "github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/station"
	"github.com/urna-kiosk/urna/sync/election"
)

// More staff-mode screens (the first ones are in ui.go).
const (
	staffActivatePIN = iota + 100 // a staff member unlocks one ballot
	staffPosters                  // posters: format, language, where to
)

// StaffIdle is how long staff mode stays open without a touch (60 s) when
// Options.StaffIdle is not set.
const StaffIdle = 60 * time.Second

// wide reports a landscape window: staff screens then lay out side by side,
// so that they fit down to a 1024×600 panel.
func (u *UI) wide() bool {
	sz := u.win.Canvas().Size()
	return sz.Width > sz.Height
}

// staffName names the staff screen shown, "" when staff mode is closed.
func (u *UI) staffName() string {
	switch u.staff {
	case staffPIN, staffExitPIN, staffActivatePIN:
		return "staff-pin"
	case staffMenu:
		if u.report != nil {
			return "staff-report"
		}
		return "staff-menu"
	case staffPosters:
		return "staff-posters"
	}
	return ""
}

// staffBody is the staff screen shown.
func (u *UI) staffBody() fyne.CanvasObject {
	switch u.staff {
	case staffMenu:
		return u.staffScreen()
	case staffPosters:
		return u.postersScreen()
	}
	return u.pinScreen()
}

// lockStaff closes staff mode (idle, or leaving it): the next entry asks
// for a PIN again, and a half-typed PIN is wiped.
func (u *UI) lockStaff(why string) {
	if u.staff == staffOff {
		return
	}
	for i := range u.pin {
		u.pin[i] = 0
	}
	u.staff, u.pin, u.staffMsg, u.staffID, u.report = staffOff, nil, "", "", nil
	u.o.Station.Queue.Log(queue.Event{Name: queue.EventStaffLockedOut, OK: true, Detail: why})
	u.o.Station.Log.Info(string(queue.EventStaffLockedOut), "why", why)
	u.s.Refresh()
}

// staffTick locks staff mode once nobody touched it for the idle time.
func (u *UI) staffTick() {
	idle := u.o.StaffIdle
	if idle <= 0 {
		idle = StaffIdle
	}
	if u.staff != staffOff && u.o.Clock().Sub(u.lastTouch) >= idle {
		u.lockStaff("idle")
		u.Refresh()
	}
}

// openStaff starts staff mode at its PIN screen (mode: staffPIN or staffActivatePIN).
func (u *UI) openStaff(mode int) {
	u.Taps++
	u.lastTouch = u.o.Clock()
	u.staff, u.pin, u.staffMsg = mode, nil, ""
	u.Refresh()
}

// corner is the staff corner, made once so a press survives redraws.
func (u *UI) corner() *hotCorner {
	if u.hot == nil {
		u.hot = newHotCorner(u.o.Clock, func() { u.openStaff(staffPIN) })
	}
	return u.hot
}

// pinScreen asks for a staff PIN (or the technician's, to leave).
func (u *UI) pinScreen() fyne.CanvasObject {
	title := u.t("staff.pin")
	check := u.o.Staff
	switch u.staff {
	case staffExitPIN:
		title, check = u.t("staff.exit_pin"), u.o.Technician
	case staffActivatePIN:
		title = u.t("staff.activate_pin")
	}
	submit := u.act(func() {
		if len(u.pin) == 0 {
			return // an empty PIN is no try: it costs none of the five
		}
		id, err := check.Who(string(u.pin))
		for i := range u.pin {
			u.pin[i] = 0
		}
		u.pin = nil
		switch {
		case err == nil && u.staff == staffExitPIN:
			if u.o.OnExit != nil {
				u.o.OnExit()
			}
			u.staff = staffMenu
		case err == nil && u.staff == staffActivatePIN:
			u.activate(id)
		case err == nil:
			u.staff, u.staffMsg, u.staffID = staffMenu, "", id
			u.o.Station.Queue.Log(queue.Event{Name: queue.EventStaffLogin, OK: true, Detail: id})
		case errors.Is(err, session.ErrLocked):
			u.staffMsg = u.t("staff.locked", "minutes", fmtDuration(check.LockedFor()))
			u.o.Station.Queue.Log(queue.Event{Name: queue.EventStaffLocked})
		default:
			u.staffMsg = u.t("staff.wrong_pin_left", "tries", check.TriesLeft())
			u.o.Station.Queue.Log(queue.Event{Name: queue.EventStaffLogin})
		}
	})
	if check.LockedFor() > 0 && u.staffMsg == "" {
		u.staffMsg = u.t("staff.locked", "minutes", fmtDuration(check.LockedFor()))
	}
	shown := widget.NewLabel(strings.Repeat("•", len(u.pin)) + " ")
	shown.TextStyle.Bold = true
	pad := keypad(func(r rune) {
		u.act(func() {
			if len(u.pin) < 12 {
				u.pin = append(u.pin, byte(r))
			}
		})()
	}, u.act(func() {
		if len(u.pin) > 0 {
			u.pin[len(u.pin)-1] = 0
			u.pin = u.pin[:len(u.pin)-1]
		}
	}), u.act(func() { u.pin = nil }), u.t("ui.back"), u.t("ui.clear"))
	cancel := newButton(u.t("ui.cancel"), u.act(func() {
		if u.staff == staffExitPIN {
			u.staff = staffMenu
		} else {
			u.staff = staffOff
		}
		u.pin, u.staffMsg = nil, ""
	}))
	top := container.NewVBox(heading(title), shown, problemLabel(u.staffMsg))
	nav := u.nav(cancel, primary(u.t("ui.ok"), submit))
	if u.wide() {
		return container.NewBorder(nil, nav, nil, nil, container.NewGridWithColumns(2, top, pad))
	}
	return container.NewBorder(top, nav, nil, nil, pad)
}

// activate unlocks one ballot by staff member id and hands the kiosk to the
// resident, at the start of their ballot.
func (u *UI) activate(id string) {
	if err := u.o.Station.Activate(id); err != nil {
		u.staffMsg = u.staffError(err)
		return
	}
	u.staff, u.staffMsg, u.staffID, u.report = staffOff, "", "", nil
	u.resetBrowser()
	u.s.Start()
}

// staffError is the sentence staff see for a failure: never a Go error string.
func (u *UI) staffError(err error) string {
	var p election.Problem
	var due *station.ErrReportDue
	switch {
	case errors.As(err, &due):
		return u.t("staff.report_due", "reason", u.t(printer.ErrorKey(due.Err)))
	case errors.As(err, &p):
		return "⚠ " + u.t(p.Key)
	case errors.Is(err, station.ErrNoUSB):
		return "⚠ " + u.t("staff.no_usb")
	case errors.Is(err, station.ErrOfficePrinter):
		return "⚠ " + u.t("staff.office_failed")
	case errors.Is(err, station.ErrCountsDisagree):
		return "⚠ " + u.t("staff.counts_disagree")
	}
	if k := printer.ErrorKey(err); k != "printer.error" {
		return "⚠ " + u.t(k)
	}
	u.o.Station.Log.Warn("staff-action-failed", "err", err)
	return "⚠ " + u.t("staff.failed")
}

// staffScreen is staff mode's menu, or the report just made.
func (u *UI) staffScreen() fyne.CanvasObject {
	if u.report != nil {
		return u.reportScreen(*u.report)
	}
	st, lang := u.o.Station, u.s.Lang()
	do := func(f func(ctx context.Context) error) func() {
		return u.act(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			u.report = nil
			if err := f(ctx); err != nil {
				u.staffMsg = u.staffError(err)
				return
			}
			u.staffMsg = u.t("staff.done")
		})
	}
	polls := func(f func(context.Context, string) (kl.Report, error)) func() {
		return u.act(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r, err := f(ctx, lang)
			u.report = nil
			if due := new(*station.ErrReportDue); err == nil || errors.As(err, due) {
				u.report = &r
			}
			if err != nil {
				u.staffMsg = u.staffError(err)
				return
			}
			u.staffMsg = u.t("staff.done")
		})
	}
	paused := u.s.Step() == session.Paused
	pause := newButton(u.t("staff.pause"), u.act(func() { st.Pause(true); u.s.SetPaused(true); u.staffMsg = u.t("staff.done") }))
	if paused {
		pause = newButton(u.t("staff.resume"), u.act(func() { st.Pause(false); u.s.SetPaused(false); u.staffMsg = u.t("staff.done") }))
	}
	items := []fyne.CanvasObject{heading(u.t("staff.title"))}
	if u.alert {
		items = append(items, problemLabel(u.t("staff.alert_receipt")))
	}
	ss, syncErr := st.Sync()
	if syncErr == nil && ss.Revoked {
		items = append(items, problemLabel(u.t("staff.revoked")))
	}
	point := u.t("staff.point_closed")
	if st.Opened() {
		point = u.t("staff.point_open")
	}
	if n := st.ReportsDue(); n > 0 {
		point += " " + u.t("staff.reports_due", "n", n)
	}
	open := primary(u.t("staff.open"), polls(st.OpenPolls))
	closing := newButton(u.t("staff.close"), u.closeOrWait(polls(st.ClosePolls)))
	if st.Opened() {
		open.Importance = widget.MediumImportance // done for today
		open.Disable()
	} else {
		closing.Disable()
	}
	buttons := []fyne.CanvasObject{
		open,
		closing,
		pause,
		newButton(u.t("staff.printer"), u.act(u.printerStatus)),
		newButton(u.t("staff.test_page"), do(func(ctx context.Context) error { return st.PrintTestPage(ctx, lang) })),
		newButton(u.t("staff.posters"), u.act(func() { u.staff, u.staffMsg = staffPosters, "" })),
	}
	if st.StaffActivation() && st.Opened() && u.s.Between() && !paused {
		id := u.staffID
		buttons = append(buttons, primary(u.t("staff.activate"), u.act(func() { u.activate(id) })))
	}
	state := []fyne.CanvasObject{para(point)}
	if syncErr == nil {
		last := u.t("staff.never")
		if !ss.LastSync.IsZero() {
			last = ss.LastSync.In(u.s.Edition().Location()).Format("02.01 15:04")
		}
		state = append(state, para(u.t("staff.sync", "pending", ss.Pending, "last", last)))
	}
	state = append(state, para(u.staffMsg))
	grid := container.NewGridWithColumns(2, buttons...)
	exit := newButton(u.t("staff.exit"), u.act(func() { u.staff, u.pin, u.staffMsg = staffExitPIN, nil, "" }))
	back := primary(u.t("staff.back"), u.act(func() { u.alert = false; u.lockStaff("left") }))
	nav := container.NewGridWithColumns(2, exit, back)
	if u.wide() {
		items = items[1:] // the title gives its room to the state below
	}
	items = append(items, grid)
	if u.wide() {
		// A landscape panel may be as low as 600 px: the state and the
		// report (text only, nothing to tap) scroll in what is left.
		return container.NewBorder(container.NewVBox(items...), nav, nil, nil, container.NewVScroll(container.NewVBox(state...)))
	}
	items = append(items, state...)
	items = append(items, layout.NewSpacer())
	return container.NewBorder(nil, nav, nil, nil, container.NewVBox(items...))
}

// closeOrWait closes the point only between residents: a resident voting
// now would lose their ballot to the closing.
func (u *UI) closeOrWait(close func()) func() {
	return func() {
		if !u.s.Between() {
			u.act(func() { u.staffMsg = "⚠ " + u.t("staff.resident_voting") })()
			return
		}
		close()
	}
}

// reportScreen shows the opening or closing report just made: what the
// printed one says, and whether it printed or waits for paper.
func (u *UI) reportScreen(r kl.Report) fyne.CanvasObject {
	title := u.t("report.opening")
	since := u.t("report.since_closing")
	if r.Closing {
		title, since = u.t("report.closing"), u.t("report.since_opening")
	}
	head := r.Head
	if head == "" {
		head = strings.Repeat("0", 64)
	}
	lines := []string{
		fmt.Sprintf("%s: %d", since, r.Since),
		fmt.Sprintf("%s: %d", u.t("report.total"), r.Total),
		fmt.Sprintf("%s: %d", u.t("report.last_seq"), r.LastSeq),
		fmt.Sprintf("%s: %s…", u.t("report.chain_head"), head[:16]),
	}
	point := u.t("staff.point_closed")
	if u.o.Station.Opened() {
		point = u.t("staff.point_open")
	}
	body := container.NewVBox(heading(title), para(strings.Join(lines, "\n")), para(u.staffMsg), para(point), layout.NewSpacer())
	ok := primary(u.t("ui.ok"), u.act(func() { u.report, u.staffMsg = nil, "" }))
	return container.NewBorder(nil, ok, nil, nil, body)
}

// printerStatus says what state the printer is in and what to do about it.
func (u *UI) printerStatus() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := u.o.Station.PrinterStatus(ctx)
	state := s.String()
	if err != nil {
		state = "unreachable"
	}
	u.staffMsg = u.t("staff.printer_state."+state) + "\n" + u.t("staff.printer_do."+state)
	if n := u.o.Station.ReportsDue(); n > 0 && (state == "ok" || state == "paper-near-end") {
		if err := u.o.Station.PrintReportsDue(ctx); err == nil && u.o.Station.ReportsDue() == 0 {
			u.staffMsg += "\n" + u.t("staff.reports_printed")
		}
	}
}

// postersScreen makes posters: in which language, and to where (the
// receipt printer, the venue's office printer, or a USB stick).
func (u *UI) postersScreen() fyne.CanvasObject {
	st := u.o.Station
	if u.posterLang == "" {
		u.posterLang = u.s.Lang()
	}
	lang := u.posterLang
	var langs []fyne.CanvasObject
	for _, l := range assets.Languages {
		b := newButton(langNames[l], u.act(func() { u.posterLang = l }))
		if l == lang {
			b.Importance = widget.HighImportance
		}
		langs = append(langs, b)
	}
	run := func(f func(ctx context.Context) (string, error)) func() {
		return u.act(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			msg, err := f(ctx)
			if err != nil {
				u.staffMsg = u.staffError(err)
				return
			}
			u.staffMsg = msg
		})
	}
	office := func(f poster.Format) func() {
		return run(func(ctx context.Context) (string, error) {
			if err := st.PrintPosterOffice(ctx, f, lang); err != nil {
				return "", err
			}
			return u.t("staff.sent_office"), nil
		})
	}
	usb := func(f poster.Format) func() {
		return run(func(context.Context) (string, error) {
			name, err := st.SavePosterUSB(f, lang)
			if err != nil {
				return "", err
			}
			return u.t("staff.saved_usb", "file", name), nil
		})
	}
	strip := run(func(ctx context.Context) (string, error) {
		return u.t("staff.done"), st.PrintPosterStrip(ctx, lang)
	})
	cols := 1
	var choose fyne.CanvasObject = container.NewVBox(para(u.t("staff.poster_lang")), container.NewGridWithColumns(3, langs...))
	if u.wide() { // two columns, and the language on one line, to fit 1024×600
		cols = 2
		label := widget.NewLabel(u.t("staff.poster_lang"))
		choose = container.NewBorder(nil, nil, label, nil, container.NewGridWithColumns(3, langs...))
	}
	items := []fyne.CanvasObject{
		heading(u.t("staff.posters")),
		choose,
		container.NewGridWithColumns(cols,
			newButton(u.t("staff.poster_strip"), strip),
			newButton(u.t("staff.office_poster"), office(poster.A4)),
			newButton(u.t("staff.office_flyer"), office(poster.Flyer)),
			newButton(u.t("staff.usb_poster"), usb(poster.A4)),
			newButton(u.t("staff.usb_flyer"), usb(poster.Flyer)),
		),
		para(u.staffMsg),
		layout.NewSpacer(),
	}
	back := primary(u.t("ui.back"), u.act(func() { u.staff, u.staffMsg = staffMenu, "" }))
	return container.NewBorder(nil, back, nil, nil, container.NewVBox(items...))
}
