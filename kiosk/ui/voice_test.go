package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/speech"
)

// voiceRig is a kiosk with a recording speaker.
func voiceRig(t *testing.T, size fyne.Size) (*rig, *speech.Recorder) {
	r := newRig(t, size)
	rec := &speech.Recorder{}
	r.u.o.Speaker = rec
	r.u.Refresh()
	return r, rec
}

// press sends named keys to the window, as the keypad's driver does.
func (r *rig) press(names ...string) {
	r.t.Helper()
	for _, n := range names {
		r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyName(n)})
	}
}

// typeKeys types characters on the window (digits, + - * /).
func (r *rig) typeKeys(s string) { test.TypeOnCanvas(r.w.Canvas(), s) }

// shot saves the screen as $URNA_SCREENSHOTS/focus/name.png, if set.
func (r *rig) shot(name string) {
	if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
		os.MkdirAll(filepath.Join(dir, "focus"), 0o755)
		f, err := os.Create(filepath.Join(dir, "focus", name+".png"))
		if err == nil {
			png.Encode(f, r.w.Canvas().Capture())
			f.Close()
		}
	}
}

// focused is the button the keys would press.
func (r *rig) focused() *touchButton {
	r.t.Helper()
	items := r.u.focusItems()
	if r.u.voice.focus >= len(items) {
		r.t.Fatalf("focus %d of %d buttons", r.u.voice.focus, len(items))
	}
	return items[r.u.voice.focus]
}

// toButton presses Right until the focus is on the button labelled prefix
// (within the current line), failing after a screenful.
func (r *rig) toButton(prefix string) {
	r.t.Helper()
	for range 60 {
		if strings.HasPrefix(r.focused().Text, prefix) {
			return
		}
		r.press("Right")
	}
	r.t.Fatalf("screen %s: focus never reached %q", r.u.Screen(), prefix)
}

// inOrder checks that each wanted fragment is in a prompt, each in the
// same or a later prompt than the one before.
func inOrder(t *testing.T, said []speech.Prompt, lang string, want ...string) {
	t.Helper()
	at := 0
	for _, w := range want {
		found := false
		for i := at; i < len(said); i++ {
			if strings.Contains(said[i].Text, w) {
				at, found = i, true
				break
			}
		}
		if !found {
			var all []string
			for _, p := range said {
				all = append(all, p.Text)
			}
			t.Fatalf("%s: %q not said (in order); said:\n%s", lang, w, strings.Join(all, "\n"))
		}
	}
	for _, p := range said {
		if p.Lang != lang {
			t.Fatalf("%q said in %s, want %s", p.Text, p.Lang, lang)
		}
	}
}

// TestVoteByKeysWithVoice: a resident who cannot see the screen votes a
// whole Kraków ballot by keys alone in each language, and hears, in
// order, where they are, each project with its number, title and cost,
// each choice, the whole ballot read back and the tracker code. The next
// resident starts without the guide.
func TestVoteByKeysWithVoice(t *testing.T) {
	m := assets.MustMessages()
	for i, lang := range []string{"pl", "en", "uk"} {
		t.Run(lang, func(t *testing.T) {
			r, rec := voiceRig(t, portrait)
			r.want("attract")
			pesel := []string{"44051401359", "02270803624", "85010112345"}[i]
			first := r.voteByKeys(lang, pesel)
			sealed, _ := r.s.Sealed()
			ballots, _ := r.q.Ballots()
			if len(ballots) != 1 || len(r.st.Edition.Validate(asBallot(ballots[0]))) != 0 {
				t.Fatalf("%d ballots stored", len(ballots))
			}
			p1 := r.st.Edition.Project(first[0])
			said := rec.Said()
			// the guide starts in the venue's language; from the switch on, the resident's
			if said[0].Lang != "pl" || !strings.HasPrefix(said[0].Text, m.T("pl", "voice.on")) {
				t.Fatalf("the guide started with %+v", said[0])
			}
			for len(said) > 0 && said[0].Lang != lang {
				said = said[1:]
			}
			inOrder(t, said, lang,
				m.T(lang, "voice.identity"),
				m.T(lang, "voice.typed_pesel", "n", 11),
				m.T(lang, "voice.checked"),
				m.T(lang, "ui.step", "step", 2, "steps", 5),
				m.T(lang, "ui.step", "step", 3, "steps", 5),
				r.u.spokenProject(*p1)+" "+r.u.spokenPoints(3)+".",
				r.u.spokenPoints(3)+", "+m.T(lang, "voice.selected"),
				r.u.spokenPoints(2)+", "+m.T(lang, "voice.selected"),
				r.u.spokenPoints(1)+", "+m.T(lang, "voice.selected"),
				m.T(lang, "ui.step", "step", 4, "steps", 5),
				m.T(lang, "voice.review"),
				r.u.spokenPoints(3)+", "+m.T(lang, "voice.project_short", "number", p1.Number, "title", r.u.inLang(p1.Title)),
				m.T(lang, "voice.tracker", "tracker", spell(sealed.Tracker)),
			)
			if strings.Contains(strings.Join(rec.Texts(), " "), pesel) || strings.Contains(strings.Join(rec.Texts(), " "), strings.Join(strings.Split(pesel, ""), " ")) {
				t.Fatal("the PESEL was said aloud")
			}
			r.press("Return") // Finish
			r.want("attract")
			if r.u.voice.on || r.u.voice.curtain {
				t.Fatal("the guide stays on for the next resident")
			}
		})
	}
}

