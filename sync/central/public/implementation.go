package public

import (
	"cmp"
	"context"
	"embed"
	"html/template"
	"net/http"
	"slices"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed implementation.html
var implementationFS embed.FS

var implementationPage = template.Must(template.New("").Funcs(template.FuncMap{"pln": election.FormatPLN}).ParseFS(implementationFS, "implementation.html"))

// BuiltProject is one winning project's implementation record as the
// public pages show it, of this edition or an earlier one.
type BuiltProject struct {
	Edition     string
	EditionName election.Text
	Title       election.Text
	Cost        int64
	Record      civic.Implementation
}

// Built is what the implementation pages show: the current edition (its
// districts name the pages) and every record.
type Built struct {
	Edition  *election.Edition
	Projects []BuiltProject
}

// ImplementationPages serve "what was built" under /built, in Polish,
// English and Ukrainian, server-rendered without scripts: every district
// with its projects' stages, one district's projects ("what was built near
// you"), and one project's milestones.
type ImplementationPages struct {
	Built func(context.Context) (Built, error)
	Msgs  assets.Messages
}

// Routes adds the implementation pages to mux.
func (p *ImplementationPages) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /built", p.serve)
	mux.HandleFunc("GET /built/{pool}", p.serve)
	mux.HandleFunc("GET /built/{edition}/{project}", p.serve)
}

type builtData struct {
	Lang, Title, Heading, Intro string
	Langs                       []string
	T                           func(string, ...any) string
	Pools                       []builtPool
	Projects                    []builtView
	Project                     *builtView
	Back                        string
}

type builtPool struct {
	Name, Href, Counts string
	On                 bool
}

type builtView struct {
	Href, Number, Title, Edition, Pool, Unit, Stage, StageClass, Reason, Latest string
	Cost                                                                        int64
	Milestones                                                                  []milestoneView
}

type milestoneView struct {
	Date, Stage, Note, Photo string
}

var stageClass = map[civic.Stage]string{civic.Planned: "planned", civic.InDesign: "work", civic.Tendering: "work",
	civic.InProgress: "work", civic.Done: "done", civic.NotFeasible: "stop"}

func (p *ImplementationPages) serve(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	b, err := p.Built(r.Context())
	if err != nil || b.Edition == nil {
		http.Error(w, t("pub.built.none"), http.StatusServiceUnavailable)
		return
	}
	ed := b.Edition
	loc := ed.Location()
	// newest edition first, then by pool and number
	slices.SortStableFunc(b.Projects, func(x, y BuiltProject) int {
		return cmp.Or(-cmp.Compare(x.Edition, y.Edition), cmp.Compare(x.Record.Pool, y.Record.Pool), cmp.Compare(x.Record.Number, y.Record.Number))
	})
	view := func(bp BuiltProject) builtView {
		im := bp.Record
		v := builtView{Href: "/built/" + bp.Edition + "/" + im.Project + "?lang=" + lang, Number: im.Number, Title: bp.Title.In(lang),
			Edition: bp.EditionName.In(lang), Unit: im.Unit, Stage: t("built.stage." + string(im.Stage)), StageClass: stageClass[im.Stage],
			Reason: im.Reason, Cost: bp.Cost}
		if pool := ed.Pool(im.Pool); pool != nil {
			v.Pool = pool.Name.In(lang)
		}
		for _, m := range im.Milestones {
			v.Milestones = append(v.Milestones, milestoneView{Date: m.Date.In(loc).Format("02.01.2006"), Stage: t("built.stage." + string(m.Stage)), Note: m.Note, Photo: safePhoto(m.Photo)})
		}
		if n := len(v.Milestones); n > 0 {
			last := v.Milestones[n-1]
			v.Latest = t("pub.built.latest", "date", last.Date, "stage", last.Stage)
		}
		return v
	}
	d := builtData{Lang: lang, Langs: assets.Languages, T: t, Title: t("pub.built.title")}
	want, edition, project := r.PathValue("pool"), r.PathValue("edition"), r.PathValue("project")
	if project != "" {
		for _, bp := range b.Projects {
			if bp.Edition == edition && bp.Record.Project == project {
				v := view(bp)
				d.Project, d.Heading = &v, v.Number+" "+v.Title
				d.Back = "/built/" + bp.Record.Pool + "?lang=" + lang
			}
		}
		if d.Project == nil {
			http.Error(w, t("pub.built.no_project"), http.StatusNotFound)
			return
		}
		p.render(w, d)
		return
	}
	if want != "" && ed.Pool(want) == nil {
		http.Error(w, t("pub.results.no_pool"), http.StatusNotFound)
		return
	}
	for _, pool := range ed.Pools {
		n, done := 0, 0
		for _, bp := range b.Projects {
			if bp.Record.Pool == pool.ID {
				n++
				if bp.Record.Stage == civic.Done {
					done++
				}
			}
		}
		d.Pools = append(d.Pools, builtPool{Name: pool.Name.In(lang), Href: "/built/" + pool.ID + "?lang=" + lang, On: pool.ID == want,
			Counts: t("pub.built.counts", "n", n, "done", done)})
	}
	if want == "" {
		d.Heading, d.Intro = t("pub.built.title"), t("pub.built.intro")
	} else {
		d.Heading = t("pub.built.near", "pool", ed.Pool(want).Name.In(lang))
		for _, bp := range b.Projects {
			if bp.Record.Pool == want {
				d.Projects = append(d.Projects, view(bp))
			}
		}
		if len(d.Projects) == 0 {
			d.Intro = t("pub.built.nothing")
		}
	}
	p.render(w, d)
}

func (p *ImplementationPages) render(w http.ResponseWriter, d builtData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
	if err := implementationPage.ExecuteTemplate(w, "implementation.html", d); err != nil {
		http.Error(w, "template", http.StatusInternalServerError)
	}
}

// safePhoto keeps a photo's address only when it is an https link (the
// city's own site), so that a sheet cannot put a script on the page.
func safePhoto(u string) string {
	if len(u) > 8 && u[:8] == "https://" {
		return u
	}
	return ""
}
