// Package public holds the central's pages that anyone may open without
// signing in. The ballot planner lets a resident decide at home: browse
// and search the projects of the city-wide pool and of a district, pick them
// by the edition's rules, and take a plan code (QR and typed) to a kiosk.
// Pages are server-rendered and work without JavaScript; the plan lives in
// the page's address only: the central stores nothing about it.
package public

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed planner.html
var pagesFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pln": election.FormatPLN,
	"add": func(a, b int) int { return a + b },
}).ParseFS(pagesFS, "*.html"))

// Planner serves the ballot planner under /plan.
type Planner struct {
	// Edition returns the edition whose vote the planner prepares.
	Edition func(context.Context) (*election.Edition, error)
	Msgs    assets.Messages
}

// Routes adds the planner's pages to mux.
func (p *Planner) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /plan", p.page)
	mux.HandleFunc("GET /plan/qr.png", p.qr)
	mux.HandleFunc("GET /plan/paper.pdf", p.paper)
}

// maxQuery bounds the search text and the code a request may carry.
const maxQuery = 200

// state is the plan as the address carries it.
type state struct {
	ballot election.Ballot
	query  string
	lang   string
}

// pageData is what the template shows.
type pageData struct {
	Lang, Title, Edition string
	Langs                []string
	T                    func(string, ...any) string
	Districts            []link
	District             string
	DistrictName         string
	Query                string
	Pools                []poolView
	Code                 string
	QR                   string
	Complete             bool
	Problems             []string
	Notice               string
	StartOver            string
	Paper                string
	Closed               bool
}

type link struct {
	Name, Href string
	On         bool
}

type poolView struct {
	ID, Name, Rule string
	Budget         int64
	Spent          int64
	Picked         []pickView
	Projects       []projectView
	Hidden         int // projects the search left out
}

type pickView struct {
	Number, Title string
	Points        int
	Remove        string
}

type projectView struct {
	ID, Number, Title, Summary, Location, Category string
	Cost                                           int64
	Fallback                                       bool // shown in Polish: no text in the page's language
	Actions                                        []link
	Picked                                         bool
}