// voteByKeys votes a Kraków 3-2-1 ballot from the attract screen by keys
// alone, switching to lang on the identity screen; it returns the first
// project of each pool.
func (r *rig) voteByKeys(lang, pesel string) []string {
	r.t.Helper()
	m := assets.MustMessages()
	r.press("Return") // any key starts the guide and the session
	r.want("identity")
	if lang != "pl" {
		r.press("Home") // the header: the languages
		r.toButton(langNames[lang])
		r.press("Return")
		r.press("Down") // the focus stayed on the language: down to the page
	}
	r.typeKeys(pesel)
	r.press("Return") // the declaration has the focus
	r.press("End")
	r.toButton(m.T(lang, "ui.next"))
	r.press("Return")
	r.want("district")
	r.press("End")
	r.toButton(m.T(lang, "ui.next"))
	r.press("Return")
	var first []string
	for range 2 {
		r.want("choose")
		pool, _ := r.s.Pool()
		p := r.s.Projects(pool.ID, "", "")
		first = append(first, p[0].ID)
		r.press("Return") // 3 points to the first project
		r.press("Down", "Right", "Return")
		r.press("Down", "Right", "Right", "Return")
		r.press("End")
		r.toButton(m.T(lang, "ui.next"))
		r.press("Return")
	}
	r.want("review")
	r.press("End")
	r.toButton(m.T(lang, "ui.confirm"))
	r.press("Return")
	r.want("done")
	return first
}

// TestVoiceSettingsAndReset: +/- and * / change volume and rate within
// bounds, R repeats, H helps, the dot draws the curtain over the screen;
// none of it is left for the next resident.
func TestVoiceSettingsAndReset(t *testing.T) {
	m := assets.MustMessages()
	r, rec := voiceRig(t, portrait)
	r.shot("attract")
	r.tap("🎧") // the attract screen's button
	r.want("identity")
	if !r.u.voice.on {
		t.Fatal("the attract screen's button did not start the guide")
	}
	rec.Reset()
	r.typeKeys("++*")
	said := rec.Said()
	if len(said) != 3 || said[2].Volume != speech.DefaultVolume+40 || said[2].Rate != speech.DefaultRate+20 || said[0].Text != m.T("pl", "voice.louder") {
		t.Fatalf("louder, louder, faster: %+v", said)
	}
	r.typeKeys("r")
	if got := rec.Said(); len(got) != 4 || !strings.Contains(got[3].Text, r.u.intro()) || !strings.Contains(got[3].Text, r.u.describe(r.focused())) {
		t.Fatalf("repeat said %+v", got)
	}
	r.press("End")
	at := r.u.voice.focus
	r.press("F1")
	if r.u.voice.focus != at {
		t.Fatal("help moved the focus")
	}
	if last := rec.Texts()[len(rec.Texts())-1]; !strings.Contains(last, m.T("pl", "voice.keys")) || !strings.Contains(last, m.T("pl", "voice.identity")) {
		t.Fatalf("help said %q", last)
	}
	r.typeKeys(".")
	if !strings.Contains(r.text(), m.T("pl", "voice.curtain_text")) || strings.Contains(r.text(), "PESEL") && !r.u.voice.curtain {
		t.Fatalf("no curtain: %s", r.text())
	}
	r.shot("curtain")
	// a touch on the curtain reaches nothing behind it
	before := r.u.Taps
	test.TapCanvas(r.w.Canvas(), r.at("Dalej"))
	if r.u.Screen() != "identity" || r.u.Taps != before {
		t.Fatal("a touch went through the curtain")
	}
	r.typeKeys(".")
	if strings.Contains(r.text(), m.T("pl", "voice.curtain_text")) {
		t.Fatal("the curtain did not open")
	}
	r.typeKeys(".")
	r.press("Escape") // on identity: said what to do instead
	if last := rec.Texts()[len(rec.Texts())-1]; last != m.T("pl", "voice.no_back") {
		t.Fatalf("escape on identity said %q", last)
	}
	r.typeKeys(".")
	r.tap("Przerwij") // the resident cancels by touch: the next resident
	r.want("attract")
	if r.u.voice.on || r.u.voice.curtain || r.u.voice.set != (speech.Settings{}) {
		t.Fatalf("the next resident inherits %+v", r.u.voice)
	}
	if strings.Contains(r.text(), m.T("pl", "voice.curtain_text")) {
		t.Fatal("the curtain stays for the next resident")
	}
	r.tap("Dotknij")
	if r.u.voice.on {
		t.Fatal("a touch started the guide")
	}
}

