package ui

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
)

// staffIn opens staff mode with the PIN.
func (r *rig) staffIn() {
	r.t.Helper()
	r.longPress()
	r.want("staff-pin")
	r.keys("2468")
	r.tap("OK")
	r.want("staff-menu")
}

// TestStaffModeLocksItself: staff mode closes after a minute without a
// touch (on main it stayed open: any resident could close the point) and
// on leaving; either way the next entry asks for the PIN again.
func TestStaffModeLocksItself(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.staffIn()
	r.c.t = r.c.t.Add(59 * time.Second)
	r.u.Tick()
	r.want("staff-menu")
	r.tap("Stan drukarki") // a touch keeps it open
	r.c.t = r.c.t.Add(59 * time.Second)
	r.u.Tick()
	r.want("staff-menu")
	r.c.t = r.c.t.Add(time.Second)
	r.u.Tick()
	r.want("attract")
	r.longPress()
	r.want("staff-pin")
	r.keys("24") // a half-typed PIN is wiped too
	r.c.t = r.c.t.Add(time.Minute)
	r.u.Tick()
	r.want("attract")
	if len(r.u.pin) != 0 {
		t.Fatal("the half-typed PIN survived the lock")
	}
	r.staffIn()
	r.tap("Powrót do głosowania")
	r.want("attract")
	r.longPress()
	r.want("staff-pin")
	events, _ := r.q.Events()
	var why []string
	for _, e := range events {
		if e.Name == queue.EventStaffLockedOut {
			why = append(why, e.Detail)
		}
	}
	if strings.Join(why, " ") != "idle idle left" {
		t.Fatalf("locks in the audit log: %v", why)
	}
}

// TestNoClosingUnderAVotingResident: staff cannot close the point while a
// resident is voting (their ballot would be refused); between residents they can.
func TestNoClosingUnderAVotingResident(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.identify("44051401458")
	r.staffIn()
	r.tap("Zamknij punkt")
	if !r.st.Opened() || !strings.Contains(r.text(), "Mieszkaniec właśnie głosuje") {
		t.Fatalf("closed under a voting resident: %s", r.text())
	}
	r.tap("Powrót do głosowania")
	r.tap("Dalej")
	for range r.s.Pools() {
		r.tap("3 pkt", 0)
		r.tap("2 pkt", 1)
		r.tap("1 pkt", 2)
		r.tap("Dalej")
	}
	r.tap("Zatwierdzam")
	r.want("done")
	r.c.t = r.c.t.Add(time.Minute)
	r.u.Tick()
	r.staffIn()
	r.tap("Zamknij punkt")
	if r.st.Opened() {
		t.Fatal("the point did not close between residents")
	}
}

// TestStaffPINSaysTriesLeft: each wrong PIN says how many tries remain.
func TestStaffPINSaysTriesLeft(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.longPress()
	r.tap("OK") // nothing typed: no try spent
	if strings.Contains(r.text(), "Pozostało prób") {
		t.Fatalf("an empty PIN counted as a try: %s", r.text())
	}
	r.keys("1111")
	r.tap("OK")
	if !strings.Contains(r.text(), "Pozostało prób: 4") {
		t.Fatalf("no tries left: %s", r.text())
	}
}

// TestHotCornerShowsProgress: holding the corner fills a bar, so staff
// see the press is taken; letting go early empties it.
func TestHotCornerShowsProgress(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	c := r.hotCorner()
	rend := c.CreateRenderer().(*cornerRenderer)
	c.MouseDown(nil)
	r.c.t = r.c.t.Add(1500 * time.Millisecond)
	rend.Layout(c.Size())
	if c.Progress() != 0.5 || rend.bar.Hidden || rend.bar.Size().Width != c.Size().Width/2 {
		t.Fatalf("half-way: progress %v, bar %v hidden %v", c.Progress(), rend.bar.Size(), rend.bar.Hidden)
	}
	c.MouseUp(nil)
	rend.Layout(c.Size())
	if c.Progress() != 0 || !rend.bar.Hidden {
		t.Fatal("the bar stays after letting go")
	}
	r.want("attract")
}

