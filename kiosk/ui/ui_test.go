package ui

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/station"
	"github.com/urna-kiosk/urna/sync/election"
)

type clock struct{ t time.Time }

// zeros makes the kiosk key the same in every run, so trackers are too.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func (c *clock) now() time.Time { return c.t }

type rig struct {
	t   testing.TB
	u   *UI
	w   fyne.Window
	c   *clock
	q   *queue.Queue
	mem *printer.Memory
	st  *station.Station
	s   *session.Session
}

// selfDeclared is the demo edition admitting any resident who declares
// residence, so that flow tests do not depend on staff activation.
func selfDeclared(t testing.TB, edit ...func(*election.Edition)) []byte {
	ed := assets.MustDemoEdition()
	ed.Admission = election.SelfDeclared
	for _, f := range edit {
		f(ed)
	}
	var buf bytes.Buffer
	if err := election.EncodeEdition(&buf, ed); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newRig(t testing.TB, size fyne.Size, edit ...func(*election.Edition)) *rig {
	return newRigWith(t, size, election.SelfDeclared, true, edit...)
}

// newRigWith makes a kiosk under an admission policy, its point opened for
// the day or not.
func newRigWith(t testing.TB, size fyne.Size, admission election.Admission, opened bool, edit ...func(*election.Edition)) *rig {
	a := test.NewTempApp(t)
	w := a.NewWindow("Urna")
	w.Resize(size)
	c := &clock{time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)} // Tuesday 14:00 in Kraków
	q, err := queue.Open(filepath.Join(t.TempDir(), "kiosk.db"), queue.Options{Clock: c.now, Rand: zeros{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	prof, _ := printer.LookupProfile("epson-tm-t20")
	mem := printer.NewMemory(prof)
	st, err := station.New(selfDeclared(t, edit...), "bk-podgorze", q, mem, assets.MustMessages(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Clock, st.Edition.Admission = c.now, admission
	if opened {
		q.SetPolls(queue.Polls{Open: true, OpenedAt: c.now()})
	}
	s := session.New(session.Deps{Edition: st.Edition, Venue: st.Venue, Secret: []byte("demo secret"),
		Store: st, Receipts: st, Admission: st, Clock: c.now, Rand: rand.New(rand.NewPCG(7, 7)), ErrorKey: printer.ErrorKey})
	hash := func(pin string) string {
		h, _ := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.MinCost)
		return string(h)
	}
	u := New(a, w, Options{Session: s, Station: st, Staff: session.NewStaff(hash("2468"), c.now),
		Technician: session.NewStaff(hash("97531"), c.now), Messages: assets.MustMessages(), Clock: c.now})
	return &rig{t: t, u: u, w: w, c: c, q: q, mem: mem, st: st, s: s}
}

// buttons returns the touch buttons whose label starts with prefix, in screen order.
func (r *rig) buttons(prefix string) []*touchButton {
	var out []*touchButton
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*touchButton); ok && strings.HasPrefix(x.Text, prefix) {
			out = append(out, x)
		}
	})
	var exact []*touchButton
	for _, b := range out {
		if b.Text == prefix {
			exact = append(exact, b)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return out
}

// tap taps the i-th button labelled prefix.
func (r *rig) tap(prefix string, i ...int) {
	r.t.Helper()
	bs := r.buttons(prefix)
	n := 0
	if len(i) > 0 {
		n = i[0]
	}
	if len(bs) <= n {
		r.t.Fatalf("screen %s: no button %d labelled %q; text: %s", r.u.Screen(), n, prefix, r.text())
	}
	if bs[n].Disabled() {
		r.t.Fatalf("button %q is disabled", prefix)
	}
	r.touch(bs[n])
}

// touch taps the middle of a button where a finger would: on the canvas,
// so whatever lies over it (a modal card) gets the tap instead, and a
// button outside the window cannot be tapped at all.
func (r *rig) touch(b *touchButton) {
	r.t.Helper()
	c := r.w.Canvas()
	pos := onCanvas(b).Add(fyne.NewPos(b.Size().Width/2, b.Size().Height/2))
	if pos.X < 0 || pos.Y < 0 || pos.X >= c.Size().Width || pos.Y >= c.Size().Height {
		r.t.Fatalf("screen %s: button %q at %v is outside the %v window", r.u.Screen(), b.Text, pos, c.Size())
	}
	test.TapCanvas(c, pos)
}

// keys taps the key of each character of s (keypads and keyboards).
func (r *rig) keys(s string) {
	r.t.Helper()
	for _, c := range s {
		r.tap(string(c))
	}
}

// text is everything the screen says.
func (r *rig) text() string {
	var b strings.Builder
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *touchButton:
			b.WriteString("[" + x.Text + "] ")
		case *widget.Label:
			b.WriteString(x.Text + " | ")
		case *canvas.Text:
			b.WriteString(x.Text + " | ")
		}
	})
	return b.String()
}

