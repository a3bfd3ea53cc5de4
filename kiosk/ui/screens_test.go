package ui

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/urna-kiosk/urna/kiosk/printer"
)

// tour walks through every screen, calling visit at each with its name.
func tour(t *testing.T, size fyne.Size, visit func(r *rig, name string)) {
	r := newRig(t, size)
	visit(r, "attract")
	r.tap("Dotknij")
	r.keys("44051401359")
	r.tap("☐ Oświadczam")
	visit(r, "identity-pesel")
	r.tap("Nie mam numeru PESEL")
	r.keys("KRK23")
	visit(r, "identity-code")
	r.tap("Mam numer PESEL")
	r.keys("44051401358")
	r.tap("Dalej")
	visit(r, "identity-error")
	r.tap("Wyczyść")
	r.keys("16220112346")
	r.tap("Dalej")
	visit(r, "guardian")
	r.tap("Tak, opiekun")
	visit(r, "district")
	r.tap("Dalej")
	r.tap("3 pkt", 0)
	visit(r, "choose")
	r.tap("🔍")
	r.tap("Ł")
	visit(r, "search")
	r.tap("OK")
	r.tap("Szczegóły")
	visit(r, "details")
	r.tap("Wróć do listy")
	r.tap("🔍")
	r.tap("Wyczyść")
	r.tap("OK")
	r.tap("2 pkt", 1)
	r.tap("1 pkt", 2)
	r.tap("Dalej")
	r.tap("3 pkt", 0)
	r.tap("2 pkt", 1)
	r.tap("1 pkt", 2)
	r.tap("Dalej")
	visit(r, "review")
	r.mem.SetStatus(printer.Status{PaperOut: true})
	r.tap("Zatwierdzam")
	visit(r, "done-no-paper")
	r.tap("Zakończ")
	r.tap("Українська")
	visit(r, "attract-uk")
	r.tap("Торкніться")
	r.c.t = r.c.t.Add(61 * time.Second)
	r.u.Tick()
	visit(r, "idle-warning")
	r.tap("Так, продовжую")
	r.tap("Скасувати")
	r.tap("Polski")
	r.tap("A+")
	r.tap("◐")
	visit(r, "attract-large-contrast")
	r.tap("A+")
	r.tap("◐")
	r.longPress()
	visit(r, "staff-pin")
	r.keys("2468")
	r.tap("OK")
	visit(r, "staff-menu")
	r.tap("Wstrzymaj")
	r.tap("Powrót")
	visit(r, "paused")
	r.c.t = time.Date(2025, 6, 3, 20, 0, 0, 0, time.UTC)
	r.s.SetPaused(false)
	r.u.Refresh()
	visit(r, "closed")
}

// TestScreenMarkup asserts every screen's rendered markup against
// testdata/*.xml (portrait kiosk). A failed comparison writes
// testdata/failed/ for review.
func TestScreenMarkup(t *testing.T) {
	tour(t, fyne.NewSize(1080, 1920), func(r *rig, name string) {
		test.AssertRendersToMarkup(t, name+".xml", r.w.Canvas())
	})
}

// TestScreenMarkupAtTheExtremes asserts a few screens' markup on the
// smallest panel in its largest text (1024×600, Ukrainian, large text) and
// on a full-HD landscape monitor, against testdata/small-*.xml and
// testdata/wide-*.xml.
func TestScreenMarkupAtTheExtremes(t *testing.T) {
	want := map[string]bool{"identity-pesel": true, "district": true, "choose": true, "search": true, "review": true, "idle-warning": true}
	for prefix, c := range map[string]struct {
		size  fyne.Size
		lang  string
		large bool
	}{"small": {fyne.NewSize(1024, 600), "uk", true}, "wide": {fyne.NewSize(1920, 1080), "pl", false}} {
		tour(t, c.size, func(r *rig, name string) {
			if !want[name] {
				return
			}
			lang, large, contrast := r.s.Lang(), r.s.Large(), r.s.Contrast()
			r.s.SetLang(c.lang)
			r.s.SetAccessibility(c.large, contrast)
			r.u.Refresh()
			test.AssertRendersToMarkup(t, prefix+"-"+name+".xml", r.w.Canvas())
			r.s.SetLang(lang)
			r.s.SetAccessibility(large, contrast)
			r.u.Refresh()
		})
	}
}

// TestScreenImages compares a few screens' pixels with testdata/*.png.
func TestScreenImages(t *testing.T) {
	want := map[string]bool{"attract": true, "choose": true, "done-no-paper": true, "attract-large-contrast": true}
	tour(t, fyne.NewSize(1080, 1920), func(r *rig, name string) {
		if want[name] {
			test.AssertImageMatches(t, name+".png", r.w.Canvas().Capture())
		}
	})
}

// TestScreenshots saves every screen at 1024×600, 1280×800, 1920×1080 and
// 1080×1920, in Polish, English and Ukrainian, with normal and large text,
// into $URNA_SCREENSHOTS/WxH/LANG[-large]/ (make screenshots); without it
// the test does nothing.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("URNA_SCREENSHOTS")
	if dir == "" {
		t.Skip("set URNA_SCREENSHOTS=DIR to save screenshots")
	}
	for _, size := range []fyne.Size{{Width: 1024, Height: 600}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080}, {Width: 1080, Height: 1920}} {
		tour(t, size, func(r *rig, name string) {
			lang, large, contrast := r.s.Lang(), r.s.Large(), r.s.Contrast()
			for _, lg := range []bool{false, true} {
				for _, l := range []string{"pl", "en", "uk"} {
					r.s.SetLang(l)
					r.s.SetAccessibility(lg, contrast)
					r.u.Refresh()
					sub := l
					if lg {
						sub += "-large"
					}
					d := filepath.Join(dir, fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), sub)
					os.MkdirAll(d, 0o755)
					f, err := os.Create(filepath.Join(d, name+".png"))
					if err != nil {
						t.Fatal(err)
					}
					png.Encode(f, r.w.Canvas().Capture())
					f.Close()
				}
			}
			r.s.SetLang(lang)
			r.s.SetAccessibility(large, contrast)
			r.u.Refresh()
		})
	}
}
