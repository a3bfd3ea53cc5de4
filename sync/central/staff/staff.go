// Package staff holds the city staff's pages for residents' proposals, on
// the dashboard behind its sign-in: the list and the moderation queue, a
// proposal with its audit log (who, when, what) and the applicant's
// contact for verifiers, the steps each role records (coordinators
// assign, merge, moderate and build the ballot; verifiers record the
// formal and merit checks; the council's decisions on protests with the
// hearing's date). Forms must come from the dashboard itself.
package staff

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed staff.html
var staffFS embed.FS

var pages = template.Must(template.New("").ParseFS(staffFS, "staff.html"))

// Auth wraps a handler so that it runs only for a signed-in staff member.
type Auth func(func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc

// Pages are the staff's proposal pages.
type Pages struct {
	Desk *proposals.Desk
	Msgs assets.Messages
	Auth Auth
	// Roles are each staff member's roles; nil gives every signed-in
	// member every role (a small city's single office, and the demo).
	Roles map[string][]proposals.Role
	// RolesFile, when set, is read for the roles instead (ParseRoles),
	// again whenever it changes; without the file every signed-in member
	// has every role, and a damaged file gives no one any role.
	RolesFile string
	// Log receives a damaged roles file's error (slog.Default without one).
	Log *slog.Logger

	once  sync.Once
	roles *rolesFile
}

// Routes adds the pages to mux.
func (p *Pages) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/proposals", p.Auth(p.list))
	mux.HandleFunc("GET /dashboard/proposals/{id}", p.Auth(p.detail))
	mux.HandleFunc("POST /dashboard/proposals/build", p.Auth(sameSite(p.build)))
	mux.HandleFunc("POST /dashboard/proposals/{id}/event", p.Auth(sameSite(p.event)))
	mux.HandleFunc("POST /dashboard/proposals/{id}/moderate", p.Auth(sameSite(p.moderate)))
}

func sameSite(h func(http.ResponseWriter, *http.Request, string)) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, user string) {
		if !public.SameOrigin(r) {
			http.Error(w, assets.MustMessages().T(lang(r), "proposals.cross_site"), http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, assets.MustMessages().T(lang(r), "proposals.form_large"), http.StatusRequestEntityTooLarge)
			return
		}
		h(w, r, user)
	}
}

func (p *Pages) has(user string, role proposals.Role) bool {
	roles := p.Roles
	if p.RolesFile != "" {
		p.once.Do(func() {
			log := p.Log
			if log == nil {
				log = slog.Default()
			}
			p.roles = &rolesFile{path: p.RolesFile, damaged: func(err error) {
				log.Error("staff-roles-damaged", "path", p.RolesFile, "err", err.Error())
			}}
		})
		roles, _ = p.roles.get()
	}
	if roles == nil {
		return true
	}
	return slices.Contains(roles[user], role)
}

// lang is the page's language: ?lang=, the dashboard's remembered choice
// (its urna_lang cookie), the browser's languages; Polish by default.
func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(assets.Languages, l) {
		return l
	}
	if c, err := r.Cookie("urna_lang"); err == nil && slices.Contains(assets.Languages, c.Value) {
		return c.Value
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

type opt struct{ ID, Name string }

// step is one step the proposal's state, the phase and the member's role
// allow now, with the fields it needs.
type step struct {
	Kind, Name        string
	Reason            bool   // a reason is asked (and required where the applicant is told)
	Detail, DetailKey string // the detail's input type ("text", "date") and its label's key
}

// steps are the staff's steps in the order a year goes, with each one's detail.
var steps = []struct {
	kind       civic.EventKind
	reason     bool
	detailType string
}{
	{civic.EvAssign, false, "text"}, {civic.EvFormalFix, true, ""}, {civic.EvFormalPass, true, ""}, {civic.EvFormalReject, true, ""},
	{civic.EvSupport, false, ""}, {civic.EvMeritPass, true, "text"}, {civic.EvMeritReject, true, ""},
	{civic.EvUphold, true, "date"}, {civic.EvRestore, true, "date"}, {civic.EvMerge, true, "text"},
}

type row struct{ Href, ID, Title, Pool, Status, Unit, Held string }

type auditRow struct{ When, Who, What, Detail, Reason string }

type pageData struct {
	Lang, Title, Edition, User, Notice string
	Langs                              []string
	T                                  func(string, ...any) string
	Problems                           []string
	Rows                               []row
	Held, CanBuild                     bool
	P                                  *civic.Proposal
	Status, Cost, HeldFor, Contact     string
	ShowContact, CanModerate           bool
	Steps                              []step
	Audit                              []auditRow
	Pools                              []opt
}

// poolName is a pool's name in lang (the district's, not its code).
func poolName(ed *election.Edition, lang, id string) string {
	if pl := ed.Pool(id); pl != nil {
		return pl.Name.In(lang)
	}
	return id
}

// detailOf is an audit row's detail as staff read it: a cost in złoty, the
// fields a fix changed by their names, a merge target, a hearing's date.
func (d *pageData) detailOf(ev civic.Event) string {
	switch ev.Kind {
	case civic.EvMeritPass:
		if c, err := strconv.ParseInt(ev.Detail, 10, 64); err == nil && c > 0 {
			return d.T("proposals.unit_cost") + ": " + public.Money(d.Lang, c, true)
		}
		return ""
	case civic.EvFixed:
		var names []string
		for _, f := range strings.Split(ev.Detail, ", ") {
			if f != "" {
				names = append(names, d.T("proposals.f."+f))
			}
		}
		return strings.Join(names, ", ")
	case civic.EvUphold, civic.EvRestore:
		if ev.Detail != "" {
			return d.T("proposals.hearing", "date", ev.Detail)
		}
	case proposals.EvHeld:
		return ""
	}
	return ev.Detail
}

// heldWhy is a moderation reason in lang.
func (d *pageData) heldWhy(why string) string {
	if why == "" {
		return ""
	}
	if k := "proposals.held." + why; d.T(k) != k {
		return d.T(k)
	}
	return why
}

func (p *Pages) base(r *http.Request, ed *election.Edition, user string) pageData {
	l := lang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(l, k, a...) }
	d := pageData{Lang: l, Langs: assets.Languages, T: t, Title: t("proposals.staff.title"), User: user}
	if ed != nil {
		d.Edition = ed.Name.In(l)
	}
	return d
}

