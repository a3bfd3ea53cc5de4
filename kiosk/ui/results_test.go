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

// TestBuiltScreen: in a later edition's promotion phase the kiosk shows
// what the votes built in its venue's district, done first, from signed
// implementation records checked with the enrollment's edition key;
// records signed by another key, or only of other districts, show nothing
// (main had no such screen).
func TestBuiltScreen(t *testing.T) {
	size := fyne.NewSize(1080, 1920)
	r := newRig(t, size)
	pub, key, _ := ed25519.GenerateKey(nil)
	r.st.EditionKey = pub
	district := r.s.Venue().District
	projects := []wire.BuiltProject{
		{Edition: "krakow-2024", EditionName: map[string]string{"pl": "Budżet Obywatelski 2024", "uk": "Громадський бюджет 2024"}, Number: "BO.XIII.4/24", Pool: district,
			Title: map[string]string{"pl": "Ławki nad Wisłą", "uk": "Лавки над Віслою"}, Stage: "in-progress", Latest: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
		{Edition: "krakow-2024", EditionName: map[string]string{"pl": "Budżet Obywatelski 2024"}, Number: "BO.XIII.7/24", Pool: district,
			Title: map[string]string{"pl": "Zielony skwer przy ul. Limanowskiego", "uk": "Зелений сквер на вул. Лімановського"}, Stage: "done"},
		{Edition: "krakow-2024", Number: "BO.I.1/24", Pool: "d01", Title: map[string]string{"pl": "Gdzie indziej"}, Stage: "done"},
	}
	raw, _ := json.Marshal(projects)
	sign := func(k ed25519.PrivateKey) *wire.SignedBuilt {
		s := &wire.SignedBuilt{Edition: "krakow-2025", At: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), Projects: raw}
		s.Sign(k)
		return s
	}
	var held *wire.SignedBuilt
	r.u.o.Built = func() *wire.SignedBuilt { return held }
	_, other, _ := ed25519.GenerateKey(nil)
	held = sign(other)
	if r.u.builtScreen(size) != nil {
		t.Fatal("records signed by another key are shown")
	}
	held = sign(key)
	r.s.SetLang("uk")
	o := r.u.builtScreen(size)
	if o == nil {
		t.Fatal("no screen")
	}
	r.w.SetContent(o)
	text := r.text()
	done, building := strings.Index(text, "Зелений сквер"), strings.Index(text, "Лавки над Віслою")
	if done < 0 || building < 0 || done > building || !strings.Contains(text, "реалізовано") || !strings.Contains(text, "01.03.2025") || strings.Contains(text, "Gdzie indziej") {
		t.Fatalf("the screen says: %s", text)
	}
	if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		f, _ := os.Create(filepath.Join(dir, "kiosk-built-uk.png"))
		png.Encode(f, r.w.Canvas().Capture())
		f.Close()
	}
}