// TestResidentsSeeNotYetOpen: until staff open the point, residents see
// "not yet open" and cannot begin; staff open it from that screen.
func TestResidentsSeeNotYetOpen(t *testing.T) {
	r := newRigWith(t, fyne.NewSize(1080, 1920), election.SelfDeclared, false)
	r.want("not-open")
	if len(r.buttons("Dotknij")) != 0 || !strings.Contains(r.text(), "nie jest jeszcze otwarty") {
		t.Fatalf("a closed point invites residents: %s", r.text())
	}
	r.s.Start() // whatever starts the flow, it refuses
	r.want("not-open")
	if k, _ := r.s.Problem(); k != "station.not_open" {
		t.Fatalf("the flow began at a closed point (problem %q)", k)
	}
	r.tap("Obsługa: otwórz punkt")
	r.keys("2468")
	r.tap("OK")
	r.tap("Otwórz punkt")
	if !strings.Contains(r.text(), "Głosy od ostatniego zamknięcia: 0") {
		t.Fatalf("the opening report is not on screen: %s", r.text())
	}
	r.tap("OK")
	r.tap("Powrót do głosowania")
	r.want("attract")
	r.vote("pl", "44051401458")
}

// TestStaffActivationAtKiosk: under staff activation the resident asks
// staff; a staff PIN unlocks one ballot, and after it the next resident
// asks again.
func TestStaffActivationAtKiosk(t *testing.T) {
	r := newRigWith(t, fyne.NewSize(1080, 1920), election.StaffActivation, true)
	r.want("ask-staff")
	r.tap("Obsługa: odblokuj kartę")
	r.want("staff-pin")
	r.keys("1111")
	r.tap("OK")
	r.want("staff-pin")
	r.keys("2468")
	r.tap("OK")
	r.want("identity")
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
	r.tap("Zatwierdzam")
	r.want("done")
	r.c.t = r.c.t.Add(time.Minute)
	r.u.Tick()
	r.want("ask-staff")
	// a resident who walks away uses up their unlock
	r.tap("Obsługa: odblokuj kartę")
	r.keys("2468")
	r.tap("OK")
	r.want("identity")
	r.c.t = r.c.t.Add(2 * time.Minute)
	r.u.Tick()
	r.want("ask-staff")
	// staff already in staff mode unlock from its menu, under their own id
	r.staffIn()
	r.tap("Odblokuj kartę dla mieszkańca")
	r.want("identity")
	events, _ := r.q.Events()
	var names []string
	for _, e := range events {
		if e.Name == queue.EventBallotActivated || e.Name == queue.EventActivationEnded {
			names = append(names, string(e.Name)+":"+e.Detail)
		}
	}
	if got := strings.Join(names, " "); got != "ballot-activated:staff ballot-activated:staff activation-ended:not-cast ballot-activated:staff" {
		t.Fatalf("audit: %s", got)
	}
}