func (r *rig) want(screen string) {
	r.t.Helper()
	if got := r.u.Screen(); got != screen {
		r.t.Fatalf("screen %s, want %s; it says: %s", got, screen, r.text())
	}
}

// words per language for the flow
var words = map[string]map[string]string{
	"pl": {"lang": "Polski", "start": "Dotknij", "declare": "☐ Oświadczam", "next": "Dalej", "3": "3 pkt", "2": "2 pkt", "1": "1 pkt", "confirm": "Zatwierdzam", "thanks": "Dziękujemy!", "finish": "Zakończ"},
	"en": {"lang": "English", "start": "Touch", "declare": "☐ I declare", "next": "Next", "3": "3 pts", "2": "2 pts", "1": "1 pt", "confirm": "Confirm", "thanks": "Thank you!", "finish": "Finish"},
	"uk": {"lang": "Українська", "start": "Торкніться", "declare": "☐ Заявляю", "next": "Далі", "3": "3 б.", "2": "2 б.", "1": "1 б.", "confirm": "Підтверджую", "thanks": "Дякуємо!", "finish": "Завершити"},
}

// identify starts a session in Polish and submits a PESEL with the
// residency declaration.
func (r *rig) identify(pesel string) {
	r.t.Helper()
	r.tap("Dotknij")
	r.keys(pesel)
	r.tap("☐ Oświadczam")
	r.tap("Dalej")
}

// vote casts a complete Kraków 3-2-1 ballot with PESEL pesel.
func (r *rig) vote(lang, pesel string) {
	w := words[lang]
	r.tap(w["lang"])
	r.tap(w["start"])
	r.want("identity")
	r.keys(pesel)
	r.tap(w["declare"])
	r.tap(w["next"])
	r.want("district")
	r.tap(w["next"])
	for range 2 { // the city pool, then the district's
		r.want("choose")
		r.tap(w["3"], 0)
		r.tap(w["2"], 1)
		r.tap(w["1"], 2)
		r.tap(w["next"])
	}
	r.want("review")
	r.tap(w["confirm"])
	r.want("done")
}

