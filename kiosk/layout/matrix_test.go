package layout_test

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
)

// TestEveryDocumentOnEveryModel prints the receipt, both reports, the test
// page and the poster strip in pl, en and uk for every supported model
// through the virtual printer emulating that model (its ESC t table from
// the printer database, its width and columns), and checks the transcript:
// the letters are the ones meant (Polish always exact, Ukrainian exact
// where the model has Windows-1251, else the documented CP866 spelling),
// no line is wider than the model's columns, and every QR code decodes.
func TestEveryDocumentOnEveryModel(t *testing.T) {
	zbar := needs.Tool(t, "zbarimg", "zbar-tools")
	ed := assets.MustDemoEdition()
	m := assets.MustMessages()
	venue := ed.Venue("nck")
	dir := t.TempDir()
	at := time.Date(2025, 6, 3, 14, 5, 0, 0, time.UTC)
	var codes []qrCheck
	for _, prof := range printer.Profiles {
		p := &prof
		cyr1251 := false
		for _, cp := range p.CodePages {
			cyr1251 = cyr1251 || cp.Name == "CP1251"
		}
		for _, lang := range []string{"pl", "en", "uk"} {
			md, err := poster.NewModel(ed, m, "nck", lang, "https://bo.krakow.pl/projects", poster.ByNumber)
			if err != nil {
				t.Fatal(err)
			}
			tracker := "ABCD-EFGH-JKLM-NPQR"
			type doc struct {
				build   func() (printer.Doc, error)
				phrases []string
				qr      string
			}
			docs := map[string]doc{
				"receipt": {func() (printer.Doc, error) {
					return layout.BuildReceipt(p, m, layout.Receipt{Edition: ed, Venue: venue, Tracker: tracker, CastAt: at, Lang: lang})
				}, []string{ed.Name.In(lang), venue.Name, m.T(lang, "receipt.recorded"), m.T(lang, "receipt.tracker"), tracker}, layout.CheckURL(ed, tracker)},
				"opening": {func() (printer.Doc, error) {
					return layout.BuildReport(p, m, layout.Report{Edition: ed, Venue: venue, KioskID: "k-0007", CatalogVersion: 3,
						CatalogHash: strings.Repeat("ab", 32), At: at, Lang: lang})
				}, []string{m.T(lang, "report.opening"), m.T(lang, "report.zero"), venue.Name, m.T(lang, "report.signature")}, ""},
				"closing": {func() (printer.Doc, error) {
					return layout.BuildReport(p, m, layout.Report{Closing: true, Edition: ed, Venue: venue, KioskID: "k-0007", CatalogVersion: 3,
						CatalogHash: strings.Repeat("ab", 32), Total: 120, Today: 37, Synced: 100, Pending: 20, LastSeq: 120, At: at, Lang: lang})
				}, []string{m.T(lang, "report.closing"), m.T(lang, "report.synced"), m.T(lang, "report.pending")}, ""},
				"test-page": {func() (printer.Doc, error) {
					return layout.BuildTestPage(p, m, layout.TestPage{Baud: 19200, Lang: lang})
				}, []string{m.T(lang, "testpage.title"), layout.PolishLetters, layout.UkrainianLetters}, "Urna test page: " + p.Name},
				"poster-strip": {func() (printer.Doc, error) { return layout.BuildPosterStrip(p, md) },
					[]string{md.Headline, md.Venue, md.Lines["poster.who"], md.Projects[0].Number + "  " + md.Projects[0].Title}, md.URL},
			}
			for name, d := range docs {
				t.Run(p.Name+"/"+lang+"/"+name, func(t *testing.T) {
					data, err := d.build()
					if err != nil {
						t.Fatal(err)
					}
					ps := virtual.NewParser(p)
					var pages []virtual.Page
					ps.OnPage = func(pg virtual.Page) { pages = append(pages, pg) }
					ps.Feed(data.Data)
					ps.Flush()
					if len(pages) != 1 {
						t.Fatalf("%d pages", len(pages))
					}
					pg := pages[0]
					text := pg.Text()
					if ps.Overflows > 0 {
						t.Errorf("%d lines wider than %d columns:\n%s", ps.Overflows, p.Columns, text)
					}
					for _, e := range pg.Elements {
						w := 0
						for _, r := range e.Runs {
							w += utf8.RuneCountInString(r.Text) * r.W
						}
						if w > p.Columns {
							t.Errorf("a line of %d columns on %d: %+v", w, p.Columns, e.Runs)
						}
					}
					if strings.ContainsRune(text, '\uFFFD') {
						t.Errorf("letters lost:\n%s", text)
					}
					flat := strings.Join(strings.Fields(text), " ")
					enc := printer.NewEncoder(p)
					for _, ph := range d.phrases {
						want := enc.Printable(ph)
						polish := (lang == "pl" && ph != layout.UkrainianLetters) || ph == layout.PolishLetters
						ukrainian := ph == layout.UkrainianLetters || (lang == "uk" && ph != layout.PolishLetters)
						if (polish || (ukrainian && cyr1251)) && want != ph {
							t.Errorf("%q would print as %q", ph, want)
						}
						if !strings.Contains(flat, strings.Join(strings.Fields(want), " ")) {
							t.Errorf("transcript lacks %q:\n%s", want, text)
						}
					}
					if name == "poster-strip" && !strings.Contains(text, md.Projects[0].Number+"  ") {
						t.Errorf("the project number lost its two spaces:\n%s", text)
					}
					if d.qr == "" || lang == "en" { // the codes do not depend on the language
						return
					}
					file := filepath.Join(dir, p.Name+lang+name+".png")
					f, err := os.Create(file)
					if err != nil {
						t.Fatal(err)
					}
					if err := png.Encode(f, virtual.Render(&pg, p.WidthDots)); err != nil {
						t.Fatal(err)
					}
					f.Close()
					codes = append(codes, qrCheck{t.Name(), file, d.qr})
				})
			}
		}
	}
	// One zbarimg for all the codes (it is slow to start); one per file
	// only to tell which failed.
	files := make([]string, len(codes))
	for i, c := range codes {
		files[i] = c.file
	}
	out, _ := exec.Command(zbar, append([]string{"--raw", "-q"}, files...)...).Output()
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	ok := len(got) == len(codes)
	for i := 0; ok && i < len(codes); i++ {
		ok = strings.HasPrefix(got[i], codes[i].want)
	}
	if ok {
		return
	}
	for _, c := range codes {
		out, err := exec.Command(zbar, "--raw", "-q", c.file).Output()
		if g := strings.TrimSpace(string(out)); err != nil || !strings.HasPrefix(g, c.want) {
			t.Errorf("%s: QR decodes to %q (%v), want %q", c.name, g, err, c.want)
		}
	}
}

type qrCheck struct{ name, file, want string }
