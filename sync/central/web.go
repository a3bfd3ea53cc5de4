package central

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

//go:embed web/*.html
var webFS embed.FS

var pages = template.Must(template.ParseFS(webFS, "web/*.html"))

// Web serves the public ballot check and the city office's dashboard.
type Web struct {
	srv   *Server
	msgs  assets.Messages
	users map[string]string // name -> bcrypt hash
	// usersFile, when set, is read again when it changes (urna-central
	// user add while serve runs); usersMu guards users and usersSeen
	usersFile string
	usersMu   sync.Mutex
	usersSeen os.FileInfo
	floor     time.Duration
	sleep     func(context.Context, time.Duration)
	// per address for the check page and the sign-in; per account for
	// wrong passwords (the lockout)
	checkLimit, signInAddr, signInUser limit.Limiter
	metricsToken                       string
	evaluation                         bool
	evalLimit                          limit.Limiter
	metrics                            *webMetrics // metrics.go
}

// sessionHash is what the store keeps of a sign-in token: its hash, so
// that reading the store does not let anyone sign in.
func sessionHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WebConfig configures the web pages.
type WebConfig struct {
	// Users are the city staff who may sign in: name -> bcrypt hash.
	Users map[string]string
	// Evaluation serves "how easy was it to vote?" at /evaluate (off by default).
	Evaluation bool
	// UsersFile, when set, is where Users were read from: a changed file
	// is read again at the next sign-in.
	UsersFile string
	// CheckFloor is the time every check answer takes, found or not, so
	// that answer times do not tell which trackers exist (100 ms).
	CheckFloor time.Duration
	// Sleep waits; tests replace it.
	Sleep func(context.Context, time.Duration)
	// CheckRate and CheckBurst limit requests per address to the check
	// page (5/s, burst 10).
	CheckRate, CheckBurst float64
	// Limits keeps the limits' buckets (the store, so that replicas share
	// them); nil keeps them in this process.
	Limits limit.Backend
	// SignInRule limits sign-in attempts per address (burst 10, then 1/s).
	SignInRule limit.Rule
	// AccountRule limits wrong passwords per account, from any address:
	// once spent, the account is locked until it refills (burst 5, then 1
	// per 5 minutes).
	AccountRule limit.Rule
	// MetricsToken, when set, lets /metrics answer requests that carry it
	// (Authorization: Bearer …); without it /metrics is only on
	// MetricsHandler's listener.
	MetricsToken string
}

// NewWeb returns the web pages over a server.
func NewWeb(srv *Server, cfg WebConfig) *Web {
	if cfg.CheckFloor == 0 {
		cfg.CheckFloor = 100 * time.Millisecond
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(ctx context.Context, d time.Duration) {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
	}
	if cfg.CheckRate == 0 {
		cfg.CheckRate, cfg.CheckBurst = 5, 10
	}
	if cfg.SignInRule == (limit.Rule{}) {
		cfg.SignInRule = limit.Rule{Rate: 1, Burst: 10}
	}
	if cfg.AccountRule == (limit.Rule{}) {
		cfg.AccountRule = limit.Rule{Rate: 1.0 / 300, Burst: 5}
	}
	clock := srv.cfg.Clock
	w := &Web{srv: srv, msgs: assets.MustMessages(), users: cfg.Users, usersFile: cfg.UsersFile, floor: cfg.CheckFloor, sleep: cfg.Sleep, evaluation: cfg.Evaluation,
		checkLimit:   limit.Ready(cfg.Limits, "check", limit.Rule{Rate: cfg.CheckRate, Burst: cfg.CheckBurst}, clock),
		signInAddr:   limit.Ready(cfg.Limits, "login-addr", cfg.SignInRule, clock),
		signInUser:   limit.Ready(cfg.Limits, "login-user", cfg.AccountRule, clock),
		evalLimit:    limit.Ready(cfg.Limits, "evaluate", limit.Rule{Rate: 1.0 / 60, Burst: 20}, clock),
		metricsToken: cfg.MetricsToken}
	w.metrics = newWebMetrics(w)
	return w
}

// Routes adds the pages to mux.
func (w *Web) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /check", w.check)
	mux.HandleFunc("GET /check/{tracker}", w.check)
	mux.HandleFunc("GET /login", w.loginPage)
	mux.HandleFunc("POST /login", w.login)
	mux.HandleFunc("POST /logout", w.logout)
	mux.HandleFunc("GET /dashboard", w.auth(w.fleet))
	mux.HandleFunc("GET /dashboard/turnout", w.auth(w.turnout))
	mux.HandleFunc("GET /dashboard/results", w.auth(w.results))
	mux.HandleFunc("GET /dashboard/reconcile", w.auth(w.reconcile))
	mux.HandleFunc("POST /dashboard/reconcile/signoff", w.auth(w.signOff))
	mux.HandleFunc("GET /dashboard/admin", w.auth(w.admin))
	w.implementationRoutes(mux)
	mux.HandleFunc("POST /dashboard/admin/code", w.auth(w.newCode))
	mux.HandleFunc("POST /dashboard/kiosk/setaside", w.auth(w.setAsideKiosk)) // reviewweb.go
	mux.HandleFunc("GET /metrics", func(rw http.ResponseWriter, r *http.Request) {
		if !w.metricsAllowed(r) {
			rw.Header().Set("WWW-Authenticate", `Bearer realm="urna-metrics"`)
			http.Error(rw, w.msgs.T(lang(r), "dash.err.metrics_token"), http.StatusUnauthorized)
			return
		}
		w.metricsPage(rw, r)
	})
}

