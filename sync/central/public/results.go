package public

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed results.html
var resultsFS embed.FS

var resultsPage = template.Must(template.New("").Funcs(template.FuncMap{"pln": election.FormatPLN}).ParseFS(resultsFS, "results.html"))

// Results are an edition's results as the public page shows them.
type Results struct {
	Edition  *election.Edition
	Pools    []PoolResult
	State    election.ResultsState
	Problems election.Problems // why the results are not final yet
	// SetAside is how many stored ballots do not count (an earlier ballot
	// of the same voter does), listed beside the results.
	SetAside int
	// Signed is the kept signed results document; nil when none is.
	Signed *Signed
}

// Signed is what the page says of the kept signed results document.
type Signed struct {
	At          time.Time
	Fingerprint string // the edition key's, as printed at the voting points
	// Current: the document's results are the results tallied now (else
	// something changed after it was signed).
	Current bool
}

// PoolResult is one pool's outcome.
type PoolResult struct {
	Pool   string
	Voters int
	Result election.Result
}

// ResultsPages serve the results per pool under /results, in Polish,
// English and Ukrainian: winners, the money left, the rule used, the
// results' state, and a bar chart with the same figures as a table.
type ResultsPages struct {
	// Results tallies the results and says what state they are in.
	Results func(context.Context) (Results, error)
	// Signed returns the kept signed results document as signed (nil, or
	// an error, when there is none).
	Signed func(context.Context) ([]byte, error)
	Msgs   assets.Messages
}

// Routes adds the results pages to mux.
func (p *ResultsPages) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /results", p.page)
	mux.HandleFunc("GET /results/{pool}", p.page)
	mux.HandleFunc("GET /results/signed.json", p.signed)
	mux.HandleFunc("GET /results/poster.pdf", p.poster)
}

// signed serves the kept signed results document, byte for byte, for
// urna-central verify-results.
func (p *ResultsPages) signed(w http.ResponseWriter, r *http.Request) {
	var raw []byte
	var err error
	if p.Signed != nil {
		raw, err = p.Signed(r.Context())
	}
	if err != nil || raw == nil {
		http.Error(w, p.Msgs.T(pageLang(r), "pub.results.not_signed"), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="results-signed.json"`)
	w.Write(raw)
}

type resultsData struct {
	Lang, Title, Edition, StateText, StateClass, Rule, Tie string
	Langs                                                  []string
	T                                                      func(string, ...any) string
	Pools                                                  []link
	Pool                                                   *poolResultView
	Why                                                    []string
	SetAside                                               string
	Signed                                                 string // the sentence on the signed document, or ""
	SignedCurrent                                          bool
	Fingerprint                                            string
	PosterHref                                             string // the district's results poster, for a district pool
}

type poolResultView struct {
	Name, Summary, ChartID string
	Budget, Spent, Left    int64
	Voters                 int
	Winners                []scoredView
	Rows                   []scoredView
	Chart                  []barView
	ChartHeight            int
}

type scoredView struct {
	Rank, Votes   int
	Number, Title string
	Score         int64
	Cost          int64
	Funded        bool
}

type barView struct {
	Y, Width, TextY int
	Label, Value    string
	Funded          bool
}

const chartWidth = 560

func (p *ResultsPages) page(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	res, err := p.Results(r.Context())
	if err != nil || res.Edition == nil {
		http.Error(w, t("pub.results.none"), http.StatusServiceUnavailable)
		return
	}
	ed := res.Edition
	d := resultsData{Lang: lang, Langs: assets.Languages, T: t, Title: t("results.title"), Edition: ed.Name.In(lang),
		StateText: t("results.state." + string(res.State)), StateClass: stateClass[res.State]}
	for _, pr := range res.Problems {
		d.Why = append(d.Why, t(pr.Key, "kiosk", pr.Detail))
	}
	d.SetAside = t("pub.results.set_aside", "n", res.SetAside)
	if sg := res.Signed; sg != nil {
		at := sg.At.In(ed.Location()).Format("02.01.2006 15:04")
		d.Fingerprint, d.SignedCurrent = sg.Fingerprint, sg.Current
		if sg.Current {
			d.Signed = t("pub.results.signed", "at", at)
		} else {
			d.Signed = t("pub.results.signed_outdated", "at", at)
		}
	}
	want := r.PathValue("pool")
	for _, pr := range res.Pools {
		pool := ed.Pool(pr.Pool)
		if pool == nil {
			continue
		}
		d.Pools = append(d.Pools, link{Name: poolName(*pool, lang), Href: "/results/" + pool.ID + "?lang=" + lang, On: pool.ID == want})
		if pool.ID == want || (want == "" && d.Pool == nil) {
			d.Pool = p.poolView(ed, pool, pr, lang, t)
			if pool.Kind != election.CityWide {
				d.PosterHref = "/results/poster.pdf?d=" + pool.ID + "&lang=" + lang
			}
			d.Rule = t("dash.rule." + pr.Result.Rule)
			if pr.Result.TieRule != "" {
				d.Tie = t("results.tie."+string(pr.Result.TieRule), "seed", pr.Result.Seed)
			}
		}
	}
	if want != "" && ed.Pool(want) == nil {
		http.Error(w, t("pub.results.no_pool"), http.StatusNotFound)
		return
	}
	if want == "" && len(d.Pools) > 0 {
		d.Pools[0].On = true
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
	if err := resultsPage.ExecuteTemplate(w, "results.html", d); err != nil {
		http.Error(w, "template", http.StatusInternalServerError)
	}
}

var stateClass = map[election.ResultsState]string{election.Final: "ok", election.Provisional: "warn", election.Unverified: "bad"}

func (p *ResultsPages) poolView(ed *election.Edition, pool *election.Pool, pr PoolResult, lang string, t func(string, ...any) string) *poolResultView {
	v := &poolResultView{Name: poolName(*pool, lang), ChartID: "chart-" + pool.ID, Budget: pool.Budget, Spent: pr.Result.Spent,
		Left: pr.Result.Left, Voters: pr.Voters}
	var top int64
	for _, s := range pr.Result.Projects {
		top = max(top, s.Score)
	}
	byID := map[string]scoredView{}
	for i, s := range pr.Result.Projects {
		sv := scoredView{Rank: s.Rank, Votes: s.Votes, Score: s.Score, Cost: s.Cost, Funded: s.Funded}
		if proj := ed.Project(s.ID); proj != nil {
			sv.Number, sv.Title = proj.Number, proj.Title.In(lang)
		}
		byID[s.ID] = sv
		v.Rows = append(v.Rows, sv)
		width := 0
		if top > 0 {
			width = int(s.Score * chartWidth / top)
		}
		v.Chart = append(v.Chart, barView{Y: i * 28, TextY: i*28 + 17, Width: width, Label: sv.Number, Value: t("pub.results.points", "n", s.Score), Funded: s.Funded})
	}
	v.ChartHeight = len(v.Chart) * 28
	for _, id := range pr.Result.Winners {
		v.Winners = append(v.Winners, byID[id])
	}
	v.Summary = t("results.summary", "voters", pr.Voters, "budget", election.FormatPLN(pool.Budget), "spent", election.FormatPLN(pr.Result.Spent),
		"left", election.FormatPLN(pr.Result.Left), "rule", t("dash.rule."+pr.Result.Rule))
	return v
}
