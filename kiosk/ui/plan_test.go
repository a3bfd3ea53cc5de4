package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// planBallot is a complete 3-2-1 ballot of the demo edition for district,
// as a resident would make it in the planner.
func planBallot(ed *election.Edition, district string) election.Ballot {
	b := election.Ballot{Edition: ed.ID, District: district}
	for _, pool := range ed.BallotPools(district) {
		ps := ed.ProjectsIn(pool.ID)
		b.Selections = append(b.Selections, election.Selection{Pool: pool.ID, Choices: []election.Choice{
			{Project: ps[len(ps)-1].ID, Points: 3}, {Project: ps[0].ID, Points: 2}, {Project: ps[1].ID, Points: 1}}})
	}
	return b
}

// planCode encodes b against the demo edition changed by edit (the catalog
// the planner had).
func planCode(t testing.TB, b election.Ballot, edit ...func(*election.Edition)) string {
	t.Helper()
	ed := assets.MustDemoEdition()
	for _, f := range edit {
		f(ed)
	}
	code, err := election.EncodePlan(ed, b)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// scan types s as a keyboard-mode scanner does: its prefix, the code in a
// burst (the test clock stands still), then Enter.
func (r *rig) scan(s string) {
	r.t.Helper()
	r.keyboardTypes("]Q1"+s, 0)
	r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// keyboardTypes types s as a USB keyboard (or scanner) does through GLFW: each
// character's key (Shift first for a capital), then its character, gap
// apart on the test clock.
func (r *rig) keyboardTypes(s string, gap time.Duration) {
	c := r.w.Canvas()
	for _, ch := range s {
		if unicode.IsUpper(ch) {
			c.OnTypedKey()(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		}
		c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyName(string(unicode.ToUpper(ch)))})
		c.OnTypedRune()(ch)
		r.c.t = r.c.t.Add(gap)
	}
}

// same reports whether two ballots hold the same choices, in any order.
func same(a, b election.Ballot) bool {
	if a.District != b.District {
		return false
	}
	for _, s := range a.Selections {
		x, y := slices.Clone(s.Choices), slices.Clone(b.Selection(s.Pool).Choices)
		cmp := func(p, q election.Choice) int { return strings.Compare(p.Project, q.Project) }
		slices.SortFunc(x, cmp)
		slices.SortFunc(y, cmp)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return len(a.Selections) == len(b.Selections)
}

// TestPlanScanned: a resident shows the planner's QR at the attract
// screen; the scanner's keystrokes start the session, the resident
// identifies, lands on review with the prepared choices marked, and one tap
// casts exactly the planned ballot. Until then nothing is stored.
func TestPlanScanned(t *testing.T) {
	r := newRig(t, portrait)
	ed := assets.MustDemoEdition()
	plan := planBallot(ed, "d16") // not the venue's district
	r.scan(planCode(t, plan))
	r.want("identity")
	if !strings.Contains(r.text(), "Wczytano kartę przygotowaną w planerze") {
		t.Fatalf("no word of the plan: %s", r.text())
	}
	if ballots, _ := r.q.Ballots(); len(ballots) != 0 {
		t.Fatal("a plan code was stored as a ballot")
	}
	taps := r.u.Taps
	r.keys("44051401359")
	r.tap("☐ Oświadczam")
	r.tap("Dalej")
	identity := r.u.Taps - taps
	r.want("review")
	text := r.text()
	if n := strings.Count(text, "◆ "); n != 6 || !strings.Contains(text, "Wybory z planera są wpisane (◆)") {
		t.Fatalf("%d prepared choices marked on review: %s", n, text)
	}
	if b, _ := r.q.Ballots(); len(b) != 0 {
		t.Fatal("stored before the resident confirmed")
	}
	r.tap("Zatwierdzam")
	r.want("done")
	if extra := r.u.Taps - taps - identity; extra > 1 {
		t.Fatalf("%d taps beyond identity", extra)
	}
	ballots, _ := r.q.Ballots()
	if len(ballots) != 1 || !same(asBallot(ballots[0]), plan) {
		t.Fatalf("stored %+v, planned %+v", ballots, plan)
	}
	r.tap("Zakończ")
	if r.u.plan.ballot != nil || len(r.u.plan.filled) > 0 {
		t.Fatal("the plan outlived the resident")
	}
}

// TestPlanChoiceChanged: each prepared choice can be changed on review;
// the changed one loses its mark.
func TestPlanChoiceChanged(t *testing.T) {
	r := newRig(t, portrait)
	ed := assets.MustDemoEdition()
	r.identify("44051401359")
	r.want("district")
	r.scan(planCode(t, planBallot(ed, "d13")))
	r.want("review")
	r.tap("Zmień", 0) // the city-wide pool
	r.want("choose")
	// take the 1 point back from the planned project and give it to another
	city := ed.ProjectsIn("city")
	r.s.Give(city[1].ID, 1)
	r.s.Give(city[2].ID, 1)
	r.u.Refresh()
	r.tap("Dalej")
	r.want("review")
	if n := strings.Count(r.text(), "◆ "); n != 5 {
		t.Fatalf("%d marks after one change: %s", n, r.text())
	}
	r.tap("Zatwierdzam")
	r.want("done")
}

// TestPlanTyped: the resident types the short code on the on-screen
// keyboard (dashes left out, one character mistyped first).
func TestPlanTyped(t *testing.T) {
	r := newRig(t, portrait)
	ed := assets.MustDemoEdition()
	plan := planBallot(ed, "d13")
	code := strings.ReplaceAll(planCode(t, plan), "-", "")
	r.identify("44051401359")
	r.want("district")
	r.tap("Mam kod z planera")
	r.want("plan-code")
	wrong := []rune(code)
	wrong[3] = map[bool]rune{true: 'B', false: 'C'}[wrong[3] != 'B']
	r.keys(string(wrong))
	r.tap("OK")
	r.want("plan-code")
	if !strings.Contains(r.text(), "źle przepisany w grupie 1") {
		t.Fatalf("a mistyped code was not explained: %s", r.text())
	}
	for range len(code) - 3 {
		r.tap("⌫")
	}
	r.keys(code[3:])
	r.tap("OK")
	r.want("review")
	r.tap("Zatwierdzam")
	ballots, _ := r.q.Ballots()
	if len(ballots) != 1 || !same(asBallot(ballots[0]), plan) {
		t.Fatalf("stored %+v", ballots)
	}
}

// TestPlanRefused: each code the kiosk cannot use as it was made is
// explained in the resident's language, and the resident goes on by hand
// to a valid ballot; a catalog republished with a typo fixed reads the code
// as it was.
func TestPlanRefused(t *testing.T) {
	base := assets.MustDemoEdition()
	city := base.ProjectsIn("city")
	plan := planBallot(base, "d13")
	withdrawn := plan.Selections[0].Choices[0].Project
	for name, c := range map[string]struct {
		code   func(t *testing.T) string
		kiosk  func(*election.Edition) // the catalog the kiosk has
		screen string                  // where the resident lands after identifying
		says   map[string]string
	}{
		"mistyped": {
			code: func(t *testing.T) string {
				c := []byte(planCode(t, plan))
				c[2] = map[bool]byte{true: '7', false: '8'}[c[2] != '7']
				return string(c)
			},
			screen: "district",
			says:   map[string]string{"pl": "Tego kodu nie da się odczytać", "en": "This code cannot be read", "uk": "Цей код неможливо прочитати"},
		},
		"another edition": {
			code: func(t *testing.T) string {
				return planCode(t, plan, func(e *election.Edition) { e.ID = "krakow-2024" })
			},
			screen: "district",
			says:   map[string]string{"pl": "z innej edycji", "en": "another edition", "uk": "іншого випуску"},
		},
		"a district the kiosk does not know": {
			code: func(t *testing.T) string { return planCode(t, planBallot(base, "d18")) },
			kiosk: func(e *election.Edition) {
				e.Pools = slices.DeleteFunc(e.Pools, func(p election.Pool) bool { return p.ID == "d18" })
				e.Projects = slices.DeleteFunc(e.Projects, func(p election.Project) bool { return p.Pool == "d18" })
				e.Venues = slices.DeleteFunc(e.Venues, func(v election.Venue) bool { return v.District == "d18" })
			},
			screen: "district",
			says:   map[string]string{"pl": "Dzielnicy z tego kodu nie ma", "en": "The district in this code is not on the list", "uk": "Району з цього коду немає"},
		},
		"a project withdrawn since": {
			code: func(t *testing.T) string { return planCode(t, plan) },
			kiosk: func(e *election.Edition) {
				e.Version++
				e.Projects = slices.DeleteFunc(e.Projects, func(p election.Project) bool { return p.ID == withdrawn })
			},
			screen: "choose",
			says:   map[string]string{"pl": "został wycofany z głosowania", "en": "has been withdrawn", "uk": "знято з голосування"},
		},
		"the points changed": {
			code: func(t *testing.T) string { return planCode(t, plan) },
			kiosk: func(e *election.Edition) {
				e.Rules[election.CityWide] = election.BallotRule{Kind: election.Points, Points: []int{5, 3, 1}}
			},
			screen: "choose",
			says:   map[string]string{"pl": "Zasady głosowania zmieniły się", "en": "The voting rules have changed", "uk": "Правила голосування змінилися"},
		},
	} {
		for _, lang := range []string{"pl", "en", "uk"} {
			t.Run(name+"/"+lang, func(t *testing.T) {
				var edit []func(*election.Edition)
				if c.kiosk != nil {
					edit = append(edit, c.kiosk)
				}
				r := newRig(t, portrait, edit...)
				r.identify("44051401359")
				r.want("district")
				r.tap(words[lang]["lang"])
				r.scan(c.code(t))
				r.want(c.screen)
				if !strings.Contains(r.text(), c.says[lang]) {
					t.Fatalf("not explained (%q): %s", c.says[lang], r.text())
				}
				if ballots, _ := r.q.Ballots(); len(ballots) != 0 {
					t.Fatal("stored")
				}
				// by hand from here: whatever the plan filled stays, the rest is tapped
				if r.u.Screen() == "district" {
					r.tap(words[lang]["next"])
				}
				for r.u.Screen() == "choose" {
					pool, _ := r.s.Pool()
					for _, pts := range r.s.Rule(pool).Points {
						if need, free := r.s.Remaining(pool); need > 0 && slices.Contains(free, pts) {
							for _, p := range r.s.Projects(pool.ID, "", "") {
								if _, ok := r.s.PointsOf(pool.ID, p.ID); !ok {
									r.s.Give(p.ID, pts)
									break
								}
							}
						}
					}
					r.u.Refresh()
					r.tap(words[lang]["next"])
				}
				r.want("review")
				r.tap(words[lang]["confirm"])
				r.want("done")
			})
		}
	}
	// a catalog republished with a title's typo fixed fills everything in
	r := newRig(t, portrait, func(e *election.Edition) {
		e.Version++
		for i := range e.Projects {
			if e.Projects[i].ID == city[0].ID {
				e.Projects[i].Title["pl"] += " (poprawiony)"
			}
		}
	})
	r.identify("44051401359")
	r.scan(planCode(t, plan))
	r.want("review")
	if strings.Count(r.text(), "◆ ") != 6 {
		t.Fatalf("the republished catalog lost choices: %s", r.text())
	}
}

// TestPlanScannerTimingRule: a scanner without its prefix is still told
// from a person by its burst ending in Enter; a person typing slowly is
// not taken for a scanner.
func TestPlanScannerTimingRule(t *testing.T) {
	ed := assets.MustDemoEdition()
	code := planCode(t, planBallot(ed, "d13"))
	r := newRig(t, portrait)
	r.identify("44051401359")
	c := r.w.Canvas()
	r.keyboardTypes(code, 120*time.Millisecond)
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.want("district")
	r.keyboardTypes(code, 5*time.Millisecond)
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.want("review")
}

// TestPlanScreenshots renders the prepared review screen and the code
// keyboard in each language (into $URNA_SCREENS when set, to be looked at).
func TestPlanScreenshots(t *testing.T) {
	dir := os.Getenv("URNA_SCREENS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	ed := assets.MustDemoEdition()
	for _, size := range []fyne.Size{portrait, {Width: 1920, Height: 1080}, {Width: 1024, Height: 600}} {
		r := newRig(t, size)
		r.identify("44051401359")
		r.scan(planCode(t, planBallot(ed, "d13")))
		r.want("review")
		for _, lang := range []string{"pl", "en", "uk"} {
			r.s.SetLang(lang)
			r.u.Refresh()
			f, err := os.Create(filepath.Join(dir, "plan-review-"+lang+"-"+sizeName(size)+".png"))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, r.w.Canvas().Capture())
			f.Close()
			for _, o := range r.u.Targets() {
				if o.X < 0 || o.Y < 0 || o.X+o.W > size.Width+1 || o.Y+o.H > size.Height+1 {
					t.Errorf("%s %v: %q lies outside the window", lang, size, o.Text)
				}
			}
		}
		r.s.SetLang("pl")
		r.u.Refresh()
		r.tap("Wstecz")
		for range 2 {
			r.tap("Wstecz")
		}
		r.want("district")
		r.tap("Mam kod z planera")
		r.keys("7Q3K1")
		f, _ := os.Create(filepath.Join(dir, "plan-code-pl-"+sizeName(size)+".png"))
		png.Encode(f, r.w.Canvas().Capture())
		f.Close()
	}
}

// TestPlanScannerPassesKeysOn: the keys handlers set before the scanner
// (the voice guide's) get a person's characters at once and their keys,
// and nothing of a scan: not its characters, not its dashes (the volume
// key), not its Enter.
func TestPlanScannerPassesKeysOn(t *testing.T) {
	r := newRig(t, portrait)
	c := r.w.Canvas()
	var runes []rune
	var keys []fyne.KeyName
	c.SetOnTypedRune(func(ch rune) { runes = append(runes, ch) })
	c.SetOnTypedKey(func(k *fyne.KeyEvent) { keys = append(keys, k.Name) })
	r.u.listenScanner()
	r.keyboardTypes("44", 0)
	if string(runes) != "44" {
		t.Fatalf("a person's digits held back: %q", string(runes))
	}
	r.scan(planCode(t, planBallot(assets.MustDemoEdition(), "d13")))
	r.want("identity")
	if string(runes) != "44" || slices.Contains(keys, "-") || slices.Contains(keys, fyne.KeyReturn) {
		t.Fatalf("the scan went on as typing: %q, keys %v", string(runes), keys)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if keys[len(keys)-1] != fyne.KeyReturn {
		t.Fatalf("a person's Enter did not go on: %v", keys)
	}
}