// Handler is the API and the web pages together. Every state-changing
// request from a browser must come from the central's own pages, and
// answers over TLS carry HSTS.
func (w *Web) Handler() http.Handler {
	pages := http.NewServeMux()
	w.Routes(pages)
	(&public.ResultsPages{Results: PublicResults(w.srv.cfg.Store, w.srv.cfg.Clock, 30*time.Second, w.srv.CachedAudit, w.srv.cfg.Log), Signed: SignedDocument(w.srv.cfg.Store), Msgs: w.msgs}).Routes(pages)
	(&public.ImplementationPages{Built: BuiltProjects(w.srv.cfg.Store), Msgs: w.msgs}).Routes(pages)
	if w.evaluation {
		allow := func(rw http.ResponseWriter, r *http.Request) bool { return w.srv.allowAddr(rw, r, w.evalLimit) }
		(&public.EvaluationPages{Edition: w.edition, Add: w.srv.cfg.Store.AddEvaluation, Allow: allow, Msgs: w.msgs}).Routes(pages)
	}
	pages.HandleFunc("GET /{$}", func(rw http.ResponseWriter, r *http.Request) { http.Redirect(rw, r, "/check", http.StatusFound) })
	mux := http.NewServeMux()
	mux.Handle("/api/", w.srv.Handler())
	mux.Handle("/", w.sameOrigin(w.timed(pages)))
	return hsts(mux)
}

// page is what every template gets.
type page struct {
	Lang, Title, Edition, Page, User string
}

