package ui

import (
	"crypto/ed25519"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// signedResults tallies a few ballots of ed per pool and signs them as the
// central does (wire.ResultsFile with the pools' JSON) with key.
func signedResults(t *testing.T, ed *election.Edition, key ed25519.PrivateKey, state election.ResultsState) *wire.ResultsFile {
	t.Helper()
	type pool struct {
		Pool   string          `json:"pool"`
		Voters int             `json:"voters"`
		Result election.Result `json:"result"`
	}
	var pools []pool
	for _, p := range ed.Pools {
		prof := &election.Profile{Budget: p.Budget, Unit: 100}
		for _, pr := range ed.ProjectsIn(p.ID) {
			prof.Projects = append(prof.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
		}
		for v := range 7 {
			prof.Votes = append(prof.Votes, []election.Mark{{Project: v % 2, Points: 3}, {Project: 2, Points: 2}})
		}
		r, err := prof.Allocate(election.Rule{Name: "greedy", Tie: election.TieCatalogOrder})
		if err != nil {
			t.Fatal(err)
		}
		pools = append(pools, pool{p.ID, 7, r})
	}
	raw, _ := json.Marshal(map[string]any{"edition": ed.ID, "pools": pools})
	f := &wire.ResultsFile{EditionKey: key.Public().(ed25519.PublicKey), SignedResults: wire.SignedResults{Edition: ed.ID, Catalog: ed.Version,
		At: time.Date(2025, 6, 20, 18, 0, 0, 0, time.UTC), State: string(state), Results: raw}}
	f.Sign(key)
	return f
}

// TestResultsScreen: in the results phase the kiosk shows the winners of
// its venue's district and of the city-wide pool from the signed results
// it holds, the state first, in the resident's language; results signed
// by any key but the edition's show nothing (main had no results screen).
func TestResultsScreen(t *testing.T) {
	size := fyne.NewSize(1080, 1920)
	r := newRig(t, size)
	pub, key, _ := ed25519.GenerateKey(nil)
	r.st.EditionKey = pub
	ed := r.s.Edition()
	district := ed.Pool(r.s.Venue().District)
	var held *wire.ResultsFile
	r.u.o.Results = func() *wire.ResultsFile { return held }
	if r.u.resultsScreen(size) != nil {
		t.Fatal("a results screen without results")
	}
	_, other, _ := ed25519.GenerateKey(nil)
	held = signedResults(t, ed, other, election.Final)
	if r.u.resultsScreen(size) != nil {
		t.Fatal("results signed by another key are shown")
	}
	shots := os.Getenv("URNA_SCREENSHOTS")
	for name, c := range map[string]struct {
		lang  string
		state election.ResultsState
		size  fyne.Size
		want  []string
	}{
		"pl-final":       {"pl", election.Final, size, []string{"Wyniki głosowania", "Wyniki ostateczne:", "Projekty ogólnomiejskie", district.Name.In("pl")}},
		"uk-provisional": {"uk", election.Provisional, size, []string{"Результати голосування", "ПОПЕРЕДНІ результати", district.Name.In("uk")}},
		"en-wide":        {"en", election.Final, fyne.NewSize(1920, 1080), []string{"Results of the vote", "Final results:"}},
	} {
		t.Run(name, func(t *testing.T) {
			held = signedResults(t, ed, key, c.state)
			r.s.SetLang(c.lang)
			r.w.Resize(c.size)
			o := r.u.resultsScreen(c.size)
			if o == nil {
				t.Fatal("no results screen")
			}
			r.w.SetContent(o)
			text := r.text()
			rm := r.u.resultsModel()
			for _, p := range rm.Pools {
				if len(p.Winners) == 0 {
					t.Fatalf("pool %s without winners", p.Name)
				}
				for _, w := range p.Winners {
					c.want = append(c.want, w.Number)
				}
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("the screen lacks %q: %s", w, text)
				}
			}
			if shots != "" {
				os.MkdirAll(shots, 0o755)
				f, _ := os.Create(filepath.Join(shots, "kiosk-results-"+name+".png"))
				png.Encode(f, r.w.Canvas().Capture())
				f.Close()
			}
		})
	}
}
