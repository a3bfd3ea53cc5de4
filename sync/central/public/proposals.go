package public

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed proposals.html
var proposalsFS embed.FS

var proposalPages = template.Must(template.New("").ParseFS(proposalsFS, "proposals.html"))

// Proposals serves residents' proposals under /proposals: the form, the
// public list with its open-data export, a proposal's public history, and
// the applicant's status page (tracker and secret) with the fix, protest
// and withdrawal forms of the phase in force, and the PDF confirmation
// with the support list. Every form is a POST that must come from this
// site (Sec-Fetch-Site or Origin), so another site cannot make a resident's
// browser submit, protest or withdraw.
type Proposals struct {
	Desk *proposals.Desk
	Msgs assets.Messages
	// Log receives the pages' failures (slog.Default without one).
	Log *slog.Logger
}

// fail answers 500 with the translated general sentence and logs why, with
// no personal data: the event, the page and the Go error only.
func (p *Proposals) fail(w http.ResponseWriter, r *http.Request, event string, err error) {
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	log.Error(event, "path", r.URL.Path, "err", err.Error())
	http.Error(w, p.Msgs.T(pageLang(r), "proposals.error"), http.StatusInternalServerError)
}

// Routes adds the pages to mux.
func (p *Proposals) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /proposals", p.list)
	mux.HandleFunc("GET /proposals/export.csv", p.export)
	mux.HandleFunc("GET /proposals/export.json", p.export)
	mux.HandleFunc("GET /proposals/p/{id}", p.detail)
	mux.HandleFunc("GET /proposals/results.pdf", p.results)
	mux.HandleFunc("GET /proposals/new", p.form)
	mux.HandleFunc("POST /proposals/new", sameSite(p.submit))
	mux.HandleFunc("GET /proposals/status", p.statusForm)
	mux.HandleFunc("POST /proposals/status", sameSite(p.status))
	mux.HandleFunc("POST /proposals/status/{action}", sameSite(p.act))
	mux.HandleFunc("POST /proposals/pdf", sameSite(p.pdf))
}

// perPage is how many proposals a page of the list shows (a phone's worth).
const perPage = 100

// maxForm bounds a form's body.
const maxForm = 64 << 10

// SameOrigin reports whether a form was posted by a page of this site.
func SameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		return s == "same-origin"
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func sameSite(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !SameOrigin(r) {
			http.Error(w, assets.MustMessages().T(pageLang(r), "proposals.cross_site"), http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			http.Error(w, assets.MustMessages().T(pageLang(r), "proposals.form_large"), http.StatusRequestEntityTooLarge)
			return
		}
		h(w, r)
	}
}

type opt struct {
	ID, Name string
	On       bool
}

type formData struct {
	Pool, Title, Summary, Description, Location, Category, Cost, Contact string
}

type histView struct{ What, When, Detail, Reason string }

type proposalView struct {
	ID, Title, Status, Number, Pool, Cost, UnitCost, Summary, Description, Location, FixBy string
	History                                                                                []histView
}

type rowView struct {
	Href, Title, Number, Category, Pool, Cost, Status, Reason string
}

type proposalPage struct {
	Lang, Title, Edition, Phase string
	Langs                       []string
	LangLinks                   []opt // ID: the language, Name: the link
	T                           func(string, ...any) string
	Problems                    []string
	Pools, Categories, Statuses []opt
	Form                        formData
	CostHelp                    string
	Rows                        []rowView
	CSV, JSON, ResultsPDF       string
	Total                       int
	Prev, Next                  string
	P                           *proposalView
	Tracker, Secret             string
	Closed                      bool
	CanFix, CanProtest          bool
	CanWithdraw                 bool
}

