package public

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/urna-kiosk/urna/kiosk/poster"
)

// ResultsURL is the public results page of an edition whose ballot check
// is at checkURL (…/check → …/results), for the posters' QR codes.
func ResultsURL(checkURL string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(checkURL, "/"), "/check")
	return base + "/results"
}

// poster serves a results poster as an A4 PDF: ?venue=ID for a voting
// point (its district and the city-wide pool) or ?d=ID for a district,
// in ?lang=. It carries the state the results are in, and the key's
// fingerprint only once the results are signed.
func (p *ResultsPages) poster(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	t := func(k string, a ...any) string { return p.Msgs.T(lang, k, a...) }
	res, err := p.Results(r.Context())
	if err != nil || res.Edition == nil {
		http.Error(w, t("pub.results.none"), http.StatusServiceUnavailable)
		return
	}
	var out []poster.PoolOutcome
	for _, pr := range res.Pools {
		out = append(out, poster.PoolOutcome{Pool: pr.Pool, Voters: pr.Voters, Result: pr.Result})
	}
	f := poster.ResultsFor{Venue: r.FormValue("venue"), District: r.FormValue("d")}
	rm, err := poster.NewResultsModel(res.Edition, p.Msgs, out, res.State, f, lang, ResultsURL(res.Edition.CheckURL))
	if err != nil {
		http.Error(w, t("pub.results.no_poster"), http.StatusNotFound)
		return
	}
	if res.Signed != nil && res.Signed.Current {
		rm.KeyFingerprint = res.Signed.Fingerprint
	}
	var b bytes.Buffer
	if err := poster.WriteResults(&b, rm); err != nil {
		http.Error(w, "pdf", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="results-poster.pdf"`)
	w.Write(b.Bytes())
}