// TestKeysOnlyWhenVoting: keys do nothing in staff mode or before the
// point opens, and a kiosk without speech ignores them.
func TestKeysOnlyWhenVoting(t *testing.T) {
	r := newRig(t, portrait)
	r.press("Return")
	r.typeKeys("5")
	if r.u.Screen() != "attract" || r.u.voice.on {
		t.Fatal("a kiosk without speech reacted to keys")
	}
	r.u.o.Speaker = &speech.Recorder{}
	r.s.Start()
	r.u.Refresh()
	r.press("Escape") // starts the guide on the identity screen
	if !r.u.voice.on {
		t.Fatal("a key on the identity screen did not start the guide")
	}
	r.s.Reset()
	r.u.Refresh()
	if r.s.Step() != session.Attract || r.u.voice.on {
		t.Fatal("reset kept the guide")
	}
}

// TestFocusRingShows: the focused button has a thick ring around it, and
// it follows the keys; screenshots with URNA_SCREENSHOTS.
func TestFocusRingShows(t *testing.T) {
	r, _ := voiceRig(t, portrait)
	r.press("Return")
	r.typeKeys("44051401359")
	check := func(name string) {
		t.Helper()
		ring, b := r.u.voice.ring, r.focused()
		if ring == nil || !ring.outer.Visible() {
			t.Fatalf("%s: no focus ring", name)
		}
		// both in the screen's own coordinates (the ring's layer covers it)
		bp, rp := r.u.voice.at[b], ring.outer.Position()
		if rp.X > bp.X || rp.Y > bp.Y || rp.X+ring.outer.Size().Width < bp.X+b.Size().Width || rp.Y+ring.outer.Size().Height < bp.Y+b.Size().Height ||
			rp.X < 0 || rp.Y < 0 || rp.X+ring.outer.Size().Width > portrait.Width {
			t.Fatalf("%s: the ring at %v %v does not go round %q at %v %v", name, rp, ring.outer.Size(), b.Text, bp, b.Size())
		}
		r.shot(name)
	}
	r.press("Return")
	check("identity")
	r.press("End")
	check("identity-next")
	r.press("Return", "End", "Return")
	r.want("choose")
	r.press("Down", "Right")
	check("choose")
	r.press("End")
	check("choose-end")
}

// TestTabStaysWithTheKiosk: the frame holds Fyne's focus and takes Tab, so
// Fyne's desktop driver does not move its own focus to a button (which
// would swallow every key after it).
func TestTabStaysWithTheKiosk(t *testing.T) {
	r, _ := voiceRig(t, portrait)
	r.press("Return")
	f, ok := r.w.Canvas().Focused().(*frame)
	if !ok {
		t.Fatalf("Fyne's focus is on %T, not the kiosk's frame", r.w.Canvas().Focused())
	}
	if _, tabs := any(f).(fyne.Tabbable); !tabs || !f.AcceptsTab() {
		t.Fatal("the frame lets Fyne keep Tab")
	}
	before := r.u.voice.focus
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if r.u.voice.focus != before+1 {
		t.Fatalf("Tab moved the focus from %d to %d", before, r.u.voice.focus)
	}
	if _, ok := r.w.Canvas().Focused().(*frame); !ok {
		t.Fatal("the new screen's frame does not hold the focus")
	}
}