func (p *Proposals) base(r *http.Request, ed *election.Edition, title string) proposalPage {
	lang := pageLang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	d := proposalPage{Lang: lang, Langs: assets.Languages, T: t, Title: t(title), Edition: ed.Name.In(lang)}
	// the language links keep the page's filters (a GET page's query)
	for _, l := range assets.Languages {
		q := url.Values{}
		if r.Method == http.MethodGet {
			q = r.URL.Query()
		}
		q.Set("lang", l)
		q.Del("page")
		d.LangLinks = append(d.LangLinks, opt{ID: l, Name: "?" + q.Encode()})
	}
	now := p.Desk.Now()
	if ph, ok := ed.PhaseAt(now); ok {
		d.Phase = t("proposals.phase_now", "phase", t("proposals.phase."+string(ph.Kind)), "until", ph.Ends.In(ed.Location()).Format("2006-01-02 15:04"))
	} else if ph, ok := ed.NextPhase(now); ok {
		d.Phase = t("proposals.phase_next", "phase", t("proposals.phase."+string(ph.Kind)), "from", ph.Starts.In(ed.Location()).Format("2006-01-02 15:04"))
	}
	return d
}

func (p *Proposals) edition(w http.ResponseWriter, r *http.Request) *election.Edition {
	ed, err := p.Desk.Edition(r.Context())
	if err != nil {
		http.Error(w, p.Msgs.T(pageLang(r), proposals.KeyNoEdition), http.StatusServiceUnavailable)
		return nil
	}
	return ed
}