func TestVoteInEachLanguage(t *testing.T) {
	for i, lang := range []string{"pl", "en", "uk"} {
		t.Run(lang, func(t *testing.T) {
			r := newRig(t, fyne.NewSize(1080, 1920))
			r.want("attract")
			taps := r.u.Taps
			pesel := []string{"44051401359", "02270803624", "85010112345"}[i]
			r.vote(lang, pesel)
			t.Logf("a complete Kraków ballot took %d taps", r.u.Taps-taps)
			if !strings.Contains(r.text(), words[lang]["thanks"]) {
				t.Fatalf("done screen: %s", r.text())
			}
			ballots, _ := r.q.Ballots()
			if len(ballots) != 1 || len(r.st.Edition.Validate(asBallot(ballots[0]))) != 0 {
				t.Fatalf("%d ballots stored", len(ballots))
			}
			docs := r.mem.Docs()
			if len(docs) != 1 {
				t.Fatalf("%d receipts printed", len(docs))
			}
			page := transcript(t, docs[0])
			if !strings.Contains(page, ballots[0].Tracker()) || !strings.Contains(page, "[QR] https://urna.example/check/"+ballots[0].Tracker()) {
				t.Fatalf("receipt:\n%s", page)
			}
			if !strings.Contains(r.text(), ballots[0].Tracker()) {
				t.Fatal("the tracker is not on screen")
			}
			r.tap(words[lang]["finish"])
			r.want("attract")
			if r.s.HasIdentity() {
				t.Fatal("identity kept after finishing")
			}
			// the same resident again is refused; a new session starts in Polish
			r.tap(words[lang]["lang"])
			r.tap(words[lang]["start"])
			r.keys(pesel)
			r.tap(words[lang]["declare"])
			r.tap(words[lang]["next"])
			r.want("identity")
			if !strings.Contains(r.text(), assets.MustMessages().T(lang, "session.already_voted")) {
				t.Fatalf("no already-voted message: %s", r.text())
			}
		})
	}
}

func transcript(t *testing.T, doc []byte) string {
	p, _ := printer.LookupProfile("epson-tm-t20")
	ps := virtual.NewParser(p)
	var text string
	ps.OnPage = func(pg virtual.Page) { text += pg.Text() }
	ps.Feed(doc)
	ps.Flush()
	return text
}

func TestWrongPESEL(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.identify("44051401358")
	r.want("identity")
	if !strings.Contains(r.text(), "błędną cyfrę kontrolną") {
		t.Fatalf("no checksum message: %s", r.text())
	}
	// the language changes, the problem and what was typed stay; while the
	// problem asks to check the digits, they show
	r.tap("English")
	if !strings.Contains(r.text(), "check digit is wrong") || !strings.Contains(r.text(), "44051401358") {
		t.Fatalf("after switching language: %s", r.text())
	}
	r.tap("⌫")
	if strings.Contains(r.text(), "4405140135") || !strings.Contains(r.text(), "••••••••35") {
		t.Fatalf("digits not masked again once the resident types: %s", r.text())
	}
}

func TestGuardianPath(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.identify("16220112346") // born 1 February 2016: 9 years old
	r.want("guardian")
	r.tap("Nie")
	if !strings.Contains(r.text(), "za zgodą opiekuna") {
		t.Fatalf("no guardian message: %s", r.text())
	}
	r.tap("Tak, opiekun")
	r.want("district")
}

func TestIdleResetWipesSession(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.tap("Dotknij")
	r.keys("4405140")
	r.c.t = r.c.t.Add(61 * time.Second)
	r.u.Tick()
	if !strings.Contains(r.text(), "Czy nadal głosujesz?") || !strings.Contains(r.text(), "Za 29 s") {
		t.Fatalf("no idle warning: %s", r.text())
	}
	r.c.t = r.c.t.Add(30 * time.Second)
	r.u.Tick()
	r.want("attract")
	if r.s.HasIdentity() || r.s.Typed(false) != "" {
		t.Fatal("typed digits survived the idle reset")
	}
}

func TestStaffPINLockout(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	corner := r.hotCorner()
	corner.MouseDown(nil)
	r.c.t = r.c.t.Add(time.Second)
	corner.MouseUp(nil)
	r.want("attract") // a short press does nothing
	r.longPress()
	r.want("staff-pin")
	for i := range session.MaxTries {
		r.keys("1111")
		r.tap("OK")
		if i < session.MaxTries-1 && !strings.Contains(r.text(), "Błędny PIN") {
			t.Fatalf("try %d: %s", i, r.text())
		}
	}
	if !strings.Contains(r.text(), "Spróbuj za 5 min") {
		t.Fatalf("not locked: %s", r.text())
	}
	r.keys("2468")
	r.tap("OK")
	r.want("staff-pin")
	r.c.t = r.c.t.Add(5 * time.Minute)
	r.keys("2468")
	r.tap("OK")
	r.want("staff-menu")
	r.tap("Zamknij punkt") // the rig's point is open: closing is what staff can do
	if docs := r.mem.Docs(); len(docs) != 1 || !strings.Contains(transcript(t, docs[0]), "RAPORT ZAMKNIĘCIA") {
		t.Fatalf("no closing report: %d docs", len(docs))
	}
	r.tap("OK") // the report on screen
	r.tap("Wstrzymaj")
	r.tap("Powrót")
	r.want("paused")
	events, _ := r.q.Events()
	var names []string
	for _, e := range events {
		names = append(names, string(e.Name))
	}
	if !strings.Contains(strings.Join(names, " "), "polls-closed voting-paused") {
		t.Fatalf("audit: %v", names)
	}
}

