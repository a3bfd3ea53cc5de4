package ui

import (
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/urna-kiosk/urna/sync/election"
)

var (
	portrait  = fyne.NewSize(1080, 1920)
	fullHD    = fyne.NewSize(1920, 1080)
	smallSize = fyne.NewSize(1024, 600)
)

// at is where the first button labelled text is on the canvas (its middle).
func (r *rig) at(text string) fyne.Position {
	r.t.Helper()
	bs := r.buttons(text)
	if len(bs) == 0 {
		r.t.Fatalf("screen %s: no button %q: %s", r.u.Screen(), text, r.text())
	}
	return onCanvas(bs[0]).Add(fyne.NewPos(bs[0].Size().Width/2, bs[0].Size().Height/2))
}

// fitsNow fails the test if the screen shown does not fit.
func (r *rig) fitsNow(size fyne.Size, where string) {
	r.t.Helper()
	for _, b := range r.fits(size) {
		r.t.Errorf("%s: %s", where, b)
	}
}

// TestLandscapeCompletesBallot (finding 1): at 1920×1080 and 1024×600 a
// resident finishes a ballot by touch, every screen fits, and the next
// resident's screen is not cut off.
func TestLandscapeCompletesBallot(t *testing.T) {
	for _, size := range []fyne.Size{fullHD, smallSize} {
		t.Run(fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), func(t *testing.T) {
			r := newRig(t, size)
			r.vote("en", "44051401359")
			r.fitsNow(size, "done")
			r.tap("Finish")
			r.want("attract")
			r.tap("Dotknij") // the next resident starts in the venue's language
			r.want("identity")
			r.fitsNow(size, "the next resident's identity screen")
		})
	}
}

// TestLargeTextFitsAndResets (finding 2): large text and contrast fit the
// landscape district screen, switching large text off shrinks it back, and
// the next resident starts on the venue's normal theme.
func TestLargeTextFitsAndResets(t *testing.T) {
	r := newRig(t, fullHD)
	r.identify("44051401359")
	r.want("district")
	r.tap("A+")
	r.tap("◐")
	r.fitsNow(fullHD, "district, large text and contrast")
	large := r.app().Settings().Theme().Size(theme.SizeNameText)
	r.tap("A+")
	r.fitsNow(fullHD, "district, large text off")
	if r.app().Settings().Theme().Size(theme.SizeNameText) >= large {
		t.Fatal("switching large text off did not shrink the text")
	}
	r.tap("A+")
	r.tap("Przerwij")
	r.want("attract")
	th := r.app().Settings().Theme()
	if r.s.Large() || r.s.Contrast() || th.Size(theme.SizeNameText) >= large || th.Color(theme.ColorNameBackground, 0) == colorBlack {
		t.Fatalf("the next resident starts with large text %v, contrast %v", r.s.Large(), r.s.Contrast())
	}
}

func (r *rig) app() fyne.App { return r.u.app }

// toReview fills both pools and reaches review.
func (r *rig) toReview(lang string) {
	r.t.Helper()
	w := words[lang]
	r.tap(w["next"]) // the district
	for range 2 {
		r.want("choose")
		r.tap(w["3"], 0)
		r.tap(w["2"], 1)
		r.tap(w["1"], 2)
		r.tap(w["next"])
	}
	r.want("review")
}

// TestIdleWarningIsModal (finding 3): while the idle card is up a touch on
// Confirm behind it casts nothing; the card never covers the thank-you
// screen.
func TestIdleWarningIsModal(t *testing.T) {
	r := newRig(t, portrait)
	r.identify("44051401359")
	r.toReview("pl")
	confirm := r.at("Zatwierdzam")
	r.c.t = r.c.t.Add(61 * time.Second)
	r.u.Tick()
	if !strings.Contains(r.text(), "Czy nadal głosujesz?") {
		t.Fatalf("no idle warning: %s", r.text())
	}
	root := r.w.Canvas().Content().(*frame).Root()
	if f := Focus(root); len(f) != 1 || !strings.HasPrefix(f[0].Text, "Tak") {
		t.Fatalf("focus reaches behind the idle card: %d buttons", len(f))
	}
	if say := Speech(root); !strings.Contains(say, "Czy nadal głosujesz?") || strings.Contains(say, "Zatwierdzam") {
		t.Fatalf("spoken with the card up: %s", say)
	}
	r.touchAt(confirm)
	if ballots, _ := r.q.Ballots(); len(ballots) != 0 || r.u.Screen() != "review" {
		t.Fatalf("a touch behind the idle card cast %d ballots; screen %s", len(ballots), r.u.Screen())
	}
	r.tap("Tak")
	r.tap("Zatwierdzam")
	r.want("done")
	r.c.t = r.c.t.Add(15 * time.Second)
	r.u.Tick()
	if strings.Contains(r.text(), "Czy nadal głosujesz?") {
		t.Fatal("the idle card covers the thank-you screen")
	}
}

