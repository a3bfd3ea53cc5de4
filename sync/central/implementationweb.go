package central

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// implementationRoutes adds the staff's implementation page: every
// winning project's record, a milestone form per project, and the import
// of the city's tracking sheet.
func (w *Web) implementationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/implementation", w.auth(w.implementation))
	mux.HandleFunc("POST /dashboard/implementation/record", w.auth(w.recordMilestone))
	mux.HandleFunc("POST /dashboard/implementation/import", w.auth(w.importImplementation))
}

type implRow struct {
	ID, Number, Title, Pool, Unit, Stage, Latest string
	Final                                        bool
}

func (w *Web) implementation(rw http.ResponseWriter, r *http.Request, user string) {
	w.implementationWith(rw, r, user, nil, "", http.StatusOK)
}

func (w *Web) implementationWith(rw http.ResponseWriter, r *http.Request, user string, problems []string, done string, code int) {
	p, _ := w.base(rw, r, user, "implementation")
	t := func(key string, a ...any) string { return w.msgs.T(p.Lang, key, a...) }
	ed, recs, err := Implementation(r.Context(), w.srv.cfg.Store)
	if err != nil {
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.store")
		return
	}
	loc := ed.Location()
	var rows []implRow
	for _, pool := range ed.Pools {
		for _, pr := range ed.ProjectsIn(pool.ID) {
			im := recs[pr.ID]
			if im == nil {
				continue
			}
			row := implRow{ID: pr.ID, Number: pr.Number, Title: pr.Title.In(p.Lang), Pool: pool.Name.In(p.Lang), Unit: im.Unit,
				Stage: t("built.stage." + string(im.Stage)), Final: im.Stage == civic.Done || im.Stage == civic.NotFeasible}
			if n := len(im.Milestones); n > 0 {
				m := im.Milestones[n-1]
				row.Latest = m.Date.In(loc).Format("02.01.2006") + " " + m.Note
			}
			rows = append(rows, row)
		}
	}
	var stages []map[string]string
	for _, s := range civic.Stages {
		stages = append(stages, map[string]string{"ID": string(s), "Name": t("built.stage." + string(s))})
	}
	data := map[string]any{"Rows": rows, "Stages": stages, "Problems": problems, "Done": done,
		"Today": w.srv.cfg.Clock().In(loc).Format(time.DateOnly), "Columns": strings.Join(civic.ImplementationColumns, ";")}
	if code != http.StatusOK {
		rw.WriteHeader(code)
	}
	w.render(rw, "implementation.html", p, data)
}

// problemTexts are the sentences of an implementation error, each with
// its line of the sheet when it has one.
func (w *Web) problemTexts(lang string, err error) []string {
	var ps election.Problems
	var one election.Problem
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &one):
		ps = election.Problems{one}
	default:
		return nil
	}
	var out []string
	for _, p := range ps {
		key := p.Key
		if key == civic.KeyReason {
			key = "dash.impl.reason_needed"
		}
		s := w.msgs.T(lang, key)
		if p.Line > 0 {
			s = w.msgs.T(lang, "dash.impl.line", "line", strconv.Itoa(p.Line)) + " " + s
		}
		if p.Detail != "" && p.Key != civic.KeyColumns {
			s += " (" + p.Detail + ")"
		}
		out = append(out, s)
	}
	return out
}

func (w *Web) recordMilestone(rw http.ResponseWriter, r *http.Request, user string) {
	lang := pageLang(rw, r)
	ed, err := w.edition(r.Context())
	if err != nil {
		http.Error(rw, w.msgs.T(lang, "dash.err.no_catalog"), http.StatusServiceUnavailable)
		return
	}
	date, err := time.ParseInLocation(time.DateOnly, r.FormValue("date"), ed.Location())
	if err != nil {
		w.implementationWith(rw, r, user, []string{w.msgs.T(lang, civic.KeyDate)}, "", http.StatusBadRequest)
		return
	}
	m := civic.Milestone{Date: date, Stage: civic.Stage(r.FormValue("stage")), Note: clipText(r.FormValue("note"), 1000), Photo: clipText(r.FormValue("photo"), 500)}
	err = RecordMilestone(r.Context(), w.srv.cfg.Store, r.FormValue("project"), clipText(r.FormValue("unit"), 200), m, user, w.srv.cfg.Log)
	if texts := w.problemTexts(lang, err); texts != nil {
		w.implementationWith(rw, r, user, texts, "", http.StatusBadRequest)
		return
	}
	if err != nil {
		w.srv.cfg.Log.Error("implementation-failed", "err", err)
		http.Error(rw, w.msgs.T(lang, "dash.err.store"), http.StatusServiceUnavailable)
		return
	}
	http.Redirect(rw, r, "/dashboard/implementation", http.StatusSeeOther)
}

func (w *Web) importImplementation(rw http.ResponseWriter, r *http.Request, user string) {
	lang := pageLang(rw, r)
	r.Body = http.MaxBytesReader(rw, r.Body, 8<<20)
	f, _, err := r.FormFile("sheet")
	if err != nil {
		w.implementationWith(rw, r, user, []string{w.msgs.T(lang, "dash.impl.no_file")}, "", http.StatusBadRequest)
		return
	}
	defer f.Close()
	n, err := ImportImplementation(r.Context(), w.srv.cfg.Store, f, user, w.srv.cfg.Log)
	if texts := w.problemTexts(lang, err); texts != nil {
		w.implementationWith(rw, r, user, texts, "", http.StatusBadRequest)
		return
	}
	if err != nil {
		w.srv.cfg.Log.Error("implementation-failed", "err", err)
		http.Error(rw, w.msgs.T(lang, "dash.err.store"), http.StatusServiceUnavailable)
		return
	}
	w.implementationWith(rw, r, user, nil, w.msgs.T(lang, "dash.impl.imported", "n", n), http.StatusOK)
}

// clipText trims s and cuts it to at most n bytes on a letter boundary.
func clipText(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