func (p *Planner) page(w http.ResponseWriter, r *http.Request) {
	ed, err := p.Edition(r.Context())
	lang := pageLang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	if err != nil || ed == nil {
		http.Error(w, t("plan.no_edition"), http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	st := state{lang: lang, query: clip(q.Get("q")), ballot: election.Ballot{Edition: ed.ID}}
	d := pageData{Lang: lang, Langs: assets.Languages, T: t, Title: t("plan.title"), Edition: ed.Name.In(lang)}
	if code := clip(q.Get("c")); code != "" {
		b, ps, err := election.DecodePlan(ed, code)
		if err != nil {
			d.Notice = t(problemKey(err))
		} else {
			st.ballot = b
			for _, pr := range ps {
				d.Notice = t(pr.Key)
			}
		}
	}
	if dist := q.Get("d"); dist != "" && dist != st.ballot.District {
		if pool := ed.Pool(dist); pool != nil && pool.Kind == election.District {
			st.ballot = election.Ballot{Edition: ed.ID, District: dist}
		}
	}
	// An action: give project pr the points n in its pool (n < 0 removes it).
	if pr := ed.Project(q.Get("p")); pr != nil && st.ballot.District != "" {
		n, _ := strconv.Atoi(q.Get("n"))
		st.ballot = apply(ed, st.ballot, pr, n)
	}
	for _, dp := range ed.Districts() {
		b := election.Ballot{Edition: ed.ID, District: dp.ID}
		if city := ed.CityPool(); city != nil && len(st.ballot.Selection(city.ID).Choices) > 0 {
			b.Selections = []election.Selection{st.ballot.Selection(city.ID)}
		}
		d.Districts = append(d.Districts, link{Name: poolName(dp, lang), Href: p.href(ed, state{lang: lang, ballot: b}), On: dp.ID == st.ballot.District})
	}
	d.StartOver = "/plan?lang=" + lang
	if st.ballot.District == "" {
		p.render(w, d)
		return
	}
	d.District = st.ballot.District
	d.Paper = "/plan/paper.pdf?" + url.Values{"d": {st.ballot.District}, "lang": {lang}}.Encode()
	d.DistrictName = poolName(*ed.Pool(st.ballot.District), lang)
	d.Query = st.query
	for _, pool := range ed.BallotPools(st.ballot.District) {
		d.Pools = append(d.Pools, p.poolView(ed, st, pool))
	}
	code, err := election.EncodePlan(ed, st.ballot)
	if err == nil {
		d.Code = code
		d.QR = "/plan/qr.png?c=" + url.QueryEscape(code)
	}
	ps := ed.Validate(st.ballot)
	d.Complete = len(ps) == 0
	for _, pr := range ps {
		d.Problems = append(d.Problems, poolPrefix(ed, pr, lang, t)+t(pr.Key, "points", pointsList(ed, pr.Pool), "need", need(ed, st.ballot, pr.Pool)))
	}
	p.render(w, d)
}

func (p *Planner) render(w http.ResponseWriter, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := pages.ExecuteTemplate(w, "planner.html", d); err != nil {
		http.Error(w, "template", http.StatusInternalServerError)
	}
}

func (p *Planner) poolView(ed *election.Edition, st state, pool election.Pool) poolView {
	rule, _ := ed.Rule(&pool)
	sel := st.ballot.Selection(pool.ID)
	v := poolView{ID: pool.ID, Name: poolName(pool, st.lang), Budget: pool.Budget, Rule: ruleText(p.Msgs, st.lang, rule)}
	picked := map[string]int{}
	for _, c := range sel.Choices {
		picked[c.Project] = c.Points
		pr := ed.Project(c.Project)
		if pr == nil {
			continue
		}
		v.Spent += pr.Cost
		v.Picked = append(v.Picked, pickView{Number: pr.Number, Title: pr.Title.In(st.lang), Points: c.Points,
			Remove: p.href(ed, st.with(apply(ed, st.ballot, pr, -1)))})
	}
	slices.SortStableFunc(v.Picked, func(a, b pickView) int { return b.Points - a.Points })
	q := strings.ToLower(st.query)
	for _, pr := range ed.ProjectsIn(pool.ID) {
		title := pr.Title.In(st.lang)
		if q != "" && !strings.Contains(strings.ToLower(title), q) && !strings.Contains(strings.ToLower(pr.Title.In("pl")), q) &&
			!strings.Contains(strings.ToLower(pr.Number), q) {
			v.Hidden++
			continue
		}
		pv := projectView{ID: pr.ID, Number: pr.Number, Title: title, Summary: pr.Summary.In(st.lang), Cost: pr.Cost,
			Category: p.Msgs.T(st.lang, "ui.cat."+string(pr.Category)), Fallback: pr.Title[st.lang] == "" && st.lang != "pl"}
		_, pv.Picked = picked[pr.ID]
		switch rule.Kind {
		case election.Points:
			for _, n := range rule.Points {
				key := "plan.give_points"
				if n == 1 {
					key = "plan.give_point"
				}
				label := p.Msgs.T(st.lang, key, "n", n)
				pv.Actions = append(pv.Actions, link{Name: label, Href: p.hrefTo(ed, st.with(apply(ed, st.ballot, &pr, n)), "p-"+pr.ID), On: pv.Picked && picked[pr.ID] == n})
			}
		default:
			if pv.Picked {
				pv.Actions = append(pv.Actions, link{Name: p.Msgs.T(st.lang, "plan.remove"), Href: p.hrefTo(ed, st.with(apply(ed, st.ballot, &pr, -1)), "p-"+pr.ID), On: true})
			} else {
				pv.Actions = append(pv.Actions, link{Name: p.Msgs.T(st.lang, "plan.choose"), Href: p.hrefTo(ed, st.with(apply(ed, st.ballot, &pr, 0)), "p-"+pr.ID)})
			}
		}
		v.Projects = append(v.Projects, pv)
	}
	return v
}

func (s state) with(b election.Ballot) state { s.ballot = b; return s }

// href is the address of the page showing st: the plan travels as its code.
func (p *Planner) href(ed *election.Edition, st state) string {
	return p.hrefTo(ed, st, "pools")
}

// hrefTo is href landing at anchor, so that a tap keeps the resident where
// they were on a long list.
func (p *Planner) hrefTo(ed *election.Edition, st state, anchor string) string {
	v := url.Values{"lang": {st.lang}, "d": {st.ballot.District}}
	if code, err := election.EncodePlan(ed, st.ballot); err == nil {
		v.Set("c", strings.ReplaceAll(code, "-", ""))
	}
	if st.query != "" {
		v.Set("q", st.query)
	}
	return "/plan?" + v.Encode() + "#" + anchor
}

// apply gives project pr the points n in its pool: under a points rule the
// project that had n before loses it; n < 0 removes pr.
func apply(ed *election.Edition, b election.Ballot, pr *election.Project, n int) election.Ballot {
	pool := ed.Pool(pr.Pool)
	if pool == nil || !slices.ContainsFunc(ed.BallotPools(b.District), func(p election.Pool) bool { return p.ID == pool.ID }) {
		return b
	}
	rule, _ := ed.Rule(pool)
	out := election.Ballot{Edition: b.Edition, District: b.District}
	for _, p := range ed.BallotPools(b.District) {
		sel := election.Selection{Pool: p.ID}
		for _, c := range b.Selection(p.ID).Choices {
			if c.Project == pr.ID || (p.ID == pool.ID && rule.Kind == election.Points && n >= 0 && c.Points == n) {
				continue
			}
			sel.Choices = append(sel.Choices, c)
		}
		if p.ID == pool.ID && n >= 0 {
			if rule.Kind != election.Points {
				n = 0
			} else if !slices.Contains(rule.Points, n) {
				n = rule.Points[0]
			}
			sel.Choices = append(sel.Choices, election.Choice{Project: pr.ID, Points: n})
		}
		if len(sel.Choices) > 7 {
			sel.Choices = sel.Choices[:7]
		}
		if len(sel.Choices) > 0 {
			out.Selections = append(out.Selections, sel)
		}
	}
	return out
}

func (p *Planner) qr(w http.ResponseWriter, r *http.Request) {
	code := clip(r.URL.Query().Get("c"))
	ed, err := p.Edition(r.Context())
	if err != nil || ed == nil {
		http.Error(w, "no edition", http.StatusServiceUnavailable)
		return
	}
	// Only a code that reads as a plan of this edition becomes a picture.
	if _, _, err := election.DecodePlan(ed, code); err != nil {
		http.Error(w, "not a plan code", http.StatusBadRequest)
		return
	}
	png, err := qrcode.Encode(strings.ReplaceAll(strings.ToUpper(code), "-", ""), qrcode.Medium, 320)
	if err != nil {
		http.Error(w, "qr", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

func clip(s string) string {
	if len(s) > maxQuery {
		s = s[:maxQuery]
	}
	return strings.TrimSpace(s)
}

func problemKey(err error) string {
	var p election.Problem
	if ok := asProblem(err, &p); ok {
		return p.Key
	}
	return election.KeyPlanUnreadable
}

func asProblem(err error, p *election.Problem) bool {
	if e, ok := err.(election.Problem); ok {
		*p = e
		return true
	}
	return false
}

func poolName(p election.Pool, lang string) string {
	return p.Name.In(lang)
}

func poolPrefix(ed *election.Edition, pr election.Problem, lang string, t func(string, ...any) string) string {
	if pool := ed.Pool(pr.Pool); pool != nil {
		return pool.Name.In(lang) + ": "
	}
	return ""
}

func pointsList(ed *election.Edition, pool string) string {
	p := ed.Pool(pool)
	if p == nil {
		return ""
	}
	r, _ := ed.Rule(p)
	var s []string
	for _, n := range r.Points {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, "-")
}

func need(ed *election.Edition, b election.Ballot, pool string) int {
	p := ed.Pool(pool)
	if p == nil {
		return 0
	}
	r, _ := ed.Rule(p)
	want := r.Min
	if r.Kind == election.Points {
		want = len(r.Points)
	}
	return max(0, want-len(b.Selection(pool).Choices))
}

func ruleText(m assets.Messages, lang string, r election.BallotRule) string {
	switch r.Kind {
	case election.Points:
		return m.T(lang, "plan.rule.points", "n", len(r.Points), "points", joinInts(r.Points))
	case election.Approval:
		return m.T(lang, "plan.rule.approval", "min", r.Min, "max", r.Max)
	default:
		return m.T(lang, "plan.rule.knapsack")
	}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, "-")
}

// pageLang picks pl, en or uk from ?lang= or Accept-Language.
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(assets.Languages, l) {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		for _, l := range assets.Languages {
			if tag == l || strings.HasPrefix(tag, l+"-") {
				return l
			}
		}
	}
	return "pl"
}