// touchAt taps the canvas at pos.
func (r *rig) touchAt(pos fyne.Position) {
	testTapCanvas(r.w.Canvas(), pos)
}

// TestPagingApartFromNextAndMovedPoints (finding 5): page buttons sit
// above the list, the step's Next below it; points moved from a project on
// another page are said; English says "1 pt".
func TestPagingApartFromNextAndMovedPoints(t *testing.T) {
	r := newRig(t, smallSize)
	r.tap("English")
	r.tap("Touch")
	r.keys("44051401359")
	r.tap("☐ I declare")
	r.tap("Next")
	r.tap("Next")
	r.want("choose")
	page, first, next := r.at("Next page ▶"), r.at("3 pts"), r.at("Next")
	if !(page.Y < first.Y) || math.Abs(float64(page.X-next.X)) < 1 && math.Abs(float64(page.Y-next.Y)) < 2*minTouch {
		t.Fatalf("page button at %v, first row at %v, Next at %v", page, first, next)
	}
	r.tap("3 pts", 0)
	firstNumber := r.s.Choices("city")[0].Project
	r.tap("Next page ▶")
	r.tap("3 pts", 0)
	moved := r.s.Edition().Project(firstNumber).Number
	if !strings.Contains(r.text(), "Moved here from project "+moved+": 3 pt.") {
		t.Fatalf("moving points says nothing: %s", r.text())
	}
	r.tap("2 pts", 1)
	r.tap("1 pt", 2)
	r.tap("Next")
	r.tap("3 pts", 0)
	r.tap("2 pts", 1)
	r.tap("1 pt", 2)
	r.tap("Next")
	r.want("review")
	if s := r.text(); strings.Contains(s, "1 pts") || !strings.Contains(s, "1 pt – ") {
		t.Fatalf("review: %s", s)
	}
}

// TestProjectsInUkrainian (finding 6): titles, summaries and locations in
// Ukrainian where the edition has them, Polish marked as such where it
// does not; the search keyboard is Cyrillic and finds Ukrainian titles,
// and Polish ones through the Latin layout.
func TestProjectsInUkrainian(t *testing.T) {
	r := newRig(t, portrait, func(ed *election.Edition) {
		for i := range ed.Projects {
			if ed.Projects[i].ID == "c04" {
				ed.Projects[i].Summary["uk"] = "Тридцять фонтанчиків у парках."
				ed.Projects[i].Location = election.Text{"pl": "parki miejskie", "uk": "міські парки"}
			}
		}
	})
	r.tap("Українська")
	r.tap("Торкніться")
	r.keys("44051401359")
	r.tap("☐ Заявляю")
	r.tap("Далі")
	r.tap("Далі")
	r.want("choose")
	r.tap("🔍")
	if len(r.buttons("Й")) == 0 || len(r.buttons("Q")) != 0 {
		t.Fatalf("the Ukrainian search keyboard is not Cyrillic: %s", r.text())
	}
	r.keys("ФОНТАН")
	r.tap("OK")
	if !strings.Contains(r.text(), "Фонтанчики") || !strings.Contains(r.text(), "Сторінка 1 з 1") {
		t.Fatalf("search for a Ukrainian title: %s", r.text())
	}
	r.tap("Деталі")
	if s := r.text(); !strings.Contains(s, "Тридцять фонтанчиків у парках.") || !strings.Contains(s, "міські парки") || strings.Contains(s, "(польською)") {
		t.Fatalf("details in Ukrainian: %s", s)
	}
	r.tap("Назад до списку")
	r.tap("🔍")
	r.tap("Очистити")
	r.tap("ABC")
	r.keys("AED")
	r.tap("OK")
	r.tap("Деталі")
	if s := r.text(); !strings.Contains(s, "(польською)") {
		t.Fatalf("a Polish summary is not marked as Polish: %s", s)
	}
}