func (r *rig) hotCorner() *hotCorner {
	var found *hotCorner
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*hotCorner); ok {
			found = x
		}
	})
	if found == nil {
		r.t.Fatal("no hot corner")
	}
	return found
}

func (r *rig) longPress() {
	c := r.hotCorner()
	c.MouseDown(nil)
	r.c.t = r.c.t.Add(3 * time.Second)
	c.MouseUp(nil)
}

func TestPaperOutShowsQROnScreen(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.mem.SetStatus(printer.Status{PaperOut: true})
	r.vote("pl", "44051401359")
	if !strings.Contains(r.text(), "Twój głos JEST zapisany") || !strings.Contains(r.text(), "skończył się papier") {
		t.Fatalf("done screen: %s", r.text())
	}
	var qr *canvas.Image
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if img, ok := o.(*canvas.Image); ok {
			qr = img
		}
	})
	if qr == nil || qr.Image == nil {
		t.Fatal("no QR code on screen")
	}
	if n, _ := r.q.Ballots(); len(n) != 1 {
		t.Fatal("the vote was lost")
	}
	// staff see the alert
	r.tap("Zakończ")
	r.longPress()
	r.keys("2468")
	r.tap("OK")
	if !strings.Contains(r.text(), "potwierdzenie głosu nie zostało wydrukowane") {
		t.Fatalf("no staff alert: %s", r.text())
	}
}

func TestBrowseSearchAndPaging(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	r.identify("44051401359")
	r.tap("Dalej")
	r.want("choose")
	pages := r.u.pages
	if pages < 2 {
		r.w.Resize(fyne.NewSize(1024, 600))
		r.u.Refresh()
		pages = r.u.pages
	}
	if !strings.Contains(r.text(), fmt.Sprintf("Strona 1 z %d", pages)) {
		t.Fatalf("12 city projects, %d a page: %s", r.u.pageSize, r.text())
	}
	r.tap("Następna strona")
	if !strings.Contains(r.text(), fmt.Sprintf("Strona 2 z %d", pages)) {
		t.Fatal("paging")
	}
	r.tap("Kategoria")
	r.tap("Zdrowie")
	if !strings.Contains(r.text(), "Strona 1 z 1") || !strings.Contains(r.text(), "AED") {
		t.Fatalf("health filter: %s", r.text())
	}
	r.tap("Kategoria")
	r.tap("Wszystkie")
	r.tap("🔍")
	for _, k := range []string{"P", "O", "I", "D"} {
		r.tap(k)
	}
	r.tap("OK")
	if !strings.Contains(r.text(), "Poidełka z wodą pitną") || !strings.Contains(r.text(), "Strona 1 z 1") {
		t.Fatalf("search 'poid': %s", r.text())
	}
	r.tap("Szczegóły")
	if !strings.Contains(r.text(), "Trzydzieści poidełek") {
		t.Fatalf("details: %s", r.text())
	}
	r.tap("Wróć do listy")
	r.tap("Dalej")
	if !strings.Contains(r.text(), "brakuje 3") {
		t.Fatalf("incomplete pool: %s", r.text())
	}
}

