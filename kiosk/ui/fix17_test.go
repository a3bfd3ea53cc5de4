package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/urna-kiosk/urna/assets"
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

// TestEndGoesToNextAndCancelAsks: End focuses the screen's primary action
// (Next), not Cancel; Enter on Cancel asks first, aloud, and a staff-unlocked
// ballot stays.
func TestEndGoesToNextAndCancelAsks(t *testing.T) {
	r, rec := unlockedVoiceRig(t)
	r.u.Press(input.Repeat) // the guide starts
	r.press("End")
	if got := r.focused().Text; got != r.u.t("ui.next") {
		t.Fatalf("End focused %q, want %q", got, r.u.t("ui.next"))
	}
	r.toButton(r.u.t("ui.cancel"))
	r.press("Return")
	r.want("identity")
	if r.u.confirming == nil {
		t.Fatal("Enter on Cancel cancelled without asking")
	}
	said := rec.Said()
	if last := said[len(said)-1].Text; !strings.Contains(last, r.u.t("ui.cancel_title")) {
		t.Fatalf("the question was not said: %q", last)
	}
	r.press("Escape") // no: the ballot stays
	r.want("identity")
	r.keys("44051401458")
	r.tap("☐ Oświadczam")
	r.tap("Dalej")
	r.want("district")
	r.press("End")
	if got := r.focused().Text; got != r.u.t("ui.next") {
		t.Fatalf("district: End focused %q", got)
	}
	r.toButton(r.u.t("ui.cancel"))
	r.press("Return")
	r.want("district")
	if r.u.confirming == nil {
		t.Fatal("district: Enter on Cancel cancelled without asking")
	}
}

// TestTapsOnCodeKeyboardCountAsActivity: a resident typing a long plan
// code on the on-screen keyboard, a tap every 20 s, never sees the idle
// warning.
func TestTapsOnCodeKeyboardCountAsActivity(t *testing.T) {
	r := newRig(t, portrait)
	r.identify("44051401359")
	r.want("district")
	r.tap("Mam kod z planera")
	r.want("plan-code")
	for _, c := range "ABCDEFGHJK" {
		r.c.t = r.c.t.Add(20 * time.Second)
		r.u.Tick()
		r.tap(string(c))
		if r.u.idle.Warning {
			t.Fatalf("the idle warning came while typing, after %q", string(c))
		}
	}
	r.want("plan-code")
}

// TestRepeatSaysWhereTheResidentIs: R after a volume change says the
// screen and the focused button again, not "louder".
func TestRepeatSaysWhereTheResidentIs(t *testing.T) {
	r, rec := voiceRig(t, portrait)
	r.press("Return") // the guide starts
	r.want("identity")
	r.press("End")
	r.typeKeys("+")
	rec.Reset()
	r.typeKeys("r")
	said := rec.Texts()
	if len(said) != 1 {
		t.Fatalf("repeat said %q", said)
	}
	if strings.Contains(said[0], r.u.t("voice.louder")) || !strings.Contains(said[0], r.u.intro()) ||
		!strings.Contains(said[0], r.u.t("ui.next")) {
		t.Fatalf("repeat said %q, want the screen and %q", said[0], r.u.t("ui.next"))
	}
	if got := r.focused().Text; got != r.u.t("ui.next") {
		t.Fatalf("repeat moved the focus to %q", got)
	}
}

// TestPlanAgainstRulesExplained: a plan whose points the edition no longer
// allows (in either pool) is explained in the resident's language and said
// aloud; no screen claims the choices were entered.
func TestPlanAgainstRulesExplained(t *testing.T) {
	m := assets.MustMessages()
	for _, kind := range []election.PoolKind{election.District, election.CityWide} {
		for _, lang := range []string{"pl", "en", "uk"} {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				plan := planBallot(assets.MustDemoEdition(), "d13")
				code := planCode(t, plan)
				r := newRig(t, portrait, func(e *election.Edition) {
					e.Rules[kind] = election.BallotRule{Kind: election.Points, Points: []int{5, 3, 1}}
				})
				rec := &speech.Recorder{}
				r.u.o.Speaker = rec
				r.u.voiceOn()
				r.identify("44051401359")
				r.want("district")
				r.u.s.SetLang(lang)
				r.u.Refresh()
				r.scan(code)
				text := r.text()
				if !strings.Contains(text, m.T(lang, election.KeyPlanRuleChanged)) {
					t.Fatalf("%s: not explained: %s", r.u.Screen(), text)
				}
				for _, k := range []string{"ui.plan_filled", "ui.plan_finish"} {
					if strings.Contains(text, m.T(lang, k)) {
						t.Fatalf("%s claims %q: %s", r.u.Screen(), k, text)
					}
				}
				said := strings.Join(rec.Texts(), "\n")
				if !strings.Contains(said, m.T(lang, election.KeyPlanRuleChanged)) {
					t.Fatalf("not said aloud: %s", said)
				}
			})
		}
	}
}

// TestKeyOnAskStaffSaysWhatToDo: a key on the ask-staff screen says aloud
// to ask the staff, and starts nothing.
func TestKeyOnAskStaffSaysWhatToDo(t *testing.T) {
	r := newRigWith(t, portrait, election.StaffActivation, true)
	rec := &speech.Recorder{}
	r.u.o.Speaker = rec
	r.u.Refresh()
	r.want("ask-staff")
	r.press("Return")
	r.typeKeys("5")
	r.want("ask-staff")
	said := rec.Texts()
	if len(said) != 2 || said[0] != r.u.t("voice.ask_staff") {
		t.Fatalf("a key on ask-staff said %q", said)
	}
}

// TestLanguageKeepsFocus: choosing a language on the header by keys keeps
// the focus on the language buttons.
func TestLanguageKeepsFocus(t *testing.T) {
	r, _ := voiceRig(t, portrait)
	r.press("Return") // the guide starts
	r.want("identity")
	r.press("Home")
	r.toButton("English")
	r.press("Return")
	if r.s.Lang() != "en" {
		t.Fatalf("language %s", r.s.Lang())
	}
	if got := r.focused().Text; got != "English" {
		t.Fatalf("the focus jumped to %q", got)
	}
}

// TestMistypedPlanCodeSaysWhere: one character mistyped in the fourth
// group is found there; a code the checksum cannot place says how to retype.
func TestMistypedPlanCodeSaysWhere(t *testing.T) {
	r := newRig(t, portrait)
	plan := planBallot(assets.MustDemoEdition(), "d13")
	code := strings.ReplaceAll(planCode(t, plan), "-", "")
	r.identify("44051401359")
	r.want("district")
	r.tap("Mam kod z planera")
	wrong := []rune(code)
	wrong[17] = map[bool]rune{true: 'B', false: 'C'}[wrong[17] != 'B']
	r.keys(string(wrong))
	r.tap("OK")
	r.want("plan-code")
	if want := r.u.t("plan.mistyped_group", "group", 4); !strings.Contains(r.text(), want) {
		t.Fatalf("not placed (%q): %s", want, r.text())
	}
	r.tap(r.u.t("ui.clear"))
	r.keys("ABCDEFGHJK")
	r.tap("OK")
	if want := r.u.t("plan.retype"); !strings.Contains(r.text(), want) {
		t.Fatalf("no retyping help (%q): %s", want, r.text())
	}
}
