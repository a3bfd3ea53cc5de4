package public

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/sync/election"
)

// resultsServer serves results tallied from a few real ballots of the demo
// edition, in the given state.
func resultsServer(t *testing.T, state election.ResultsState, why election.Problems) (*httptest.Server, *election.Edition, Results) {
	t.Helper()
	ed := assets.MustDemoEdition()
	res := Results{Edition: ed, State: state, Problems: why, SetAside: 2}
	for _, pool := range []election.Pool{*ed.CityPool(), *ed.Pool(ed.Districts()[0].ID)} {
		prof := &election.Profile{Budget: pool.Budget, Unit: 100}
		ps := ed.ProjectsIn(pool.ID)
		for _, pr := range ps {
			prof.Projects = append(prof.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
		}
		for v := range 9 {
			prof.Votes = append(prof.Votes, []election.Mark{{Project: v % 2, Points: 3}, {Project: 2, Points: 2}, {Project: len(ps) - 1, Points: 1}})
		}
		r, err := prof.Allocate(election.Rule{Name: "greedy", Tie: election.TieCatalogOrder})
		if err != nil {
			t.Fatal(err)
		}
		res.Pools = append(res.Pools, PoolResult{Pool: pool.ID, Voters: len(prof.Votes), Result: r})
	}
	p := &ResultsPages{Results: func(context.Context) (Results, error) { return res, nil }, Msgs: assets.MustMessages()}
	mux := http.NewServeMux()
	p.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, ed, res
}

// TestResultsPage: per pool, in three languages, the page says the
// results' state and why, the winners, the money left and the rule, and
// has a chart with its figures as a table (main had no public results).
func TestResultsPage(t *testing.T) {
	srv, ed, res := resultsServer(t, election.Provisional, election.Problems{{Key: "results.point_pending", Detail: "k-1"}})
	district := res.Pools[1]
	winner := ed.Project(district.Result.Winners[0])
	cases := map[string]struct {
		lang string
		want []string
	}{
		"pl": {"pl", []string{"Stan wyników:", "wstępne", "Punkt k-1: karty są jeszcze w drodze.", "Wybrane projekty", "Zostaje w puli:",
			"Zasada podziału pieniędzy: kolejno według punktów", "Przy remisie: wygrywa projekt wyżej na liście", winner.Title.In("pl"), "Odłożone karty: 2"}},
		"en": {"en", []string{"State of the results:", "provisional", "Selected projects", "Left in the pool:", "How the money is allocated:", winner.Title.In("en"), "Ballots set aside: 2"}},
		"uk": {"uk", []string{"Стан результатів:", "попередні", "Обрані проєкти", "Залишається в пулі:", "Правило розподілу коштів:", winner.Title.In("uk"), "Відкладені бюлетені: 2"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, page := get(t, srv.URL+"/results/"+district.Pool+"?lang="+c.lang)
			if code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			for _, w := range c.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			// the chart is an image with a name and a description, and each bar's figure is in the table too
			if !strings.Contains(page, `role="img" aria-labelledby="chart-`+district.Pool+`-title chart-`+district.Pool+`-desc"`) {
				t.Error("the chart has no accessible name")
			}
			for _, s := range district.Result.Projects {
				if !strings.Contains(page, ed.Project(s.ID).Title.In(c.lang)) {
					t.Errorf("the table lacks project %s", s.ID)
				}
			}
			if n := strings.Count(page, "<rect "); n != len(district.Result.Projects) {
				t.Errorf("%d bars for %d projects", n, len(district.Result.Projects))
			}
		})
	}
	if code, _ := get(t, srv.URL+"/results/nope"); code != http.StatusNotFound {
		t.Fatalf("unknown pool: %d", code)
	}
	if _, page := get(t, srv.URL+"/results?lang=en"); !strings.Contains(page, `aria-current="page"`) || !strings.Contains(page, "<h1>"+ed.CityPool().Name.In("en")) {
		t.Fatal("/results does not show the first pool")
	}
}

// TestResultsPageInChromium looks at the final results in headless Chromium.
func TestResultsPageInChromium(t *testing.T) {
	srv, ed, res := resultsServer(t, election.Final, nil)
	b := browser.StartWith(t, "--window-size=900,1400")
	b.Go(srv.URL + "/results/" + res.Pools[1].Pool + "?lang=pl")
	b.Wait("/results/"+res.Pools[1].Pool, "ostateczne")
	bars := b.Eval(`return Array.from(document.querySelectorAll('svg rect')).filter(r => r.getBBox().width > 0).length`)
	if n, _ := bars.(float64); n < 3 {
		t.Fatalf("the chart did not render: %v bars", bars)
	}
	if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		b.Screenshot(filepath.Join(dir, "results-"+ed.Districts()[0].ID+"-pl.png"))
		b.Go(srv.URL + "/results?lang=uk")
		b.Wait("/results", "остаточні")
		b.Screenshot(filepath.Join(dir, "results-city-uk.png"))
	}
}