func TestAccessibilityThemes(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	normal := r.u.app.Settings().Theme().Size("text")
	r.tap("A+")
	r.tap("◐")
	th := r.u.app.Settings().Theme()
	if th.Size("text") <= normal {
		t.Fatal("large text is not larger")
	}
	if c := th.Color("background", 0); c != (colorBlack) {
		t.Fatalf("high contrast background %v", c)
	}
	for _, b := range r.buttons("") {
		if s := b.MinSize(); s.Height < minTouch || s.Width < minTouch {
			t.Fatalf("button %q is %v: smaller than a 15 mm touch target", b.Text, s)
		}
	}
}

// TestNewCatalogBetweenResidents: the sync agent installs a catalog that
// withdraws a project while a resident votes. The resident finishes with
// the catalog they began with; the next one no longer sees the project.
func TestNewCatalogBetweenResidents(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	old := r.st.Edition
	ed := assets.MustDemoEdition()
	withdrawn := ed.ProjectsIn("city")[0]
	ed.Version++
	ed.Admission = election.SelfDeclared
	ed.Projects = slices.DeleteFunc(ed.Projects, func(p election.Project) bool { return p.ID == withdrawn.ID })
	var buf bytes.Buffer
	election.EncodeEdition(&buf, ed)

	r.identify("44051401458")
	r.u.OfferCatalog(buf.Bytes())
	r.c.t = r.c.t.Add(time.Second)
	r.u.Tick()
	if r.s.Edition() != old || r.st.Edition != old {
		t.Fatal("catalog switched under a voting resident")
	}
	r.u.OfferCatalog(assets.DemoEdition()) // an older one, offered meanwhile, changes nothing
	r.u.OfferCatalog(buf.Bytes())
	r.c.t = r.c.t.Add(91 * time.Second) // the resident walks away
	r.u.Tick()
	r.want("attract")
	r.u.Tick()
	if r.s.Edition().Version != ed.Version || r.st.Edition.Version != ed.Version || r.s.Edition().Project(withdrawn.ID) != nil {
		t.Fatalf("catalog %d in use, want %d", r.s.Edition().Version, ed.Version)
	}
	events, _ := r.q.Events()
	found := false
	for _, ev := range events {
		found = found || ev.Name == queue.EventCatalogInUse && ev.Detail == fmt.Sprint(ed.Version)
	}
	if !found {
		t.Fatalf("no %s event in %v", queue.EventCatalogInUse, events)
	}
	// the next resident browses the new catalog, and votes
	r.identify("44051401458")
	r.tap("Dalej")
	r.want("choose")
	if ps := r.s.Projects("city", "", ""); len(ps) != len(ed.ProjectsIn("city")) || slices.ContainsFunc(ps, func(p election.Project) bool { return p.ID == withdrawn.ID }) {
		t.Fatalf("the city list has %d projects (want %d), or the withdrawn one", len(ps), len(ed.ProjectsIn("city")))
	}
}

// TestRevokedKioskPausesVoting: once the central says the city office
// revoked this kiosk, voting pauses between residents (its ballots would
// not count) and staff mode says why.
func TestRevokedKioskPausesVoting(t *testing.T) {
	r := newRig(t, fyne.NewSize(1080, 1920))
	revoked := false
	r.st.Revoked = func() bool { return revoked }
	r.identify("44051401458")
	revoked = true
	r.u.Tick()
	if r.u.Screen() == "paused" {
		t.Fatal("voting paused under a resident")
	}
	r.c.t = r.c.t.Add(91 * time.Second) // the resident walks away
	r.u.Tick()
	r.u.Tick()
	r.want("paused")
	r.longPress()
	r.keys("2468")
	r.tap("OK")
	r.want("staff-menu")
	if !strings.Contains(r.text(), "unieważnił ten kiosk") {
		t.Fatalf("staff mode does not say the kiosk is revoked: %s", r.text())
	}
	events, _ := r.q.Events()
	if !slices.ContainsFunc(events, func(e queue.Event) bool { return e.Name == queue.EventVotingPaused }) {
		t.Fatalf("audit: %v", events)
	}
}
