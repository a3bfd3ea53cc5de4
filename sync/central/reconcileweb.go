package central

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// pointRow is one voting point on the reconciliation page.
type pointRow struct {
	Kiosk, Venue, StateText, Class, Report, Central, SignedOff, Missing string
	State                                                               election.PointState
}

var pointClass = map[election.PointState]string{election.Reconciled: "ok", election.Pending: "warn",
	election.Differing: "bad", election.NoReport: "warn"}

// reconcile shows each voting point's reconciliation and the results' state.
func (w *Web) reconcile(rw http.ResponseWriter, r *http.Request, user string) {
	w.reconcileWith(rw, r, user, "", http.StatusOK)
}

func (w *Web) reconcileWith(rw http.ResponseWriter, r *http.Request, user, errKey string, code int) {
	p, ed := w.base(rw, r, user, "reconcile")
	t := func(key string, a ...any) string { return w.msgs.T(p.Lang, key, a...) }
	s, kept, current, err := w.resultsState(r)
	if err != nil {
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.store")
		return
	}
	loc := ed.Location()
	var rows []pointRow
	label := map[string]string{}
	for _, pt := range s.Points {
		label[pt.Kiosk] = venueName(ed, pt.Venue) + " (" + pt.Kiosk + ")"
		row := pointRow{Kiosk: pt.Kiosk, Venue: venueName(ed, pt.Venue), State: pt.State, Class: pointClass[pt.State],
			StateText: t("dash.rec.state." + string(pt.State)), Report: t("dash.rec.no_report"),
			Central: t("dash.rec.central", "ballots", pt.Received.Ballots, "seq", pt.Received.LastSeq)}
		if pt.Missing > 0 {
			row.Missing = t("dash.rec.missing", "n", pt.Missing)
		}
		if pt.Report != nil {
			row.Report = t("dash.rec.report", "ballots", pt.Report.Ballots, "seq", pt.Report.LastSeq)
		}
		if so := pt.SignOff; so != nil && pt.State != election.Reconciled {
			row.SignedOff = t("dash.rec.signed_off", "user", so.By, "at", so.At.In(loc).Format("02.01 15:04"), "reason", so.Reason)
		}
		rows = append(rows, row)
	}
	var problems []string
	for _, pr := range s.Problems {
		problems = append(problems, t(pr.Key, "kiosk", cmp.Or(label[pr.Detail], pr.Detail)))
	}
	subs, err := Subtotals(r.Context(), w.srv.cfg.Store)
	if err != nil {
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.store")
		return
	}
	type subRow struct {
		Subtotal
		ID string
	}
	var subRows []subRow
	for _, st := range subs {
		row := subRow{Subtotal: st, ID: st.Venue}
		row.Venue = venueName(ed, st.Venue)
		subRows = append(subRows, row)
	}
	data := map[string]any{"Points": rows, "Problems": problems, "StateText": t("results.state." + string(s.State)), "Subtotals": subRows}
	if ev, err := w.srv.cfg.Store.EvaluationCounts(r.Context()); err == nil && len(ev) > 0 {
		data["Evaluations"] = evaluationRows(ev, ed, t)
	}
	if kept != nil {
		at := kept.File.At.In(loc).Format("02.01.2006 15:04")
		if current {
			data["Signed"] = t("pub.results.signed", "at", at) + " " + t("pub.results.fingerprint") + " " + wire.KeyFingerprint(kept.File.EditionKey)
		} else {
			data["Signed"] = t("pub.results.signed_outdated", "at", at)
		}
	}
	if errKey != "" {
		data["Error"] = t(errKey)
	}
	if code != http.StatusOK {
		rw.WriteHeader(code)
	}
	w.render(rw, "reconcile.html", p, data)
}

// resultsState is the results' state now, final only with a kept signed
// document of the results tallied now; the kept document (nil: none).
func (w *Web) resultsState(r *http.Request) (Status, *Kept, bool, error) {
	ctx, st, now := r.Context(), w.srv.cfg.Store, w.srv.cfg.Clock()
	ed, rs, err := Results(ctx, st, "")
	if err != nil { // e.g. a lottery tie without its seed: the state without the signature
		s, err := ResultsStatusWith(ctx, st, now, w.srv.CachedAudit, false)
		return s, nil, false, err
	}
	return statusWithKept(ctx, st, now, w.srv.CachedAudit, ed, rs, w.srv.cfg.Log)
}

// signOff records the coordinator's sign-off of one voting point.
func (w *Web) signOff(rw http.ResponseWriter, r *http.Request, user string) {
	kiosk, reason := r.FormValue("kiosk"), strings.TrimSpace(r.FormValue("reason"))
	if len(reason) > 500 {
		reason = reason[:500]
	}
	err := SignOffPoint(r.Context(), w.srv.cfg.Store, kiosk, reason, user, w.srv.cfg.Clock())
	switch {
	case errors.Is(err, store.ErrNoReason):
		w.reconcileWith(rw, r, user, "dash.err.reason_needed", http.StatusBadRequest)
		return
	case errors.Is(err, store.ErrNotFound):
		w.reconcileWith(rw, r, user, "dash.err.unknown_kiosk", http.StatusBadRequest)
		return
	case err != nil:
		p, _ := w.base(rw, r, user, "reconcile")
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.store")
		return
	}
	w.srv.cfg.Log.Info("point-signed-off", "kiosk", kiosk, "by", user)
	http.Redirect(rw, r, "/dashboard/reconcile", http.StatusSeeOther)
}

// evalRow is one venue's answers to "how easy was it to vote?".
type evalRow struct {
	Venue  string
	Counts [5]int
	Total  int
	Mean   string
}

// evaluationRows lists the answers per venue, the web's ("") last.
func evaluationRows(ev map[string][5]int, ed *election.Edition, t func(string, ...any) string) []evalRow {
	var rows []evalRow
	for venue, n := range ev {
		row := evalRow{Venue: venueName(ed, venue), Counts: n}
		if venue == "" {
			row.Venue = t("dash.eval.web")
		}
		sum := 0
		for i, c := range n {
			row.Total += c
			sum += (i + 1) * c
		}
		if row.Total > 0 {
			row.Mean = strconv.FormatFloat(float64(sum)/float64(row.Total), 'f', 1, 64)
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b evalRow) int { return cmp.Compare(a.Venue, b.Venue) })
	return rows
}
