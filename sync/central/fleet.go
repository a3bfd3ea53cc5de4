package central

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Finding is one integrity alert of the fleet page: its category (a
// dash.level. key), whether it is bad or a warning, and its sentence's
// translation key with arguments.
type Finding struct {
	Level, Class, Key string
	Args              []any
}

// KioskFindings checks one kiosk, revoked or not: its chain (gaps, breaks,
// ballots committed in a heartbeat but not stored), its pace (faster than a
// person, outside the venue's hours, a burst after silence), voter lookups
// beyond its budget, and whether its ballots are set aside.
func (s *Server) KioskFindings(ctx context.Context, k store.Kiosk, ed *election.Edition) ([]Finding, error) {
	c, err := s.checkKiosk(ctx, k, ed)
	return c.Findings, err
}

// KioskCheck is what one check of a kiosk found, and when it ran.
type KioskCheck struct {
	At            time.Time
	Findings      []Finding
	Gaps, Breaks  int // the chain's gap ranges and wrong links
	Missing       uint64
	checking, ran bool
}

// checkKiosk reads a kiosk's chain, commitments, forged commitments and
// ballot times: four store reads, each as long as the kiosk's ballots.
func (s *Server) checkKiosk(ctx context.Context, k store.Kiosk, ed *election.Edition) (KioskCheck, error) {
	var out KioskCheck
	add := func(level, class, key string, args ...any) {
		out.Findings = append(out.Findings, Finding{Level: level, Class: class, Key: key, Args: args})
	}
	ch, err := s.cfg.Store.Chain(ctx, k.ID)
	if err != nil {
		return out, err
	}
	out.Gaps, out.Breaks, out.Missing = len(ch.Gaps), len(ch.Breaks), ch.Missing
	if len(ch.Gaps) > 0 || len(ch.Breaks) > 0 {
		add("chain", "bad", "dash.alert.chain", "gaps", ch.Missing, "breaks", len(ch.Breaks))
	}
	cs, err := s.cfg.Store.Commitments(ctx, k.ID)
	if err != nil {
		return out, err
	}
	var committed uint64
	for _, c := range cs {
		committed = max(committed, c.Seq)
	}
	// pending at the kiosk is not missing: only what it no longer holds
	if pending := uint64(max(k.Heartbeat.QueueDepth, 0)); committed > ch.MaxSeq+pending {
		add("chain", "bad", "dash.alert.tail", "committed", committed, "max", ch.MaxSeq)
	}
	forged, err := s.cfg.Store.ForgedCommitments(ctx, k.ID)
	if err != nil {
		return out, err
	}
	if len(forged) > 0 {
		add("chain", "bad", "dash.alert.forged", "seq", forged[0].Seq, "n", len(forged))
	}
	times, err := s.cfg.Store.BallotTimes(ctx, k.ID)
	if err != nil {
		return out, err
	}
	var venue *election.Venue
	loc := time.UTC
	if ed != nil {
		venue, loc = ed.Venue(k.Venue), ed.Location()
	}
	// Nothing is cast before its kiosk exists: a ballot dated before the
	// enrollment (by the kiosk's clock, its skew read within
	// wire.MaxSkew) is read at it, so ballots spread over the clock
	// skew allowed before the enrollment show the pace they were cast at.
	floor := k.Enrolled.Add(min(max(k.Skew, -wire.MaxSkew), 0))
	for i := range times {
		if times[i].CastAt.Before(floor) {
			times[i].CastAt = floor
		}
	}
	p := PaceOfBallots(times, venue, loc) // pace.go: arrival as well as cast time
	if p.Inhuman() {
		add("pace", "bad", "dash.alert.pace", "n", p.MaxPerMinute)
	}
	if p.Future > 0 {
		add("pace", "bad", "dash.alert.future", "n", p.Future)
	}
	if p.OutsideHours > 0 {
		add("pace", "warn", "dash.alert.hours", "n", p.OutsideHours)
	}
	if p.Burst > 0 {
		add("pace", "warn", "dash.alert.burst", "n", p.Burst, "silence", p.Silence.Round(time.Minute))
	}
	if n := s.SeqTaken(k.ID); n > 0 {
		add("chain", "bad", "dash.alert.seq_taken", "n", n)
	}
	if n := s.Displaced(k.ID); n > 0 {
		add("chain", "bad", "dash.alert.displaced", "n", n, "limit", DisplaceLimit)
	}
	if n := s.Backdated(k.ID); n > 0 {
		add("chain", "bad", "dash.alert.backdated", "n", n)
	}
	if n := s.OverBudget()[k.ID]; n > 0 {
		add("lookups", "bad", "dash.alert.lookups", "n", n)
	}
	if !k.SetAside.IsZero() {
		add("review", "warn", "dash.state.set_aside", "at", k.SetAside.In(loc).Format("02.01 15:04"))
	}
	return out, nil
}

// ChecksPerRequest bounds the kiosks whose chains one fleet page or one
// /metrics scrape checks (four store reads each, as long as the kiosk's
// ballots). A city's fleet (Kraków: about 180) is checked whole at every
// request; a country's is checked in turns, the kiosks shown first, then
// those checked longest ago, and the page says when the oldest check ran.
const ChecksPerRequest = 200

// fleetChecks keeps each kiosk's latest check, shared by the fleet page
// and the /metrics scrape of one process.
type fleetChecks struct {
	mu sync.Mutex
	m  map[string]KioskCheck
}

// checkFleet checks at most budget of the kiosks ks: first those named
// in first (the page shown), then those never checked, then those checked
// longest ago; and returns every kiosk's latest check (missing where none
// has run yet). Two requests at once check different kiosks.
func (s *Server) checkFleet(ctx context.Context, ks []store.Kiosk, ed *election.Edition, first []string, budget int) map[string]KioskCheck {
	fc := &s.checks
	fc.mu.Lock()
	if fc.m == nil {
		fc.m = map[string]KioskCheck{}
	}
	byID := make(map[string]int, len(ks))
	for i, k := range ks {
		byID[k.ID] = i
	}
	var pick []int
	taken := map[int]bool{}
	take := func(i int) {
		if len(pick) < budget && !taken[i] && !fc.m[ks[i].ID].checking {
			taken[i] = true
			pick = append(pick, i)
		}
	}
	for _, id := range first {
		if i, ok := byID[id]; ok {
			take(i)
		}
	}
	if len(pick) < budget {
		rest := make([]int, 0, len(ks))
		for i := range ks {
			if !taken[i] {
				rest = append(rest, i)
			}
		}
		// never checked first (zero time), then the oldest
		slices.SortStableFunc(rest, func(a, b int) int { return fc.m[ks[a].ID].At.Compare(fc.m[ks[b].ID].At) })
		for _, i := range rest {
			take(i)
		}
	}
	for _, i := range pick {
		c := fc.m[ks[i].ID]
		c.checking = true
		fc.m[ks[i].ID] = c
	}
	fc.mu.Unlock()

	done := make(map[string]KioskCheck, len(pick))
	for _, i := range pick {
		c, err := s.checkKiosk(ctx, ks[i], ed)
		if err == nil {
			c.At, c.ran = s.cfg.Clock(), true
		}
		done[ks[i].ID] = c
	}

	fc.mu.Lock()
	defer fc.mu.Unlock()
	for id, c := range done {
		if c.ran {
			fc.m[id] = c
		} else { // the store failed: keep the previous check
			old := fc.m[id]
			old.checking = false
			fc.m[id] = old
		}
	}
	out := make(map[string]KioskCheck, len(ks))
	for _, k := range ks {
		if c, ok := fc.m[k.ID]; ok && c.ran {
			out[k.ID] = c
		}
	}
	return out
}

// CountsFinding is the store-wide alert when more voters count than
// ballots are stored (an index entry without its ballot): nil otherwise.
func CountsFinding(total, counted int) *Finding {
	if counted <= total {
		return nil
	}
	return &Finding{Level: "counts", Class: "bad", Key: "dash.alert.counts", Args: []any{"counted", counted, "stored", total}}
}

// FleetPageSize is how many kiosks one page of the fleet lists.
const FleetPageSize = 50

// maxAlertsShown bounds the alerts listed above the kiosks: past it the
// page says how many more there are, to be narrowed with the filters.
const maxAlertsShown = 100

// FleetQuery is what the fleet page is asked for: filters by venue, by the
// district the venue stands in and by alert category (a dash.level. word,
// or "any"), and the page (from 1).
type FleetQuery struct {
	Venue, District, Alert string
	Page                   int
}

// fleetQuery reads the page's query string.
func fleetQuery(r *http.Request) FleetQuery {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	return FleetQuery{Venue: q.Get("venue"), District: q.Get("district"), Alert: q.Get("alert"), Page: max(page, 1)}
}

// url is the page's address with the filters and page p.
func (q FleetQuery) url(p int) string {
	v := url.Values{}
	for k, s := range map[string]string{"venue": q.Venue, "district": q.District, "alert": q.Alert} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if p > 1 {
		v.Set("page", strconv.Itoa(p))
	}
	if len(v) == 0 {
		return "/dashboard"
	}
	return "/dashboard?" + v.Encode()
}

// alertLevels are the alert categories, in the order the filter lists them.
var alertLevels = []string{"chain", "pace", "lookups", "review", "offline", "sync", "paper", "printer", "clock", "version"}

type fleetOption struct {
	Value, Label string
	Selected     bool
}

func (w *Web) fleet(rw http.ResponseWriter, r *http.Request, user string) {
	p, ed := w.base(rw, r, user, "fleet")
	t := func(key string, a ...any) string { return w.msgs.T(p.Lang, key, a...) }
	ctx := r.Context()
	q := fleetQuery(r)
	ks, err := w.srv.cfg.Store.Kiosks(ctx)
	if err != nil {
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.store")
		return
	}
	now := w.srv.cfg.Clock()
	loc := time.UTC
	if ed != nil {
		loc = ed.Location()
	}
	district := func(k store.Kiosk) string {
		if ed != nil {
			if v := ed.Venue(k.Venue); v != nil {
				return v.District
			}
		}
		return ""
	}
	type entry struct {
		k      store.Kiosk
		row    kioskRow
		alerts []alert
		levels map[string]bool
	}
	// build lays out one kiosk's row and alerts from its record and its
	// latest check: no store read.
	build := func(k store.Kiosk, c KioskCheck, checked bool) entry {
		hb := k.Heartbeat
		e := entry{k: k, levels: map[string]bool{}}
		e.row = kioskRow{ID: k.ID, Venue: venueName(ed, k.Venue), Queue: hb.QueueDepth, LastSeq: hb.LastSeq, Version: hb.Version,
			Printer: w.word(p.Lang, "dash.printer.", hb.Printer), Skew: fmt.Sprintf("%d s", int(k.Skew.Round(time.Second)/time.Second)),
			LastSeen: t("dash.never"), Oldest: "–", SetAside: !k.SetAside.IsZero()}
		add := func(level, class, text string) {
			e.levels[level] = true
			e.alerts = append(e.alerts, alert{Level: t("dash.level." + level), Class: class, Kiosk: k.ID, Venue: e.row.Venue, Text: text})
		}
		if !k.LastSeen.IsZero() {
			e.row.LastSeen = k.LastSeen.In(loc).Format("02.01 15:04:05")
		}
		// every kiosk's chain and pace are checked, revoked ones too
		if checked {
			for _, f := range c.Findings {
				add(f.Level, f.Class, t(f.Key, f.Args...))
			}
		}
		if !k.Revoked.IsZero() {
			// refused since then: its last state no longer matters
			e.row.State, e.row.StateClass = t("dash.state.revoked", "at", k.Revoked.In(loc).Format("02.01 15:04")), "bad"
			return e
		}
		switch {
		case k.LastSeen.IsZero():
			e.row.State, e.row.StateClass = t("dash.state.never_seen"), "warn"
		case now.Sub(k.LastSeen) < onlineWithin:
			e.row.State, e.row.StateClass = t("dash.state.online"), "ok"
		default:
			e.row.State, e.row.StateClass = t("dash.state.offline"), "bad"
			add("offline", "bad", t("dash.alert.offline", "for", now.Sub(k.LastSeen).Round(time.Minute)))
		}
		if !hb.OldestPending.IsZero() {
			e.row.Oldest = hb.OldestPending.In(loc).Format("02.01 15:04")
			if now.Sub(hb.OldestPending) > time.Hour {
				add("sync", "warn", t("dash.alert.sync", "n", hb.QueueDepth, "since", e.row.Oldest))
			}
		}
		switch hb.Printer {
		case "ok", "":
			e.row.PrinterClass = "ok"
			if hb.Printer == "" {
				e.row.Printer = "–"
			}
		case "paper-near-end":
			e.row.PrinterClass = "warn"
			add("paper", "warn", t("dash.alert.paper"))
		default:
			e.row.PrinterClass = "bad"
			add("printer", "bad", t("dash.alert.printer", "state", e.row.Printer))
		}
		if k.Skew > 2*time.Minute || k.Skew < -2*time.Minute {
			add("clock", "warn", t("dash.alert.clock", "skew", e.row.Skew))
		}
		if ed != nil && !k.LastSeen.IsZero() && !ed.KioskAllowed(hb.Version) {
			add("version", "bad", t("dash.alert.version", "version", hb.Version, "min", ed.MinKioskVersion))
		}
		return e
	}
	match := func(e entry) bool {
		switch {
		case q.Venue != "" && e.k.Venue != q.Venue:
			return false
		case q.District != "" && district(e.k) != q.District:
			return false
		case q.Alert == "any":
			return len(e.alerts) > 0
		case q.Alert != "":
			return e.levels[q.Alert]
		}
		return true
	}
	// layout filters the fleet with the checks at hand and cuts the page.
	layout := func(checks map[string]KioskCheck) (all, shown []entry) {
		for _, k := range ks {
			c, ok := checks[k.ID]
			if e := build(k, c, ok); match(e) {
				all = append(all, e)
			}
		}
		from := min((q.Page-1)*FleetPageSize, len(all))
		return all, all[from:min(from+FleetPageSize, len(all))]
	}
	// The kiosks this page shows are checked first; then others in turn,
	// never more than ChecksPerRequest in all.
	_, shown := layout(w.srv.peekChecks())
	ids := make([]string, len(shown))
	for i, e := range shown {
		ids[i] = e.k.ID
	}
	checks := w.srv.checkFleet(ctx, ks, ed, ids, ChecksPerRequest)
	all, shown := layout(checks)

	online, unchecked := 0, 0
	var oldest time.Time
	for _, k := range ks {
		if k.Revoked.IsZero() && !k.LastSeen.IsZero() && now.Sub(k.LastSeen) < onlineWithin {
			online++
		}
		if c, ok := checks[k.ID]; !ok {
			unchecked++
		} else if oldest.IsZero() || c.At.Before(oldest) {
			oldest = c.At
		}
	}
	var alerts []alert
	for _, e := range all {
		alerts = append(alerts, e.alerts...)
	}
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].Class == "bad" && alerts[j].Class != "bad" })
	total, counted, _ := w.srv.cfg.Store.Counts(ctx)
	if f := CountsFinding(total, counted); f != nil && q.Venue == "" && q.District == "" && (q.Alert == "" || q.Alert == "any") {
		alerts = append([]alert{{Level: t("dash.level." + f.Level), Class: f.Class, Kiosk: "–", Venue: "–", Text: t(f.Key, f.Args...)}}, alerts...)
	}
	more := max(len(alerts)-maxAlertsShown, 0)
	alerts = alerts[:min(len(alerts), maxAlertsShown)]
	rows := make([]kioskRow, len(shown))
	for i, e := range shown {
		rows[i] = e.row
	}

	// the filters' choices
	venues := []fleetOption{{Value: "", Label: t("dash.fleet.all")}}
	districts := []fleetOption{{Value: "", Label: t("dash.fleet.all")}}
	if ed != nil {
		seen := map[string]bool{}
		for _, v := range ed.Venues {
			venues = append(venues, fleetOption{Value: v.ID, Label: v.Name, Selected: v.ID == q.Venue})
			if v.District != "" && !seen[v.District] {
				seen[v.District] = true
				label := v.District
				if pool := ed.Pool(v.District); pool != nil {
					label = pool.Name.In(p.Lang)
				}
				districts = append(districts, fleetOption{Value: v.District, Label: label, Selected: v.District == q.District})
			}
		}
		sort.Slice(districts[1:], func(i, j int) bool { return districts[1+i].Label < districts[1+j].Label })
	}
	levels := []fleetOption{{Value: "", Label: t("dash.fleet.all")}, {Value: "any", Label: t("dash.fleet.any_alert"), Selected: q.Alert == "any"}}
	for _, l := range alertLevels {
		levels = append(levels, fleetOption{Value: l, Label: t("dash.level." + l), Selected: q.Alert == l})
	}
	pages := max((len(all)+FleetPageSize-1)/FleetPageSize, 1)
	data := map[string]any{"Kiosks": rows, "Alerts": alerts, "MoreAlerts": more, "Online": online, "Stored": total,
		"Counted": counted, "Now": now.In(loc).Format("2006-01-02 15:04:05"), "Fleet": len(ks), "Matching": len(all),
		"Venues": venues, "Districts": districts, "Levels": levels, "PageNo": q.Page, "Pages": pages,
		"From": min((q.Page-1)*FleetPageSize+1, len(all)), "To": min(q.Page*FleetPageSize, len(all)),
		"Unchecked": unchecked, "Checked": len(ks) - unchecked}
	if !oldest.IsZero() && len(ks) > ChecksPerRequest {
		data["OldestCheck"] = oldest.In(loc).Format("15:04:05")
	}
	if q.Page > 1 {
		data["Prev"] = q.url(q.Page - 1)
	}
	if q.Page < pages {
		data["Next"] = q.url(q.Page + 1)
	}
	w.render(rw, "fleet.html", p, data)
}

// peekChecks returns the latest checks without running any.
func (s *Server) peekChecks() map[string]KioskCheck {
	s.checks.mu.Lock()
	defer s.checks.mu.Unlock()
	out := make(map[string]KioskCheck, len(s.checks.m))
	for id, c := range s.checks.m {
		if c.ran {
			out[id] = c
		}
	}
	return out
}