// luminance and ratio are WCAG 2's relative luminance and contrast ratio.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func ratio(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestHighContrastButtonsStandOut (finding 7): in high contrast the 3/2/1
// buttons stand out from their row and the background (WCAG's 3:1 for
// controls), and a disabled button is plainly not an active one.
func TestHighContrastButtonsStandOut(t *testing.T) {
	th := newTheme(false, true, portrait)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, theme.VariantDark) }
	for name, pair := range map[string][2]fyne.ThemeColorName{
		"button on its row":            {theme.ColorNameButton, theme.ColorNameInputBackground},
		"button on the background":     {theme.ColorNameButton, theme.ColorNameBackground},
		"text on a button":             {theme.ColorNameForeground, theme.ColorNameButton},
		"active and disabled buttons":  {theme.ColorNameButton, theme.ColorNameDisabledButton},
		"active and disabled text":     {theme.ColorNameForeground, theme.ColorNameDisabled},
		"disabled text, still legible": {theme.ColorNameDisabled, theme.ColorNameDisabledButton},
	} {
		if got := ratio(c(pair[0]), c(pair[1])); got < 3 {
			t.Errorf("%s: contrast %.2f:1, want at least 3:1", name, got)
		}
	}
}

// TestIdentityScreen (findings 8, 9): the declaration sits with the
// digits and its problem, above the keypad; the keypad's delete key is not
// called Back; a voter code is not called a number.
func TestIdentityScreen(t *testing.T) {
	r := newRig(t, portrait)
	r.tap("Dotknij")
	r.keys("44051401359")
	r.tap("Dalej")
	if !strings.Contains(r.text(), "zaznacz oświadczenie") && !strings.Contains(r.text(), "⚠") {
		t.Fatalf("no problem shown: %s", r.text())
	}
	if d, one := r.at("☐ Oświadczam"), r.at("1"); d.Y > one.Y {
		t.Fatalf("the declaration (y %.0f) is under the keypad (y %.0f)", d.Y, one.Y)
	}
	if len(r.buttons("⌫ Usuń")) != 1 || strings.Contains(r.text(), "⌫ Wstecz") {
		t.Fatalf("keypad delete key: %s", r.text())
	}
	r.tap("Nie mam numeru PESEL")
	if s := r.text(); !strings.Contains(s, "Kod nie jest zapisywany") || strings.Contains(s, "Numer nie jest zapisywany") {
		t.Fatalf("voter code privacy line: %s", s)
	}
}

// TestChooseScreenSteadyAndCancellable (finding 9): a problem line does
// not move the list; choose and review can be cancelled (after a
// question); Change on review comes back to review; the idle card is wide
// enough; a touch anywhere on the attract screen starts.
func TestChooseScreenSteadyAndCancellable(t *testing.T) {
	r := newRig(t, portrait)
	blank := fyne.NewPos(portrait.Width-20, portrait.Height-20)
	r.touchAt(blank)
	r.want("identity")
	r.tap("Przerwij")
	r.identify("44051401359")
	r.tap("Dalej")
	before := r.at("3 pkt")
	r.tap("Dalej") // incomplete: a problem line appears
	if !strings.Contains(r.text(), "⚠") {
		t.Fatalf("no problem: %s", r.text())
	}
	if after := r.at("3 pkt"); after != before {
		t.Fatalf("the list moved from %v to %v when the problem appeared", before, after)
	}
	r.tap("Przerwij")
	r.tap("Nie, głosuję dalej")
	r.want("choose")
	r.tap("Wstecz")
	r.toReview("pl")
	r.tap("Zmień", 1)
	r.want("choose")
	r.tap("Dalej")
	r.want("review")
	r.c.t = r.c.t.Add(61 * time.Second)
	r.u.Tick()
	var card *modalCard
	walk(r.w.Canvas().Content(), func(o fyne.CanvasObject) {
		if m, ok := o.(*modalCard); ok {
			card = m
		}
	})
	if card == nil || card.content.Size().Width < portrait.Width/2 {
		t.Fatalf("idle card %v wide on a %v screen", card.content.Size(), portrait)
	}
	r.tap("Tak")
	r.tap("Przerwij")
	r.tap("Tak, przerwij")
	r.want("attract")
	if ballots, _ := r.q.Ballots(); len(ballots) != 0 || r.s.HasIdentity() {
		t.Fatal("cancelled, yet a ballot or the identity stayed")
	}
}