func (p *Proposals) render(w http.ResponseWriter, name string, code int, d proposalPage) {
	var buf bytes.Buffer
	if err := proposalPages.ExecuteTemplate(&buf, name, d); err != nil {
		log := p.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("proposal-page-failed", "page", name, "err", err.Error())
		http.Error(w, p.Msgs.T(d.Lang, "proposals.error"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// same-origin: the browser still tells this site where a form came from
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// problems translates an error for a resident; errors that are not the
// domain's become one general sentence (the Go text is never shown).
func (p *Proposals) problems(lang string, err error) []string {
	var ps election.Problems
	var one election.Problem
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &one):
		ps = election.Problems{one}
	default:
		return []string{p.Msgs.T(lang, "proposals.error")}
	}
	var out []string
	for _, pr := range ps {
		out = append(out, p.Msgs.T(lang, pr.Key, "min", pr.Detail, "max", pr.Detail, "date", pr.Detail))
	}
	return out
}

func (p *Proposals) pools(ed *election.Edition, lang, on string) []opt {
	var out []opt
	for _, pool := range ed.Pools {
		out = append(out, opt{ID: pool.ID, Name: pool.Name.In(lang), On: pool.ID == on})
	}
	return out
}

func (p *Proposals) categories(lang, on string) []opt {
	var out []opt
	for _, c := range election.Categories {
		out = append(out, opt{ID: string(c), Name: p.Msgs.T(lang, "ui.cat."+string(c)), On: string(c) == on})
	}
	return out
}

var listStatuses = []civic.Status{civic.Submitted, civic.NeedsFix, civic.FormallyOK, civic.Accepted, civic.Rejected, civic.Protested,
	civic.Restored, civic.Upheld, civic.Withdrawn, civic.Merged, civic.OnBallot}

func (p *Proposals) filter(r *http.Request) proposals.Filter {
	q := r.URL.Query()
	return proposals.Filter{Pool: clip(q.Get("d")), Status: civic.Status(clip(q.Get("s"))), Category: election.Category(clip(q.Get("c")))}
}

func (p *Proposals) list(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	d := p.base(r, ed, "proposals.list.title")
	f := p.filter(r)
	rs, err := p.Desk.List(r.Context(), f)
	if err != nil {
		d.Problems = p.problems(d.Lang, err)
	}
	d.Pools = p.pools(ed, d.Lang, f.Pool)
	d.Categories = p.categories(d.Lang, string(f.Category))
	for _, s := range listStatuses {
		d.Statuses = append(d.Statuses, opt{ID: string(s), Name: d.T("proposals.st." + string(s)), On: s == f.Status})
	}
	q := r.URL.Query()
	q.Del("lang")
	q.Del("page")
	d.CSV, d.JSON = "/proposals/export.csv?"+q.Encode(), "/proposals/export.json?"+q.Encode()
	if f.Pool != "" && ed.Pool(f.Pool) != nil {
		d.ResultsPDF = "/proposals/results.pdf?" + url.Values{"d": {f.Pool}, "lang": {d.Lang}}.Encode()
	}
	d.Total = len(rs)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(1, min(page, (len(rs)+perPage-1)/perPage))
	link := func(n int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		v.Set("lang", d.Lang)
		return "/proposals?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if page*perPage < len(rs) {
		d.Next = link(page + 1)
	}
	rs = rs[min(len(rs), (page-1)*perPage):min(len(rs), page*perPage)]
	for _, rec := range rs {
		o := proposals.OpenOf(rec.Proposal)
		pool := o.Pool
		if pl := ed.Pool(o.Pool); pl != nil {
			pool = pl.Name.In(d.Lang)
		}
		row := rowView{Href: "/proposals/p/" + url.PathEscape(o.ID) + "?lang=" + d.Lang, Title: o.Title, Number: o.Number, Pool: pool,
			Cost: Money(d.Lang, rec.Proposal.BallotCost(), false), Status: d.T("proposals.st." + string(o.Status)), Reason: o.Reason}
		if o.Category != "" {
			row.Category = d.T("ui.cat." + string(o.Category))
		}
		d.Rows = append(d.Rows, row)
	}
	p.render(w, "list.html", http.StatusOK, d)
}

func (p *Proposals) export(w http.ResponseWriter, r *http.Request) {
	if p.edition(w, r) == nil {
		return
	}
	rs, err := p.Desk.List(r.Context(), p.filter(r))
	if err != nil {
		p.fail(w, r, "proposal-export-failed", err)
		return
	}
	var buf bytes.Buffer
	if strings.HasSuffix(r.URL.Path, ".csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="proposals.csv"`)
		err = proposals.ExportCSV(&buf, rs)
	} else {
		w.Header().Set("Content-Type", "application/json")
		err = proposals.ExportJSON(&buf, rs)
	}
	if err != nil {
		p.fail(w, r, "proposal-export-failed", err)
		return
	}
	w.Write(buf.Bytes())
}

// view is what a page shows of p; private adds the applicant's own words.
func (p *Proposals) view(ed *election.Edition, lang string, pr civic.Proposal, private bool) *proposalView {
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	when := func(at time.Time) string { return at.In(ed.Location()).Format("2006-01-02 15:04") }
	v := &proposalView{ID: pr.ID, Title: pr.Title, Status: t("proposals.st." + string(pr.Status)), Number: pr.Number, Pool: pr.Pool,
		Cost: Money(lang, pr.Cost, false), Summary: pr.Summary, Description: pr.Description, Location: pr.Location}
	if pl := ed.Pool(pr.Pool); pl != nil {
		v.Pool = pl.Name.In(lang)
	}
	if pr.UnitCost > 0 {
		v.UnitCost = Money(lang, pr.UnitCost, false)
	}
	if !pr.FixBy.IsZero() && pr.Status == civic.NeedsFix {
		v.FixBy = when(pr.FixBy)
	}
	for _, ev := range pr.History {
		if ev.Kind == proposals.EvHeld || ev.Kind == proposals.EvReleased {
			continue
		}
		h := histView{What: t("proposals.ev." + string(ev.Kind)), When: when(ev.At)}
		switch ev.Kind {
		case civic.EvUphold, civic.EvRestore:
			if ev.Detail != "" {
				h.Detail = t("proposals.hearing", "date", ev.Detail)
			}
		case civic.EvMerge, civic.EvNumbered, civic.EvAssign:
			h.Detail = ev.Detail
		case civic.EvMeritPass:
			if c, err := strconv.ParseInt(ev.Detail, 10, 64); err == nil && c > 0 {
				h.Detail = t("proposals.unit_cost") + ": " + Money(lang, c, false)
			}
		case civic.EvFixed:
			if private && ev.Detail != "" {
				var names []string
				for _, f := range strings.Split(ev.Detail, ", ") {
					names = append(names, t("proposals.f."+f))
				}
				h.Detail = strings.Join(names, ", ")
			}
		}
		if ev.Actor != "applicant" || private {
			h.Reason = ev.Reason
		}
		v.History = append(v.History, h)
	}
	return v
}

func (p *Proposals) detail(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	d := p.base(r, ed, "proposals.list.title")
	rec, err := p.Desk.Record(r.Context(), r.PathValue("id"))
	if err != nil || rec.Held != "" || rec.Proposal.Edition != ed.ID {
		d.Problems = []string{d.T(proposals.KeyNotFound)}
		p.render(w, "detail.html", http.StatusNotFound, d)
		return
	}
	d.P = p.view(ed, d.Lang, rec.Proposal, false)
	p.render(w, "detail.html", http.StatusOK, d)
}

func (p *Proposals) formOf(ed *election.Edition, d *proposalPage, f formData) {
	d.Form = f
	d.Pools = p.pools(ed, d.Lang, f.Pool)
	d.Categories = p.categories(d.Lang, f.Category)
	if ed.Proposals != nil {
		var parts []string
		if g := ed.Proposals.CostGuide.In(d.Lang); g != "" {
			parts = append(parts, g)
		}
		for _, k := range []election.PoolKind{election.CityWide, election.District} {
			if lim, ok := ed.Proposals.CostLimits[k]; ok {
				parts = append(parts, d.T("proposals.limits."+string(k), "min", Money(d.Lang, lim.Min, false), "max", Money(d.Lang, lim.Max, false)))
			}
		}
		d.CostHelp = strings.Join(parts, " ")
	}
}

func (p *Proposals) form(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	d := p.base(r, ed, "proposals.new.title")
	d.Closed = !ed.Allows(election.ActSubmit, p.Desk.Now())
	p.formOf(ed, &d, formData{})
	p.render(w, "new.html", http.StatusOK, d)
}

func formOf(r *http.Request) formData {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return formData{Pool: v("pool"), Title: v("title"), Summary: v("summary"), Description: v("description"), Location: v("location"),
		Category: v("category"), Cost: v("cost"), Contact: v("contact")}
}

// ParseCost reads a cost typed in złoty ("150 000", "150000,50", "150 000 zł") as grosze.
// A number of whole złoty too large for any budget is read as the largest
// cost, so the form says "too high" rather than that it cannot read it.
func ParseCost(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "zł", "", "зл", "", "PLN", "", "pln", "").Replace(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || !digits(whole) || (frac != "" && !digits(frac)) {
		return 0, false
	}
	if whole = strings.TrimLeft(whole, "0"); len(whole) > 15 {
		return math.MaxInt64, true
	}
	zl, _ := strconv.ParseInt("0"+whole, 10, 64)
	gr, _ := strconv.ParseInt(frac+"00"[len(frac):], 10, 64)
	return zl*100 + gr, true
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func draftOf(f formData, lang string) civic.Draft {
	cost, ok := ParseCost(f.Cost)
	if !ok {
		cost = -1 // civic.Check: "type the cost in złoty"
	}
	return civic.Draft{Pool: f.Pool, Lang: lang, Title: f.Title, Summary: f.Summary, Description: f.Description, Location: f.Location,
		Category: election.Category(f.Category), Cost: cost}
}

// refusal is the status code of a refused form: 429 with Retry-After for a
// limit, else 422.
func refusal(w http.ResponseWriter, err error) int {
	if s := proposals.RetryAfter(err); s != "" {
		w.Header().Set("Retry-After", s)
		return http.StatusTooManyRequests
	}
	return http.StatusUnprocessableEntity
}

func addr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (p *Proposals) submit(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	f := formOf(r)
	rc, err := p.Desk.Submit(r.Context(), draftOf(f, pageLang(r)), f.Contact, addr(r))
	if err != nil {
		d := p.base(r, ed, "proposals.new.title")
		d.Problems = p.problems(d.Lang, err)
		d.Closed = !ed.Allows(election.ActSubmit, p.Desk.Now())
		p.formOf(ed, &d, f)
		p.render(w, "new.html", refusal(w, err), d)
		return
	}
	d := p.base(r, ed, "proposals.done.title")
	d.P = p.view(ed, d.Lang, rc.Proposal, true)
	d.Tracker, d.Secret = proposals.Group(rc.Tracker), proposals.Group(rc.Secret)
	p.render(w, "done.html", http.StatusOK, d)
}

func (p *Proposals) statusForm(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	d := p.base(r, ed, "proposals.status.title")
	d.Tracker = clip(r.URL.Query().Get("t"))
	p.render(w, "status.html", http.StatusOK, d)
}

// withdrawable are the statuses an applicant may withdraw from.
var withdrawable = []civic.Status{civic.Submitted, civic.NeedsFix, civic.FormallyOK, civic.Accepted, civic.Rejected, civic.Protested}

func (p *Proposals) showStatus(w http.ResponseWriter, r *http.Request, ed *election.Edition, code int, problems []string) {
	d := p.base(r, ed, "proposals.status.title")
	d.Problems = problems
	tracker, secret := r.PostFormValue("tracker"), r.PostFormValue("secret")
	rec, err := p.Desk.Look(r.Context(), tracker, secret, addr(r))
	if err != nil {
		d.Problems = append(d.Problems, p.problems(d.Lang, err)...)
		d.Tracker = clip(tracker)
		p.render(w, "status.html", refusal(w, err), d)
		return
	}
	pr := rec.Proposal
	d.P = p.view(ed, d.Lang, pr, true)
	d.Tracker, d.Secret = proposals.Group(rec.Tracker), clip(secret)
	now := p.Desk.Now()
	d.CanFix = pr.Status == civic.NeedsFix && ed.Allows(election.ActFix, now)
	d.CanProtest = pr.Status == civic.Rejected && ed.Allows(election.ActProtest, now)
	d.CanWithdraw = slices.Contains(withdrawable, pr.Status)
	if d.CanFix {
		p.formOf(ed, &d, formData{Pool: pr.Pool, Title: pr.Title, Summary: pr.Summary, Description: pr.Description, Location: pr.Location,
			Category: string(pr.Category), Cost: strings.TrimSuffix(strings.TrimSuffix(election.FormatPLN(pr.Cost), " zł"), ",00")})
	}
	p.render(w, "status.html", code, d)
}

func (p *Proposals) status(w http.ResponseWriter, r *http.Request) {
	if ed := p.edition(w, r); ed != nil {
		p.showStatus(w, r, ed, http.StatusOK, nil)
	}
}

func (p *Proposals) act(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	kinds := map[string]civic.EventKind{"fix": civic.EvFixed, "withdraw": civic.EvWithdraw, "protest": civic.EvProtest}
	kind, ok := kinds[r.PathValue("action")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if kind == civic.EvWithdraw && r.PostFormValue("confirm") != "yes" {
		// withdrawing is final: the resident ticks that they know it
		p.showStatus(w, r, ed, http.StatusUnprocessableEntity, []string{p.Msgs.T(pageLang(r), "proposals.withdraw_final")})
		return
	}
	var fix *civic.Draft
	if kind == civic.EvFixed {
		dr := draftOf(formOf(r), pageLang(r))
		fix = &dr
	}
	_, err := p.Desk.Applicant(r.Context(), r.PostFormValue("tracker"), r.PostFormValue("secret"), addr(r), kind, r.PostFormValue("reason"), fix)
	if err != nil {
		p.showStatus(w, r, ed, http.StatusUnprocessableEntity, p.problems(pageLang(r), err))
		return
	}
	p.showStatus(w, r, ed, http.StatusOK, nil)
}

func (p *Proposals) pdf(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	rec, err := p.Desk.Look(r.Context(), r.PostFormValue("tracker"), r.PostFormValue("secret"), addr(r))
	if err != nil {
		p.showStatus(w, r, ed, http.StatusUnprocessableEntity, nil)
		return
	}
	doc, err := ConfirmationPDF(ed, p.Msgs, pageLang(r), rec.Proposal, proposals.Group(rec.Tracker), proposals.Group(clip(r.PostFormValue("secret"))), p.Desk.Now())
	if err != nil {
		p.fail(w, r, "proposal-pdf-failed", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rec.Proposal.ID+`.pdf"`)
	w.Write(doc)
}
