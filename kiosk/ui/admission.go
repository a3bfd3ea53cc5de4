package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/urna-kiosk/urna/kiosk/session"
)

// admissionName names the screen residents see before a ballot may begin:
// "not-open" until staff open the point for the day, "ask-staff" under
// staff activation until a staff member unlocks a ballot; "" otherwise.
func (u *UI) admissionName() string {
	if u.staff != staffOff || u.s.Step() != session.Attract || !u.votingNow() {
		return ""
	}
	switch st := u.o.Station; {
	case !st.Opened():
		return "not-open"
	case st.StaffActivation() && !st.Activated():
		return "ask-staff"
	}
	return ""
}

// admissionScreen is the not-open or ask-staff screen, or nil.
func (u *UI) admissionScreen() fyne.CanvasObject {
	var title, help, button string
	mode := staffPIN
	switch u.admissionName() {
	case "not-open":
		title, help, button = u.t("station.not_open"), u.t("ui.not_open_help"), u.t("ui.staff_open")
	case "ask-staff":
		title, help, button = u.t("station.ask_staff"), u.t("ui.ask_staff_help"), u.t("ui.staff_unlock")
		mode = staffActivatePIN
	default:
		return nil
	}
	h := heading(title)
	h.Alignment = fyne.TextAlignCenter
	p := para(help)
	p.Alignment = fyne.TextAlignCenter
	staff := newButton(button, func() { u.openStaff(mode) })
	return container.NewVBox(layout.NewSpacer(), h, p, container.NewCenter(staff), layout.NewSpacer())
}