// TestStaffScreenshots renders the staff screens portrait and landscape
// (into $URNA_SCREENS when set, to be looked at; they are not goldens) and
// checks that every button lies inside the window.
func TestStaffScreenshots(t *testing.T) {
	dir := os.Getenv("URNA_SCREENS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	for _, size := range []fyne.Size{{Width: 1080, Height: 1920}, {Width: 1920, Height: 1080}, {Width: 1024, Height: 600}} {
		tag := func(name string) string { return filepath.Join(dir, name+"-"+sizeName(size)+".png") }
		shot := func(r *rig, name string) {
			t.Helper()
			f, err := os.Create(tag(name))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, r.w.Canvas().Capture())
			f.Close()
			for _, o := range r.u.Targets() {
				if o.X < 0 || o.Y < 0 || o.X+o.W > size.Width+1 || o.Y+o.H > size.Height+1 {
					t.Errorf("%s at %v: %q lies outside the window: %+v", name, size, o.Text, o)
				}
			}
		}
		r := newRigWith(t, size, election.StaffActivation, false)
		r.st.Mounts = filepath.Join(t.TempDir(), "mounts") // no USB stick
		os.WriteFile(r.st.Mounts, nil, 0o644)
		shot(r, "not-open")
		r.tap("Obsługa: otwórz punkt")
		r.keys("1111")
		r.tap("OK")
		shot(r, "staff-pin-wrong")
		r.keys("2468")
		r.tap("OK")
		r.mem.SetStatus(printer.Status{PaperOut: true})
		r.tap("Otwórz punkt")
		shot(r, "staff-report-no-paper")
		if !strings.Contains(r.text(), "wydrukuje się, gdy drukarka będzie gotowa") || !strings.Contains(r.text(), "Punkt jest otwarty") || !r.st.Opened() {
			t.Errorf("opening without paper: %s", r.text())
		}
		r.tap("OK")
		r.mem.SetStatus(printer.Status{Online: true})
		r.tap("Stan drukarki") // paper is back: the report prints
		if !strings.Contains(r.u.staffMsg, "Zaległe raporty zostały wydrukowane") || len(r.mem.Docs()) != 1 {
			t.Errorf("the waiting report did not print: %s", r.u.staffMsg)
		}
		shot(r, "staff-menu-opened")
		r.tap("Українська")
		r.tap("Стан принтера")
		shot(r, "staff-menu-uk")
		r.tap("English")
		shot(r, "staff-menu-en")
		r.tap("Polski")
		r.tap("Plakaty i ulotki")
		r.tap("Ulotki A5 na pendrive")
		shot(r, "staff-posters")
		r.tap("Wstecz")
		r.tap("Powrót do głosowania")
		shot(r, "ask-staff")
	}
}

func sizeName(s fyne.Size) string {
	return fmt.Sprintf("%gx%g", s.Width, s.Height)
}

// TestStaffScreensFitLargeText: with large text on, every staff button
// stays inside the window, portrait and landscape. (1024×600 with large
// text waits for the header to fit there: the header is wider than the
// screen on its own.)
func TestStaffScreensFitLargeText(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1080, Height: 1920}, {Width: 1920, Height: 1080}, {Width: 1280, Height: 800}} {
		r := newRigWith(t, size, election.StaffActivation, false)
		r.u.SetAccessibility(true, false)
		inside := func(name string) {
			t.Helper()
			for _, o := range r.u.Targets() {
				if o.X < 0 || o.Y < 0 || o.X+o.W > size.Width+1 || o.Y+o.H > size.Height+1 {
					t.Errorf("%s at %v: %q lies outside the window", name, size, o.Text)
				}
			}
		}
		inside("not-open")
		r.tap("Obsługa: otwórz punkt")
		inside("staff-pin")
		r.keys("2468")
		r.tap("OK")
		inside("staff-menu")
		r.tap("Otwórz punkt")
		inside("staff-report")
		r.tap("OK")
		r.tap("Plakaty i ulotki")
		inside("staff-posters")
	}
}

// TestPrinterStatusSaysWhatToDo: the printer's state comes with what to do
// about it (main said one line, "W drukarce skończył się papier.").
func TestPrinterStatusSaysWhatToDo(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.staffIn()
	r.mem.SetStatus(printer.Status{PaperOut: true})
	r.tap("Stan drukarki")
	if !strings.Contains(r.text(), "Drukarka: brak papieru.\nOtwórz pokrywę, włóż nową rolkę") {
		t.Fatalf("paper out: %s", r.text())
	}
	r.mem.SetStatus(printer.Status{Online: true, CoverOpen: true})
	r.tap("Stan drukarki")
	if !strings.Contains(r.text(), "Drukarka: pokrywa jest otwarta.\nZamknij pokrywę drukarki") {
		t.Fatalf("cover open: %s", r.text())
	}
}
