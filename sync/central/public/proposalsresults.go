package public

import (
	"bytes"
	"net/http"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// VerificationPDF is a pool's verification results as an A4 PDF to hang
// at the venues: the records' open data (no contact, tracker or staff
// names), each with its outcome and reason.
func VerificationPDF(ed *election.Edition, m assets.Messages, lang, pool string, rs []store.ProposalRecord, now time.Time) ([]byte, error) {
	v := poster.Verification{Edition: ed, Pool: pool, Lang: lang, Generated: now}
	for _, r := range rs {
		if r.Proposal.Pool != pool {
			continue
		}
		o := proposals.OpenOf(r.Proposal)
		v.Outcomes = append(v.Outcomes, poster.Outcome{ID: o.ID, Title: fontSafe(o.Title), Status: string(o.Status), Reason: fontSafe(o.Reason),
			Cost: r.Proposal.BallotCost()})
	}
	var b bytes.Buffer
	if err := poster.WriteVerification(&b, m, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// results serves GET /proposals/results.pdf?d=POOL: the pool's
// verification results, as the public list shows them.
func (p *Proposals) results(w http.ResponseWriter, r *http.Request) {
	ed := p.edition(w, r)
	if ed == nil {
		return
	}
	pool := clip(r.URL.Query().Get("d"))
	if ed.Pool(pool) == nil {
		http.Error(w, p.Msgs.T(pageLang(r), "proposal.pool"), http.StatusNotFound)
		return
	}
	rs, err := p.Desk.List(r.Context(), proposals.Filter{Pool: pool})
	if err != nil {
		p.fail(w, r, "proposal-results-failed", err)
		return
	}
	doc, err := VerificationPDF(ed, p.Msgs, pageLang(r), pool, rs, p.Desk.Now())
	if err != nil {
		p.fail(w, r, "proposal-results-failed", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="verification-`+pool+`.pdf"`)
	w.Write(doc)
}