func (p *Pages) render(w http.ResponseWriter, name string, code int, d pageData) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, d); err != nil {
		http.Error(w, p.Msgs.T(d.Lang, "proposals.error"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func (p *Pages) problems(l string, err error) []string {
	var ps election.Problems
	var one election.Problem
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &one):
		ps = election.Problems{one}
	default:
		return []string{p.Msgs.T(l, "proposals.error")}
	}
	var out []string
	for _, pr := range ps {
		out = append(out, p.Msgs.T(l, pr.Key, "min", pr.Detail, "max", pr.Detail, "date", pr.Detail))
	}
	return out
}

func (p *Pages) list(w http.ResponseWriter, r *http.Request, user string) {
	p.showList(w, r, user, http.StatusOK, "", nil)
}

func (p *Pages) showList(w http.ResponseWriter, r *http.Request, user string, code int, notice string, problems []string) {
	ed, err := p.Desk.Edition(r.Context())
	d := p.base(r, ed, user)
	d.Notice, d.Problems = notice, problems
	if err != nil {
		d.Problems = append(d.Problems, p.problems(d.Lang, err)...)
		p.render(w, "list.html", http.StatusServiceUnavailable, d)
		return
	}
	q := r.URL.Query()
	f := proposals.Filter{Pool: q.Get("d"), Status: civic.Status(q.Get("s")), Held: q.Get("held") != ""}
	rs, err := p.Desk.List(r.Context(), f)
	if err != nil {
		d.Problems = append(d.Problems, p.problems(d.Lang, err)...)
	}
	d.Held, d.CanBuild = f.Held, p.has(user, proposals.Coordinator)
	for _, pl := range ed.Pools {
		d.Pools = append(d.Pools, opt{ID: pl.ID, Name: pl.Name.In(d.Lang)})
	}
	for _, rec := range rs {
		pr := rec.Proposal
		d.Rows = append(d.Rows, row{Href: "/dashboard/proposals/" + url.PathEscape(pr.ID) + "?lang=" + d.Lang, ID: pr.ID, Title: pr.Title,
			Pool: poolName(ed, d.Lang, pr.Pool), Status: d.T("proposals.st." + string(pr.Status)), Unit: pr.Unit, Held: d.heldWhy(rec.Held)})
	}
	p.render(w, "list.html", code, d)
}

func (p *Pages) detail(w http.ResponseWriter, r *http.Request, user string) {
	p.showDetail(w, r, user, http.StatusOK, "", nil)
}

func (p *Pages) showDetail(w http.ResponseWriter, r *http.Request, user string, code int, notice string, problems []string) {
	ed, err := p.Desk.Edition(r.Context())
	d := p.base(r, ed, user)
	d.Notice, d.Problems = notice, problems
	if err != nil {
		d.Problems = append(d.Problems, p.problems(d.Lang, err)...)
		p.render(w, "list.html", http.StatusServiceUnavailable, d)
		return
	}
	id := r.PathValue("id")
	rec, err := p.Desk.Record(r.Context(), id)
	if err != nil {
		d.Problems = append(d.Problems, p.problems(d.Lang, err)...)
		p.render(w, "list.html", http.StatusNotFound, d)
		return
	}
	pr := rec.Proposal
	d.P = &pr
	pr.Pool = poolName(ed, d.Lang, pr.Pool)
	d.Status, d.Cost = d.T("proposals.st."+string(pr.Status)), public.Money(d.Lang, pr.Cost, true)
	if pr.UnitCost > 0 {
		d.Cost += " · " + d.T("proposals.unit_cost") + ": " + public.Money(d.Lang, pr.UnitCost, true)
	}
	if rec.Held != "" {
		d.HeldFor = d.T("proposals.staff.held_for", "why", d.heldWhy(rec.Held))
	}
	if d.ShowContact = p.has(user, proposals.Verifier); d.ShowContact {
		// shown on the page only; never logged
		if c, err := p.Desk.Contact(r.Context(), id); err == nil {
			d.Contact = c
		}
	}
	d.CanModerate = p.has(user, proposals.Coordinator)
	// only the steps the proposal's state and the phase allow now
	now := p.Desk.Now()
	for _, st := range steps {
		if p.has(user, proposals.RoleOf[st.kind]) && rec.Proposal.Allows(ed, st.kind, now) {
			s := step{Kind: string(st.kind), Name: d.T("proposals.ev." + string(st.kind)), Reason: st.reason, Detail: st.detailType}
			if st.detailType != "" {
				s.DetailKey = "proposals.staff.detail." + string(st.kind)
			}
			d.Steps = append(d.Steps, s)
		}
	}
	for _, ev := range pr.History {
		reason := ev.Reason
		if ev.Kind == proposals.EvHeld {
			reason = d.heldWhy(reason)
		}
		who := ev.Actor
		if k := "proposals.actor." + who; d.T(k) != k {
			who = d.T(k) // the applicant and the moderation, not staff names
		}
		d.Audit = append(d.Audit, auditRow{When: ev.At.In(ed.Location()).Format(time.DateTime), Who: who,
			What: d.T("proposals.ev." + string(ev.Kind)), Detail: d.detailOf(ev), Reason: reason})
	}
	p.render(w, "detail.html", code, d)
}

func (p *Pages) event(w http.ResponseWriter, r *http.Request, user string) {
	kind := civic.EventKind(r.PostFormValue("kind"))
	role, ok := proposals.RoleOf[kind]
	if !ok || !p.has(user, role) {
		p.showDetail(w, r, user, http.StatusForbidden, "", []string{p.Msgs.T(lang(r), proposals.KeyRole)})
		return
	}
	detail := strings.TrimSpace(r.PostFormValue("detail"))
	if kind == civic.EvMeritPass && detail != "" {
		// the unit's cost is typed in złoty like the applicant's
		g, ok := public.ParseCost(detail)
		if !ok {
			p.showDetail(w, r, user, http.StatusUnprocessableEntity, "", []string{p.Msgs.T(lang(r), civic.KeyCostText)})
			return
		}
		detail = strconv.FormatInt(g, 10)
	}
	_, err := p.Desk.Staff(r.Context(), user, r.PathValue("id"), civic.Event{Kind: kind, Reason: r.PostFormValue("reason"), Detail: detail})
	if err != nil {
		p.showDetail(w, r, user, http.StatusUnprocessableEntity, "", p.problems(lang(r), err))
		return
	}
	p.showDetail(w, r, user, http.StatusOK, p.Msgs.T(lang(r), "proposals.staff.done"), nil)
}

func (p *Pages) moderate(w http.ResponseWriter, r *http.Request, user string) {
	if !p.has(user, proposals.Coordinator) {
		p.showDetail(w, r, user, http.StatusForbidden, "", []string{p.Msgs.T(lang(r), proposals.KeyRole)})
		return
	}
	if err := p.Desk.Moderate(r.Context(), user, r.PathValue("id"), strings.TrimSpace(r.PostFormValue("held"))); err != nil {
		p.showDetail(w, r, user, http.StatusUnprocessableEntity, "", p.problems(lang(r), err))
		return
	}
	p.showDetail(w, r, user, http.StatusOK, p.Msgs.T(lang(r), "proposals.staff.done"), nil)
}

func (p *Pages) build(w http.ResponseWriter, r *http.Request, user string) {
	if !p.has(user, proposals.Coordinator) {
		p.showList(w, r, user, http.StatusForbidden, "", []string{p.Msgs.T(lang(r), proposals.KeyRole)})
		return
	}
	ed, err := p.Desk.Build(r.Context(), user)
	if err != nil {
		p.showList(w, r, user, http.StatusUnprocessableEntity, "", p.problems(lang(r), err))
		return
	}
	p.showList(w, r, user, http.StatusOK, p.Msgs.T(lang(r), "proposals.staff.built", "n", len(ed.Projects)), nil)
}
