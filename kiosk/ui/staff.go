package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/session"
)

// pinScreen asks for the staff PIN (or the technician's, to leave).
func (u *UI) pinScreen() fyne.CanvasObject {
	title := u.t("staff.pin")
	check := u.o.Staff
	if u.staff == staffExitPIN {
		title, check = u.t("staff.exit_pin"), u.o.Technician
	}
	submit := u.act(func() {
		err := check.Check(string(u.pin))
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
		case err == nil:
			u.staff, u.staffMsg = staffMenu, ""
		case errors.Is(err, session.ErrLocked):
			u.staffMsg = u.t("staff.locked", "minutes", fmtDuration(check.LockedFor()))
		default:
			u.staffMsg = u.t("staff.wrong_pin")
		}
	})
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
	return container.NewBorder(top, u.nav(cancel, primary(u.t("ui.ok"), submit)), nil, nil, pad)
}

// staffScreen is staff mode's menu.
func (u *UI) staffScreen() fyne.CanvasObject {
	st, lang := u.o.Station, u.s.Lang()
	do := func(f func(ctx context.Context) error) func() {
		return u.act(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := f(ctx); err != nil {
				u.staffMsg = "⚠ " + u.t(printer.ErrorKey(err))
				if !strings.HasPrefix(printer.ErrorKey(err), "printer.") || printer.ErrorKey(err) == "printer.error" {
					u.staffMsg = "⚠ " + err.Error()
				}
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
	writePDF := func(f poster.Format) func() {
		return u.act(func() {
			path, err := st.WritePoster(f, lang)
			if err != nil {
				u.staffMsg = "⚠ " + err.Error()
				return
			}
			u.staffMsg = u.t("staff.saved", "path", path)
		})
	}
	status := u.act(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s, err := st.PrinterStatus(ctx)
		switch {
		case err != nil:
			u.staffMsg = "⚠ " + u.t(printer.ErrorKey(err))
		case s.Ready() != nil:
			u.staffMsg = "⚠ " + u.t(printer.ErrorKey(s.Ready()))
		case s.PaperNearEnd:
			u.staffMsg = u.t("staff.paper_near_end")
		default:
			u.staffMsg = u.t("staff.printer_ok")
		}
	})
	sync := ""
	ss, syncErr := st.Sync()
	if syncErr == nil {
		last := u.t("staff.never")
		if !ss.LastSync.IsZero() {
			last = ss.LastSync.In(u.s.Edition().Location()).Format("02.01 15:04")
		}
		sync = u.t("staff.sync", "pending", ss.Pending, "last", last)
	}
	items := []fyne.CanvasObject{heading(u.t("staff.title"))}
	if u.alert {
		items = append(items, problemLabel(u.t("staff.alert_receipt")))
	}
	if syncErr == nil && ss.Revoked {
		items = append(items, problemLabel(u.t("staff.revoked")))
	}
	items = append(items,
		container.NewGridWithColumns(2,
			primary(u.t("staff.open"), do(func(ctx context.Context) error { return st.OpenPolls(ctx, lang) })),
			newButton(u.t("staff.close"), do(func(ctx context.Context) error { return st.ClosePolls(ctx, lang) })),
			pause,
			newButton(u.t("staff.printer"), status),
			newButton(u.t("staff.test_page"), do(func(ctx context.Context) error { return st.PrintTestPage(ctx, lang) })),
			newButton(u.t("staff.poster_strip"), do(func(ctx context.Context) error { return st.PrintPosterStrip(ctx, lang) })),
			newButton(u.t("staff.poster_pdf"), writePDF(poster.A4)),
			newButton(u.t("staff.flyer_pdf"), writePDF(poster.Flyer)),
		),
		para(sync),
		para(u.staffMsg),
		layout.NewSpacer(),
	)
	exit := newButton(u.t("staff.exit"), u.act(func() { u.staff, u.pin, u.staffMsg = staffExitPIN, nil, "" }))
	back := primary(u.t("staff.back"), u.act(func() { u.staff, u.staffMsg, u.alert = staffOff, "", false; u.s.Refresh() }))
	return container.NewBorder(nil, container.NewGridWithColumns(2, exit, back), nil, nil, container.NewVBox(items...))
}
