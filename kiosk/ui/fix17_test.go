package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/urna-kiosk/urna/kiosk/input"
	"github.com/urna-kiosk/urna/kiosk/speech"
	"github.com/urna-kiosk/urna/sync/election"
)

// unlockedVoiceRig is a kiosk under staff activation, with speech, and a
// ballot unlocked by staff: the identity screen.
func unlockedVoiceRig(t *testing.T) (*rig, *speech.Recorder) {
	r := newRigWith(t, portrait, election.StaffActivation, true)
	rec := &speech.Recorder{}
	r.u.o.Speaker = rec
	r.u.Refresh()
	r.want("ask-staff")
	r.tap("Obsługa: odblokuj kartę")
	r.keys("2468")
	r.tap("OK")
	r.want("identity")
	return r, rec
}

// curtained reports whether the privacy curtain is drawn on the screen.
func (r *rig) curtained() bool {
	return strings.Contains(r.text(), r.u.t("voice.curtain_text"))
}

// TestCurtainEndsWithResident: a ballot cast under the privacy curtain
// leaves the next screen (ask staff) uncovered, and staff can tap it; so
// do a cancel and a timeout.
func TestCurtainEndsWithResident(t *testing.T) {
	r, _ := unlockedVoiceRig(t)
	r.keys("44051401458")
	r.tap("☐ Oświadczam")
	r.tap("Dalej")
	r.tap("Dalej")
	for range r.s.Pools() {
		r.tap("3 pkt", 0)
		r.tap("2 pkt", 1)
		r.tap("1 pkt", 2)
		r.tap("Dalej")
	}
	r.want("review")
	r.u.Press(input.Repeat) // the guide starts
	r.u.Press(input.Curtain)
	if !r.curtained() {
		t.Fatal("no curtain after the curtain key")
	}
	r.buttons("Zatwierdzam")[0].Tapped(&fyne.PointEvent{}) // by key, under the curtain
	r.want("done")
	r.c.t = r.c.t.Add(time.Minute)
	r.u.Tick()
	r.want("ask-staff")
	if r.curtained() {
		t.Fatal("the curtain stayed on the ask-staff screen")
	}
	r.tap("Obsługa: odblokuj kartę")
	r.want("staff-pin")
	r.keys("2468")
	r.tap("OK")
	r.want("identity")

	// a timeout under the curtain
	r.u.Press(input.Repeat)
	r.u.Press(input.Curtain)
	if !r.curtained() {
		t.Fatal("no curtain after the curtain key")
	}
	r.c.t = r.c.t.Add(10 * time.Minute)
	r.u.Tick()
	r.u.Tick()
	r.want("ask-staff")
	if r.curtained() {
		t.Fatal("the curtain stayed on after a timeout")
	}
	r.tap("Obsługa: odblokuj kartę")
	r.want("staff-pin")
}

// TestCurtainNeverBlocksStaff: the hot corner held under the curtain opens
// the staff PIN screen, uncovered.
func TestCurtainNeverBlocksStaff(t *testing.T) {
	r, _ := unlockedVoiceRig(t)
	r.u.Press(input.Repeat)
	r.u.Press(input.Curtain)
	if !r.curtained() {
		t.Fatal("no curtain after the curtain key")
	}
	r.longPress()
	r.want("staff-pin")
	if r.curtained() {
		t.Fatal("the curtain covers the staff PIN screen")
	}
}