// TestVoiceSaysProblemsDetailsAndIdle: a problem is said as it appears,
// a project's summary is read on request (its details), and the idle
// warning is said with its question.
func TestVoiceSaysProblemsDetailsAndIdle(t *testing.T) {
	m := assets.MustMessages()
	r, rec := voiceRig(t, portrait)
	last := func() string { t.Helper(); x := rec.Texts(); return x[len(x)-1] }
	r.press("Return")
	r.typeKeys("4405")
	r.press("End", "Return") // Next with a short PESEL, no declaration
	if key, args := r.s.Problem(); key == "" || !strings.Contains(last(), r.u.problem(key, args)) {
		t.Fatalf("problem %q not said: %q", key, last())
	}
	r.press("BackSpace")
	if !strings.Contains(last(), m.T("pl", "voice.deleted")) || !strings.Contains(last(), m.T("pl", "voice.typed_pesel", "n", 3)) {
		t.Fatalf("backspace said %q", last())
	}
	r.typeKeys("51401359")
	r.press("Home", "Down", "Return", "End", "Return") // the declaration, Next
	r.want("district")
	r.press("End", "Return")
	r.want("choose")
	pool, _ := r.s.Pool()
	p := r.s.Projects(pool.ID, "", "")[0]
	r.toButton(m.T("pl", "ui.details"))
	r.press("Return")
	if !strings.Contains(last(), r.u.inLang(p.Summary)) {
		t.Fatalf("details did not read the summary of %s: %q", p.ID, last())
	}
	r.press("Escape")
	if r.u.detail != "" || !strings.Contains(last(), pool.Name.In("pl")) {
		t.Fatalf("escape did not close the details: %q", last())
	}
	r.c.t = r.c.t.Add(61 * time.Second)
	r.u.Tick()
	if !strings.Contains(last(), "Czy nadal głosujesz?") {
		t.Fatalf("idle warning said %q", last())
	}
	r.press("Return") // yes, still here
	if r.u.idle.Warning {
		t.Fatal("the idle card stays after a key")
	}
}

// TestSpokenZloty: amounts as espeak-ng says them right; its Ukrainian
// voice misreads millions written in digits.
func TestSpokenZloty(t *testing.T) {
	cases := map[string]struct {
		lang   string
		grosze int64
		want   string
	}{
		"pl millions": {"pl", 120_000_000, "1200000"},
		"en":          {"en", 45_000_000, "450000"},
		"uk millions": {"uk", 120_000_000, "1 мільйон 200 тисяч"},
		"uk few":      {"uk", 342_250_000, "3 мільйони 422 тисячі 500"},
		"uk one":      {"uk", 2_100_000, "21 тисяча"},
		"uk small":    {"uk", 50_000, "500"},
	}
	for name, c := range cases {
		if got := spokenZloty(c.lang, c.grosze); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

// TestSearchByKeys: the search is typed on the keyboard, said back with
// how many projects match, and Escape returns to the list.
func TestSearchByKeys(t *testing.T) {
	m := assets.MustMessages()
	r, rec := voiceRig(t, portrait)
	r.press("Return")
	r.typeKeys("44051401359")
	r.press("Return", "End", "Return", "End", "Return")
	r.want("choose")
	r.press("Home", "Down")
	r.toButton("🔍")
	r.press("Return")
	if !r.u.searching {
		t.Fatal("the search did not open")
	}
	r.typeKeys("kino")
	r.press("Space") // a key that also types: the search keeps the rune only
	n := len(r.s.Projects(r.u.poolID(), "", "kino "))
	if r.u.query != "kino" && r.u.query != "kino " {
		t.Fatalf("query %q", r.u.query)
	}
	x := rec.Texts()
	if last := x[len(x)-1]; !strings.Contains(last, m.T("pl", "ui.found", "n", len(r.s.Projects(r.u.poolID(), "", r.u.query)))) || n == 0 {
		t.Fatalf("typing said %q", last)
	}
	r.press("Escape")
	if r.u.searching || !strings.HasPrefix(r.u.query, "kino") {
		t.Fatalf("escape: searching %v, query %q", r.u.searching, r.u.query)
	}
}

// TestIdleWaitsForTheGuide: the idle warning does not cut into the ballot
// read back (over a minute of speech); it comes once the guide is silent.
func TestIdleWaitsForTheGuide(t *testing.T) {
	r, rec := voiceRig(t, portrait)
	r.press("Return")
	r.typeKeys("44051401359")
	r.press("Return", "End", "Return", "End", "Return")
	for range 2 {
		r.press("Return", "Down", "Right", "Return", "Down", "Right", "Right", "Return", "End", "Return")
	}
	r.want("review")
	review := rec.Texts()[len(rec.Texts())-1]
	for range 6 {
		r.c.t = r.c.t.Add(11 * time.Second)
		r.u.Tick()
	}
	if r.u.idle.Warning {
		t.Fatalf("the idle warning came 66 s into a %d-character read-back", len([]rune(review)))
	}
	for range 20 {
		r.c.t = r.c.t.Add(10 * time.Second)
		r.u.Tick()
		if r.u.idle.Warning {
			return
		}
	}
	t.Fatal("no idle warning once the guide was silent")
}
