package public

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"strconv"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed evaluation.html
var evaluationFS embed.FS

var evaluationPage = template.Must(template.ParseFS(evaluationFS, "evaluation.html"))

// EvaluationPages ask "how easy was it to vote?" (1–5, and where) on the
// web, without scripts or cookies. Only the count of each answer per
// venue is kept: nothing joins an answer to a ballot or a person.
type EvaluationPages struct {
	Edition func(context.Context) (*election.Edition, error)
	// Add counts one answer; venue "" when the resident did not say.
	Add func(ctx context.Context, venue string, score int) error
	// Allow limits answers per address (nil: no limit), so that a script
	// cannot fill the counts; false refuses the answer.
	Allow func(http.ResponseWriter, *http.Request) bool
	Msgs  assets.Messages
}

// Routes adds the evaluation page to mux.
func (p *EvaluationPages) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /evaluate", p.serve)
	mux.HandleFunc("POST /evaluate", p.serve)
}

type evaluationData struct {
	Lang, Title, Thanks, Error string
	Langs                      []string
	T                          func(string, ...any) string
	Venues                     []link
	Scores                     []scoreView
}

type scoreView struct {
	Value int
	Label string
}

func (p *EvaluationPages) serve(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	ed, err := p.Edition(r.Context())
	if err != nil || ed == nil {
		http.Error(w, t("pub.results.none"), http.StatusServiceUnavailable)
		return
	}
	d := evaluationData{Lang: lang, Langs: assets.Languages, T: t, Title: t("eval.question")}
	for _, v := range ed.Venues {
		d.Venues = append(d.Venues, link{Name: v.Name, Href: v.ID})
	}
	for i := 1; i <= 5; i++ {
		d.Scores = append(d.Scores, scoreView{Value: i, Label: t("eval.score." + strconv.Itoa(i))})
	}
	code := http.StatusOK
	if r.Method == http.MethodPost {
		score, _ := strconv.Atoi(r.PostFormValue("score"))
		venue := r.PostFormValue("venue")
		switch {
		case score < 1 || score > 5:
			d.Error, code = t("eval.err.score"), http.StatusBadRequest
		case venue != "" && ed.Venue(venue) == nil:
			d.Error, code = t("eval.err.venue"), http.StatusBadRequest
		case p.Allow != nil && !p.Allow(w, r):
			d.Error, code = t("eval.err.busy"), http.StatusTooManyRequests
		default:
			if err := p.Add(r.Context(), venue, score); err != nil {
				http.Error(w, t("eval.err.store"), http.StatusServiceUnavailable)
				return
			}
			d.Thanks = t("eval.thanks")
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	evaluationPage.ExecuteTemplate(w, "evaluation.html", d)
}
