package poster

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/sync/election"
)

// outcomes tallies a few ballots of e for the city-wide pool and every
// district: each pool's first projects get points.
func outcomes(t testing.TB, e *election.Edition) []PoolOutcome {
	t.Helper()
	var out []PoolOutcome
	for _, pool := range e.Pools {
		prof := &election.Profile{Budget: pool.Budget, Unit: 100}
		for _, pr := range e.ProjectsIn(pool.ID) {
			prof.Projects = append(prof.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
		}
		n := len(prof.Projects)
		for v := range 11 {
			prof.Votes = append(prof.Votes, []election.Mark{{Project: v % min(n, 4), Points: 3}, {Project: (v + 1) % n, Points: 2}, {Project: n - 1, Points: 1}})
		}
		r, err := prof.Allocate(election.Rule{Name: "greedy", Tie: election.TieCatalogOrder})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, PoolOutcome{Pool: pool.ID, Voters: len(prof.Votes), Result: r})
	}
	return out
}

func resultsModel(t testing.TB, e *election.Edition, f ResultsFor, state election.ResultsState, lang string) *ResultsModel {
	t.Helper()
	rm, err := NewResultsModel(e, assets.MustMessages(), outcomes(t, e), state, f, lang, "https://urna.example/results")
	if err != nil {
		t.Fatal(err)
	}
	rm.Generated = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	rm.KeyFingerprint = "0a1b 2c3d 4e5f 6a7b 8c9d 0e1f 2a3b 4c5d"
	return rm
}

// TestResultsPosterPDF: the A4 results poster of a venue and of a district
// says the state first (provisional in capitals, never passing for final),
// names each pool with its figures, lists every winner of the venue's
// district and of the city-wide pool with points and cost, and carries the
// key's fingerprint, in pl, en and uk with fonts embedded (main had no
// results poster).
func TestResultsPosterPDF(t *testing.T) {
	e := crowded(t, 12) // d16 gets more winners than one page's worth of room in the list
	m := assets.MustMessages()
	shots := os.Getenv("URNA_POSTER_SAMPLES")
	for name, c := range map[string]struct {
		f     ResultsFor
		state election.ResultsState
		lang  string
		place string
	}{
		"venue-pl-final":       {ResultsFor{Venue: "bk-bienczyce"}, election.Final, "pl", e.Venue("bk-bienczyce").Name},
		"venue-uk-provisional": {ResultsFor{Venue: "bk-bienczyce"}, election.Provisional, "uk", e.Venue("bk-bienczyce").Name},
		"district-en-final":    {ResultsFor{District: "d16"}, election.Final, "en", "District XVI Bieńczyce"},
	} {
		t.Run(name, func(t *testing.T) {
			rm := resultsModel(t, e, c.f, c.state, c.lang)
			var b bytes.Buffer
			if err := WriteResults(&b, rm); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), name+".pdf")
			os.WriteFile(path, b.Bytes(), 0o644)
			text := flat(pdfText(t, path))
			want := []string{m.T(c.lang, "poster.results.title"), c.place, m.T(c.lang, "poster.results.state."+string(c.state)), rm.KeyFingerprint}
			for _, pool := range rm.Pools {
				want = append(want, pool.Name, pool.Summary)
				for _, w := range pool.Winners {
					want = append(want, w.Number, w.Points)
				}
			}
			if len(rm.Pools) != 2 || len(rm.Pools[1].Winners) == 0 || len(rm.Pools[0].Winners) == 0 {
				t.Fatalf("pools %+v", rm.Pools)
			}
			for _, w := range want {
				if !strings.Contains(text, flat(w)) {
					t.Errorf("the poster lacks %q", w)
				}
			}
			if fonts := run(t, "pdffonts", "poppler-utils", path); strings.Count(fonts, "yes yes") < 2 {
				t.Errorf("fonts not embedded as subsets:\n%s", fonts)
			}
			if shots != "" {
				os.MkdirAll(shots, 0o755)
				run(t, "pdftoppm", "poppler-utils", "-png", "-r", "50", path, filepath.Join(shots, "results-"+name))
			}
		})
	}
	// provisional results never say final
	rm := resultsModel(t, e, ResultsFor{Venue: "bk-bienczyce"}, election.Provisional, "pl")
	if strings.Contains(rm.State, "ostateczne:") || rm.Final {
		t.Error("a provisional poster reads as final")
	}
	if _, err := NewResultsModel(e, m, outcomes(t, e), election.Final, ResultsFor{Venue: "bk-bienczyce", District: "d16"}, "pl", ""); err == nil {
		t.Error("a poster for a venue and a district at once")
	}
}

// TestResultsStripOnThermal prints the results strip through the virtual
// printer of a 58 mm and an 80 mm model: every winner is on it, no line is
// wider than the paper, and Polish and Ukrainian letters print as meant.
func TestResultsStripOnThermal(t *testing.T) {
	e := assets.MustDemoEdition()
	shots := os.Getenv("URNA_POSTER_SAMPLES")
	for _, name := range []string{"pos-5890", "epson-tm-t20iii"} {
		prof, err := printer.LookupProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"pl", "uk"} {
			t.Run(name+"/"+lang, func(t *testing.T) {
				rm := resultsModel(t, e, ResultsFor{Venue: "nck"}, election.Final, lang)
				doc, err := ResultsStrip(prof, rm)
				if err != nil {
					t.Fatal(err)
				}
				ps := virtual.NewParser(prof)
				var pages []virtual.Page
				ps.OnPage = func(pg virtual.Page) { pages = append(pages, pg) }
				ps.Feed(doc.Data)
				ps.Flush()
				if len(pages) != 1 {
					t.Fatalf("%d pages", len(pages))
				}
				if ps.Overflows > 0 {
					t.Errorf("%d lines wider than the paper", ps.Overflows)
				}
				text := flat(pages[0].Text())
				want := []string{rm.Title, rm.Pools[0].Name, rm.KeyFingerprint}
				for _, pool := range rm.Pools {
					for _, w := range pool.Winners {
						want = append(want, w.Number)
					}
				}
				if lang == "pl" {
					want = append(want, "Głosujących")
				}
				for _, w := range want {
					if !strings.Contains(text, flat(w)) {
						t.Errorf("the strip lacks %q:\n%s", w, text)
					}
				}
				if shots != "" {
					os.MkdirAll(shots, 0o755)
					f, _ := os.Create(filepath.Join(shots, "results-strip-"+name+"-"+lang+".png"))
					png.Encode(f, virtual.Render(&pages[0], prof.WidthDots))
					f.Close()
				}
			})
		}
	}
}

// flat is s with no-break spaces as spaces and runs of white space as one.
func flat(s string) string { return space.ReplaceAllString(strings.ReplaceAll(s, "\u00a0", " "), " ") }