// TestPageSizeFollowsTheRoom (finding 10): the number of projects a page
// shows is computed; a portrait screen shows far more than four and a
// page's rows fill the list.
func TestPageSizeFollowsTheRoom(t *testing.T) {
	sizes := map[fyne.Size]int{}
	for _, size := range []fyne.Size{portrait, fullHD, smallSize} {
		r := newRig(t, size, manyProjects(142, 40))
		r.identify("44051401359")
		r.tap("Dalej")
		r.want("choose")
		sizes[size] = r.u.pageSize
		rows := r.buttons("Szczegóły")
		if len(rows) != r.u.pageSize {
			t.Fatalf("%v: %d rows on a page of %d", size, len(rows), r.u.pageSize)
		}
		last := onCanvas(rows[len(rows)-1]).Y + rows[0].Size().Height
		if room := size.Height - last; room > 2.5*rows[0].Size().Height+2*minTouch {
			t.Errorf("%v: %.0f px left under the last of %d rows", size, room, len(rows))
		}
	}
	if sizes[portrait] < 8 || sizes[smallSize] < 2 {
		t.Fatalf("projects a page: %v", sizes)
	}
}

// TestStepIndicatorCountsEveryStep: identity, district, each pool, review.
func TestStepIndicatorCountsEveryStep(t *testing.T) {
	r := newRig(t, portrait)
	var seen []string
	step := func() {
		seen = append(seen, regexp.MustCompile(`Krok \d+ z \d+`).FindString(r.text()))
	}
	r.tap("Dotknij")
	step()
	r.keys("44051401359")
	r.tap("☐ Oświadczam")
	r.tap("Dalej")
	step()
	r.tap("Dalej")
	for range 2 {
		step()
		r.tap("3 pkt", 0)
		r.tap("2 pkt", 1)
		r.tap("1 pkt", 2)
		r.tap("Dalej")
	}
	step()
	if got := strings.Join(seen, ", "); got != "Krok 1 z 5, Krok 2 z 5, Krok 3 z 5, Krok 4 z 5, Krok 5 z 5" {
		t.Fatalf("steps: %s", got)
	}
}

// TestFocusOrderIsReadingOrder: a screen's focus order runs top to
// bottom, left to right, and its speech starts with what it is about.
func TestFocusOrderIsReadingOrder(t *testing.T) {
	r := newRig(t, portrait)
	r.tap("Dotknij")
	root := r.w.Canvas().Content().(*frame).Root()
	f := Focus(root)
	if len(f) < 10 || f[0].Text != "Polski" || f[len(f)-1].Text != "Dalej" {
		t.Fatalf("focus order: first %q, last %q of %d", f[0].Text, f[len(f)-1].Text, len(f))
	}
	if say := Speech(root); !strings.Contains(say, "Kim jesteś?") {
		t.Fatalf("speech: %s", say)
	}
}

// manyProjects makes an edition like Kraków's 2025 one: city-wide
// projects and, in the venue's district (d13), district ones.
func manyProjects(city, district int) func(*election.Edition) {
	return func(ed *election.Edition) {
		var ps []election.Project
		cats := election.Categories
		for i := range city {
			ps = append(ps, election.Project{ID: fmt.Sprintf("c%03d", i+1), Number: fmt.Sprintf("BO.OM.%d/25", i+1), Pool: "city",
				Title:    election.Text{"pl": fmt.Sprintf("Projekt ogólnomiejski numer %d dla mieszkańców Krakowa", i+1)},
				Summary:  election.Text{"pl": "Opis projektu."},
				Cost:     int64(100000+i*1000) * 100,
				Category: cats[i%len(cats)]})
		}
		for _, p := range ed.Projects {
			if p.Pool != "city" && p.Pool != "d13" {
				ps = append(ps, p)
			}
		}
		for i := range district {
			ps = append(ps, election.Project{ID: fmt.Sprintf("d13x%02d", i+1), Number: fmt.Sprintf("BO.XIII.%d/25", i+1), Pool: "d13",
				Title: election.Text{"pl": fmt.Sprintf("Projekt dzielnicowy %d", i+1)}, Cost: int64(50000+i*1000) * 100,
				Category: cats[i%len(cats)]})
		}
		ed.Projects = ps
	}
}

func testTapCanvas(c fyne.Canvas, pos fyne.Position) { test.TapCanvas(c, pos) }
