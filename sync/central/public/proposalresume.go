package public

import (
	"net/http"
	"strconv"

	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/election"
)

// Resume opens a draft handed over at a kiosk ("finish at home") on the
// proposal form, filled in: the resident adds what is missing (the
// contact was never handed over) and sends it as any web proposal.
type Resume struct {
	Proposals *Proposals
	Handoffs  *proposals.Handoffs
}

// Routes adds GET /proposals/resume/{code}.
func (rs *Resume) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /proposals/resume/{code}", rs.resume)
}

func (rs *Resume) resume(w http.ResponseWriter, r *http.Request) {
	p := rs.Proposals
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	// the address holds the code: it must not leave in a Referer
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	d := p.base(r, ed, "proposals.new.title")
	d.Closed = !ed.Allows(election.ActSubmit, p.Desk.Now())
	dr, ok := rs.Handoffs.Open(r.PathValue("code"))
	if !ok {
		d.Problems = []string{d.T("kp.handoff_gone")}
		p.formOf(ed, &d, formData{})
		p.render(w, "new.html", http.StatusNotFound, d)
		return
	}
	f := formData{Pool: dr.Pool, Title: dr.Title, Summary: dr.Summary, Description: dr.Description, Location: dr.Location,
		Category: string(dr.Category)}
	if dr.Cost > 0 {
		f.Cost = strconv.FormatInt(dr.Cost/100, 10)
	}
	p.formOf(ed, &d, f)
	p.render(w, "new.html", http.StatusOK, d)
}