func (w *Web) render(rw http.ResponseWriter, name string, p page, data map[string]any) {
	ctx := map[string]any{}
	for k, v := range data {
		ctx[k] = v
	}
	ctx["Lang"], ctx["Title"], ctx["Edition"], ctx["Page"], ctx["User"] = p.Lang, p.Title, p.Edition, p.Page, p.User
	ctx["Langs"] = assets.Languages
	lang := p.Lang
	var buf bytes.Buffer
	err := pages.ExecuteTemplate(&buf, name, withT(ctx, func(k string, a ...any) string { return w.msgs.T(lang, k, a...) }))
	if err != nil {
		w.srv.cfg.Log.Error("template-failed", "page", name, "err", err)
		http.Error(rw, "page error", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:")
	rw.Header().Set("X-Frame-Options", "DENY")
	rw.Write(buf.Bytes())
}

// tmplCtx lets templates call .T "key".
type tmplCtx map[string]any

func (c tmplCtx) T(key string, a ...any) string {
	return c["_t"].(func(string, ...any) string)(key, a...)
}

func withT(m map[string]any, t func(string, ...any) string) tmplCtx {
	c := tmplCtx(m)
	c["_t"] = t
	return c
}

func (w *Web) edition(ctx context.Context) (*election.Edition, error) { return w.srv.current(ctx) }

// pageLang picks the dashboard's language: ?lang= (remembered in a
// cookie), the cookie, then the browser's languages; Polish by default.
func pageLang(rw http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(assets.Languages, l) {
		http.SetCookie(rw, &http.Cookie{Name: "urna_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie("urna_lang"); err == nil && slices.Contains(assets.Languages, c.Value) {
		return c.Value
	}
	return lang(r)
}

// lang picks pl, en or uk from ?lang= or Accept-Language.
func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(assets.Languages, l) {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		l := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if len(l) >= 2 && slices.Contains(assets.Languages, l[:2]) {
			return l[:2]
		}
	}
	return "pl"
}

// CheckAnswer is the public check's JSON.
type CheckAnswer struct {
	Tracker   string `json:"tracker"`
	Received  bool   `json:"received"`
	Counted   bool   `json:"counted"`
	Duplicate bool   `json:"duplicate"`
	// Contested: held for the city office's review (never which hold)
	Contested bool   `json:"contested,omitempty"`
	Day       string `json:"day,omitempty"` // the day it was received, nothing finer
}

// Check looks a tracker up. The answer never includes the choices.
func (w *Web) Check(ctx context.Context, tracker string) (CheckAnswer, bool) {
	t := wire.NormalizeTracker(tracker)
	if t == "" {
		return CheckAnswer{Tracker: tracker}, false
	}
	a := CheckAnswer{Tracker: t}
	prefix := trackerPrefix(t)
	st, err := w.srv.cfg.Store.BallotByPrefix(ctx, prefix)
	if err == nil && st.Ballot.Tracker() == t {
		a.Received, a.Counted, a.Duplicate = true, st.Counted, !st.Counted && st.Hold == ""
		a.Contested = st.Hold != ""
		ed, err := w.edition(ctx)
		if st.Withheld && (err != nil || !w.srv.cfg.Clock().After(ed.Closes.Add(w.srv.cfg.CastSkew))) {
			// its kiosk was not told whether the voter had voted before
			// (beyond its budget): neither is anyone else while voting runs
			a.Counted, a.Duplicate, a.Contested = false, false, false
		}
		if err == nil {
			a.Day = st.Received.In(ed.Location()).Format("2006-01-02")
		}
	}
	return a, true
}

// trackerPrefix is the hex ID prefix a tracker encodes (its 80 bits).
func trackerPrefix(t string) string {
	raw, err := wire.TrackerBytes(t)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(raw)
}

func (w *Web) check(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	l := lang(r)
	tracker := r.PathValue("tracker")
	if tracker == "" {
		tracker = r.URL.Query().Get("tracker")
	}
	asJSON := r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json")
	if !w.srv.allowAddr(rw, r, w.checkLimit) {
		if asJSON {
			apiError(rw, http.StatusTooManyRequests, "too many requests")
		} else {
			http.Error(rw, w.msgs.T(l, "check.slow"), http.StatusTooManyRequests)
		}
		return
	}
	var a CheckAnswer
	ok := true
	if tracker != "" {
		a, ok = w.Check(r.Context(), tracker)
		// Every answer about a tracker takes the same time.
		w.sleep(r.Context(), w.floor-time.Since(start))
	}
	if asJSON {
		if !ok {
			apiError(rw, http.StatusBadRequest, w.msgs.T(l, "check.malformed"))
			return
		}
		writeJSON(rw, a)
		return
	}
	ed, _ := w.edition(r.Context())
	name := ""
	if ed != nil {
		name = ed.Name.In(l)
	}
	data := map[string]any{"Tracker": tracker}
	switch {
	case tracker == "":
	case !ok:
		data["Message"], data["Class"] = w.msgs.T(l, "check.malformed"), "warn"
	case a.Counted:
		data["Message"], data["Class"] = w.msgs.T(l, "check.counted"), "ok"
		data["Received"] = w.msgs.T(l, "check.received", "date", a.Day)
	case a.Duplicate:
		data["Message"], data["Class"] = w.msgs.T(l, "check.duplicate"), "warn"
		data["Received"] = w.msgs.T(l, "check.received", "date", a.Day)
	case a.Contested:
		data["Message"], data["Class"] = w.msgs.T(l, "check.contested"), "warn"
		data["Received"] = w.msgs.T(l, "check.received", "date", a.Day)
	case a.Received:
		data["Message"], data["Class"] = w.msgs.T(l, "check.arrived"), "ok"
		data["Received"] = w.msgs.T(l, "check.received", "date", a.Day)
	default:
		data["Message"], data["Class"] = w.msgs.T(l, "check.unknown"), "warn"
	}
	w.render(rw, "check.html", page{Lang: l, Title: w.msgs.T(l, "check.title"), Edition: name}, data)
}

// --- sign-in ---

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	l := pageLang(rw, r)
	name := ""
	if ed, err := w.edition(r.Context()); err == nil {
		name = ed.Name.In(l)
	}
	msg := ""
	switch r.URL.Query().Get("m") {
	case "wrong":
		msg = w.msgs.T(l, "dash.login.wrong")
	case "locked":
		msg = w.msgs.T(l, "dash.login.locked")
	}
	w.render(rw, "login.html", page{Lang: l, Title: "Urna · " + w.msgs.T(l, "dash.login.submit"), Edition: name}, map[string]any{"Message": msg})
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	if !w.srv.allowAddr(rw, r, w.signInAddr) {
		http.Error(rw, w.msgs.T(pageLang(rw, r), "dash.login.too_many"), http.StatusTooManyRequests)
		return
	}
	user, pass := r.FormValue("user"), r.FormValue("password")
	// An account whose wrong passwords are spent is locked, from every
	// address and every replica, whatever the password: rotating
	// addresses buys no more guesses. Unknown names are locked alike, so
	// the answer does not tell which accounts exist.
	if locked, err := w.signInUser.Blocked(r.Context(), user); err == nil && locked {
		w.srv.cfg.Log.Warn("staff-login-locked") // not the name: it may be a password typed in the wrong field
		http.Redirect(rw, r, "/login?m=locked", http.StatusSeeOther)
		return
	}
	hash, ok := w.userHash(user)
	if !ok {
		hash = "$2a$10$abcdefghijklmnopqrstuu1Hs9eX9aCYo1uZ8Zb7oQmSVWSr4vZ0e" // equal work for unknown users
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass)) != nil || !ok {
		w.srv.cfg.Log.Warn("staff-login", "ok", false)
		if _, err := w.signInUser.Allow(r.Context(), user); err != nil {
			w.srv.cfg.Log.Error("limit-failed", "err", err)
		}
		http.Redirect(rw, r, "/login?m=wrong", http.StatusSeeOther)
		return
	}
	tok := make([]byte, 32)
	rand.Read(tok)
	id := hex.EncodeToString(tok)
	if err := w.srv.cfg.Store.PutSession(r.Context(), sessionHash(id), user, time.Now().Add(12*time.Hour)); err != nil {
		http.Error(rw, w.msgs.T(pageLang(rw, r), "dash.err.store"), http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: "urna_session", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, MaxAge: 12 * 3600})
	w.srv.cfg.Log.Info("staff-login", "ok", true, "user", user)
	http.Redirect(rw, r, "/dashboard", http.StatusSeeOther)
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("urna_session"); err == nil {
		w.srv.cfg.Store.DeleteSession(r.Context(), sessionHash(c.Value))
	}
	http.SetCookie(rw, &http.Cookie{Name: "urna_session", Value: "", Path: "/", MaxAge: -1})
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

func (w *Web) auth(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("urna_session")
		if err == nil {
			if user, err := w.srv.cfg.Store.Session(r.Context(), sessionHash(c.Value), time.Now()); err == nil {
				h(rw, r, user)
				return
			}
		}
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
	}
}

// --- dashboard ---

type alert struct{ Level, Class, Kiosk, Venue, Text string }

type kioskRow struct {
	ID, Venue, State, StateClass, LastSeen, Oldest, Printer, PrinterClass, Version, Skew string
	Queue                                                                                int
	LastSeq                                                                              uint64
	SetAside                                                                             bool
}

func (w *Web) base(rw http.ResponseWriter, r *http.Request, user, pageName string) (page, *election.Edition) {
	l := pageLang(rw, r)
	ed, _ := w.edition(r.Context())
	name := ""
	if ed != nil {
		name = ed.Name.In(l)
	}
	return page{Lang: l, Title: "Urna · " + w.msgs.T(l, "dash.nav."+pageName), Edition: name, Page: pageName, User: user}, ed
}

// fail answers a dashboard request that cannot be served, in its language.
func (w *Web) fail(rw http.ResponseWriter, p page, code int, key string) {
	http.Error(rw, w.msgs.T(p.Lang, key), code)
}

// word translates a state word (a printer's state, a rule's name) under
// prefix, keeping the word itself when there is no translation.
func (w *Web) word(lang, prefix, word string) string {
	if t := w.msgs.T(lang, prefix+word); t != prefix+word {
		return t
	}
	return word
}

func venueName(ed *election.Edition, id string) string {
	if ed != nil {
		if v := ed.Venue(id); v != nil {
			return v.Name
		}
	}
	return id
}

// barChart draws labelled bars as inline SVG: no script, no CDN.
func barChart(labels []string, values []int, empty string) template.HTML {
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	const rowH, labelW, barW = 26, 260, 560
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" width="%d" height="%d" viewBox="0 0 %d %d">`, labelW+barW+60, rowH*len(values)+4, labelW+barW+60, rowH*len(values)+4)
	for i, v := range values {
		w := v * barW / maxV
		y := i*rowH + 2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+17, template.HTMLEscapeString(labels[i]))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="#1a4f8b" rx="3"></rect>`, labelW, y+3, max(w, 1), rowH-8)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text>`, labelW+w+6, y+17, v)
	}
	if len(values) == 0 {
		fmt.Fprintf(&b, `<text x="10" y="18">%s</text>`, template.HTMLEscapeString(empty))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Turnout counts counted ballots per day (in the edition's zone) and per venue.
func (w *Web) Turnout(ctx context.Context) (days, venues map[string]int, err error) {
	ed, err := w.edition(ctx)
	if err != nil {
		return nil, nil, err
	}
	ks, err := w.srv.cfg.Store.Kiosks(ctx)
	if err != nil {
		return nil, nil, err
	}
	venueOf := map[string]string{}
	for _, k := range ks {
		venueOf[k.ID] = venueName(ed, k.Venue)
	}
	days, venues = map[string]int{}, map[string]int{}
	err = w.srv.cfg.Store.Ballots(ctx, func(s store.Stored) error {
		if s.Counted {
			days[s.Ballot.CastAt.In(ed.Location()).Format("2006-01-02")]++
			venues[venueOf[s.Ballot.Kiosk]]++
		}
		return nil
	})
	return days, venues, err
}

func sortedChart(m map[string]int, byValue bool, empty string) template.HTML {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if byValue {
		sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	}
	vals := make([]int, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return barChart(keys, vals, empty)
}

func (w *Web) turnout(rw http.ResponseWriter, r *http.Request, user string) {
	p, _ := w.base(rw, r, user, "turnout")
	days, venues, err := w.Turnout(r.Context())
	if err != nil {
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.no_catalog")
		return
	}
	empty := w.msgs.T(p.Lang, "dash.chart.empty")
	w.render(rw, "turnout.html", p, map[string]any{"ByDay": sortedChart(days, false, empty), "ByVenue": sortedChart(venues, true, empty)})
}

type resultRow struct {
	Rank, Votes   int
	Number, Title string
	Score         int64
	Cost          string
	Funded        bool
}

func (w *Web) results(rw http.ResponseWriter, r *http.Request, user string) {
	p, _ := w.base(rw, r, user, "results")
	ed, rs, err := Results(r.Context(), w.srv.cfg.Store, "")
	if key := ResultsErrorKey(err); key != "" {
		w.fail(rw, p, http.StatusConflict, key) // a tie the edition does not say how to break
		return
	}
	if err != nil {
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.no_catalog")
		return
	}
	type pool struct {
		Name, Budget, Spent, Left, Rule string
		Voters                          int
		Rows                            []resultRow
	}
	var pools []pool
	for _, pr := range rs {
		name := pr.Name
		if ep := ed.Pool(pr.Pool); ep != nil {
			name = ep.Name.In(p.Lang)
		}
		pl := pool{Name: name, Voters: pr.Voters, Budget: election.FormatPLN(pr.Budget), Spent: election.FormatPLN(pr.Result.Spent),
			Left: election.FormatPLN(pr.Result.Left), Rule: w.word(p.Lang, "dash.rule.", pr.Result.Rule)}
		for _, s := range pr.Result.Projects {
			proj := ed.Project(s.ID)
			pl.Rows = append(pl.Rows, resultRow{Rank: s.Rank, Votes: s.Votes, Number: proj.Number, Title: proj.Title.In(p.Lang),
				Score: s.Score, Cost: election.FormatPLN(s.Cost), Funded: s.Funded})
		}
		pools = append(pools, pl)
	}
	data := map[string]any{"Pools": pools}
	// the results come with their audit: a recount from the signed ballots
	if a, err := w.srv.LatestAudit(r.Context()); err == nil {
		data["Audit"], data["AuditAt"] = a, a.At.In(ed.Location()).Format("02.01 15:04:05")
	}
	w.render(rw, "results.html", p, data)
}

func (w *Web) admin(rw http.ResponseWriter, r *http.Request, user string) {
	w.adminWith(rw, r, user, "", "")
}

func (w *Web) adminWith(rw http.ResponseWriter, r *http.Request, user, code, venue string) {
	p, ed := w.base(rw, r, user, "admin")
	data := map[string]any{"Code": code, "CodeVenue": venueName(ed, venue), "Fingerprint": w.srv.cfg.TLSFingerprint}
	if c, err := w.srv.cfg.Store.Catalog(r.Context()); err == nil {
		data["Catalog"] = c.Version
	}
	if ed != nil {
		data["Venues"], data["EditionID"], data["Projects"], data["Pools"], data["VenueCount"] = ed.Venues, ed.ID, len(ed.Projects), len(ed.Pools), len(ed.Venues)
	}
	w.render(rw, "admin.html", p, data)
}

func (w *Web) newCode(rw http.ResponseWriter, r *http.Request, user string) {
	venue := r.FormValue("venue")
	l := pageLang(rw, r)
	ed, err := w.edition(r.Context())
	if err != nil || ed.Venue(venue) == nil {
		http.Error(rw, w.msgs.T(l, "dash.err.unknown_venue"), http.StatusBadRequest)
		return
	}
	code, err := NewEnrollCode(r.Context(), w.srv.cfg.Store, venue, 24*time.Hour, w.srv.cfg.Clock())
	if err != nil {
		http.Error(rw, w.msgs.T(l, "dash.err.store"), http.StatusServiceUnavailable)
		return
	}
	w.srv.cfg.Log.Info("enroll-code-made", "venue", venue, "by", user)
	w.adminWith(rw, r, user, code, venue)
}

// Users reads the staff users file (JSON name -> bcrypt hash).
func Users(raw []byte) (map[string]string, error) {
	m := map[string]string{}
	if len(raw) == 0 {
		return m, nil
	}
	return m, json.Unmarshal(raw, &m)
}

// userHash is the bcrypt hash of user's password, from the users file as
// it is now when it changed since it was read.
func (w *Web) userHash(user string) (string, bool) {
	w.usersMu.Lock()
	defer w.usersMu.Unlock()
	if w.usersFile != "" {
		fi, err := os.Stat(w.usersFile)
		if err == nil && (w.usersSeen == nil || !fi.ModTime().Equal(w.usersSeen.ModTime()) || fi.Size() != w.usersSeen.Size()) {
			raw, err := os.ReadFile(w.usersFile)
			if users, uerr := Users(raw); err == nil && uerr == nil {
				w.users, w.usersSeen = users, fi
				w.srv.cfg.Log.Info("users-reloaded", "users", len(users))
			} else {
				w.srv.cfg.Log.Error("users-unreadable") // the accounts read before stay
			}
		}
	}
	h, ok := w.users[user]
	return h, ok
}
