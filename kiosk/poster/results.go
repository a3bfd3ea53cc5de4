package poster

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// PoolOutcome is one pool's tallied result, as the results posters take it.
type PoolOutcome struct {
	Pool   string
	Voters int
	Result election.Result
}

// ResultsModel is what a results poster shows, on A4 and on the thermal
// strip: the winners of a venue's district and the city-wide pool (a
// venue's poster) or of one district and the city-wide pool (a district's),
// with the results' state, so that provisional results never pass for final.
type ResultsModel struct {
	Lang    string
	Edition string
	Title   string // "Wyniki głosowania"
	Place   string // the venue's name and address, or the district
	Final   bool
	State   string // the state in words, with what it means
	Pools   []ResultsPool
	URL     string // the public results page, for the QR code
	Lines   map[string]string
	// KeyFingerprint is the edition key's, to check the signed results
	// against paper the server cannot change.
	KeyFingerprint string
	Generated      time.Time
}

// ResultsPool is one pool on a results poster.
type ResultsPool struct {
	Name    string
	Summary string // voters, budget, allocated, left
	Winners []Winner
	None    string // said when nothing was funded
}

// Winner is a funded project with its points.
type Winner struct {
	Number, Title string
	Cost, Score   int64
	Voters        int
	Points        string // "1 234 pkt" in the poster's language
}

// ResultsFor names what a results poster is for: a venue (its district
// and the city-wide pool) or a district; exactly one of them.
type ResultsFor struct {
	Venue, District string
}

// NewResultsModel builds a results poster's model from the outcomes of the
// pools (the city-wide one and the poster's district must be among them)
// in state.
func NewResultsModel(ed *election.Edition, m assets.Messages, outcomes []PoolOutcome, state election.ResultsState, f ResultsFor, lang, url string) (*ResultsModel, error) {
	if !slices.Contains(assets.Languages, lang) {
		return nil, fmt.Errorf("language %q: one of %s", lang, strings.Join(assets.Languages, ", "))
	}
	if (f.Venue == "") == (f.District == "") {
		return nil, fmt.Errorf("a results poster is for a venue or a district")
	}
	rm := &ResultsModel{Lang: lang, Edition: ed.Name.In(lang), Title: m.T(lang, "poster.results.title"), URL: url,
		Final: state == election.Final, Lines: map[string]string{}}
	district := f.District
	if f.Venue != "" {
		v := ed.Venue(f.Venue)
		if v == nil {
			return nil, fmt.Errorf("unknown venue %q", f.Venue)
		}
		district = v.District
		rm.Place = v.Name + ", " + v.Address
	}
	d := ed.Pool(district)
	if d == nil || d.Kind == election.CityWide {
		return nil, fmt.Errorf("unknown district %q", district)
	}
	if f.District != "" {
		rm.Place = m.T(lang, "poster.results.district", "district", strings.TrimSpace(d.Number+" "+districtName(d)))
	}
	rm.State = m.T(lang, "poster.results.state."+string(state))
	byPool := map[string]PoolOutcome{}
	for _, o := range outcomes {
		byPool[o.Pool] = o
	}
	var pools []*election.Pool
	if c := ed.CityPool(); c != nil {
		pools = append(pools, c)
	}
	pools = append(pools, d)
	for _, pool := range pools {
		o, ok := byPool[pool.ID]
		if !ok {
			return nil, fmt.Errorf("no results for pool %q", pool.ID)
		}
		rp := ResultsPool{Name: pool.Name.In(lang),
			Summary: m.T(lang, "poster.results.summary", "voters", o.Voters, "budget", election.FormatPLN(pool.Budget),
				"spent", election.FormatPLN(o.Result.Spent), "left", election.FormatPLN(o.Result.Left))}
		score := map[string]election.Scored{}
		for _, s := range o.Result.Projects {
			score[s.ID] = s
		}
		for _, id := range o.Result.Winners {
			pr, s := ed.Project(id), score[id]
			w := Winner{Number: id, Title: id, Cost: s.Cost, Score: s.Score, Voters: s.Votes,
				Points: m.T(lang, "poster.results.points", "n", strconv.FormatInt(s.Score, 10))}
			if pr != nil {
				w.Number, w.Title = pr.Number, pr.Title.In(lang)
			}
			rp.Winners = append(rp.Winners, w)
		}
		if len(rp.Winners) == 0 {
			rp.None = m.T(lang, "poster.results.none")
		}
		rm.Pools = append(rm.Pools, rp)
	}
	for _, k := range []string{"results.points", "poster.results.scan", "poster.results.neutral", "report.edition_key", "poster.number", "poster.title", "poster.cost"} {
		rm.Lines[k] = m.T(lang, k)
	}
	rm.Lines["poster.page"] = m.T(lang, "poster.page")
	return rm, nil
}

// WriteResults writes the results poster as an A4 PDF: the state first,
// then each pool's winners with their points and cost, as many pages as
// they need, the QR code to the public page and the key's fingerprint.
func WriteResults(w io.Writer, rm *ResultsModel) error {
	pdf := newPDF("P", "A4", &Model{Edition: rm.Edition, Venue: rm.Place, Generated: rm.Generated})
	pdf.SetTitle(rm.Edition+" – "+rm.Title+" – "+rm.Place, true)
	pdf.AliasNbPages("{nb}")
	p := painter{pdf, 0, 0, 1}
	inner := pageW - 2*margin
	const bottom = pageH - 20
	pdf.SetFooterFunc(func() {
		p.color(muted)
		p.font(false, 8.5)
		label := strings.NewReplacer("{page}", fmt.Sprint(pdf.PageNo()), "{pages}", "{nb}").Replace(rm.Lines["poster.page"])
		foot := rm.Place
		if rm.KeyFingerprint != "" {
			foot = rm.Lines["report.edition_key"] + ": " + rm.KeyFingerprint
		}
		p.text(margin, pageH-12, inner-30, 5, foot, "L")
		p.text(margin, pageH-12, inner, 5, label, "R")
	})
	pdf.AddPage()
	p.fill(blue)
	p.rect(0, 0, pageW, 30)
	p.color([3]int{255, 255, 255})
	p.font(true, 13)
	p.text(margin, 5, inner, 6, rm.Edition, "L")
	p.font(true, 24)
	p.text(margin, 13, inner, 11, rm.Title, "L")
	p.color(ink)
	p.font(true, 14)
	y := p.text(margin, 36, inner, 7, rm.Place, "L")
	// the state, in a band: gold while not final, so that nobody takes
	// provisional results for the final ones
	stateBg, stateInk := [3]int{227, 243, 232}, [3]int{30, 125, 58}
	if !rm.Final {
		stateBg, stateInk = gold, ink
	}
	p.font(true, 12)
	h := float64(p.lines(rm.State, inner-8))*6 + 5
	p.fill(stateBg)
	p.rect(margin, y+3, inner, h)
	p.color(stateInk)
	p.text(margin+4, y+5.5, inner-8, 6, rm.State, "L")
	y += h + 8
	numW, ptsW, costW := 34.0, 28.0, 30.0
	titleW := inner - numW - ptsW - costW
	for _, pool := range rm.Pools {
		if y > bottom-40 {
			pdf.AddPage()
			y = margin
		}
		p.color(blue)
		p.font(true, 16)
		y = p.text(margin, y, inner, 8, pool.Name, "L")
		p.color(muted)
		p.font(false, 10)
		y = p.text(margin, y+1, inner, 5, pool.Summary, "L") + 2
		p.color(ink)
		if pool.None != "" {
			p.font(false, 11)
			y = p.text(margin, y, inner, 6, pool.None, "L") + 6
			continue
		}
		p.font(true, 9)
		p.color(muted)
		p.text(margin, y, numW, 5, rm.Lines["poster.number"], "L")
		p.text(margin+numW, y, titleW, 5, rm.Lines["poster.title"], "L")
		p.text(margin+numW+titleW, y, ptsW, 5, rm.Lines["results.points"], "R")
		p.text(pageW-margin-costW, y, costW, 5, rm.Lines["poster.cost"], "R")
		y += 6
		pdf.SetDrawColor(180, 186, 196)
		pdf.Line(margin, y-0.5, pageW-margin, y-0.5)
		for _, wn := range pool.Winners {
			p.font(false, 11)
			lh := float64(p.lines(wn.Title, titleW))*5.2 + 2.5
			if y+lh > bottom {
				pdf.AddPage()
				y = margin
			}
			p.color(blue)
			p.font(true, 11)
			p.text(margin, y+1, numW, 5.2, wn.Number, "L")
			p.color(ink)
			p.font(false, 11)
			p.text(margin+numW, y+1, titleW, 5.2, wn.Title, "L")
			p.font(true, 11)
			p.text(margin+numW+titleW, y+1, ptsW, 5.2, wn.Points, "R")
			p.font(false, 11)
			p.text(pageW-margin-costW, y+1, costW, 5.2, election.FormatPLN(wn.Cost), "R")
			y += lh
		}
		y += 6
	}
	// the QR code to the public page, with what it is for
	const qr = 34.0
	if y+qr > bottom {
		pdf.AddPage()
		y = margin
	}
	drawQR(p, rm.URL, margin, y, qr)
	p.color(ink)
	p.font(true, 11)
	yy := p.text(margin+qr+6, y+2, inner-qr-6, 5.5, rm.Lines["poster.results.scan"], "L")
	p.font(false, 10)
	yy = p.text(margin+qr+6, yy, inner-qr-6, 5, strings.TrimPrefix(rm.URL, "https://"), "L")
	p.color(muted)
	p.font(false, 9)
	p.text(margin+qr+6, yy+2, inner-qr-6, 4.5, rm.Lines["poster.results.neutral"], "L")
	if err := pdf.Error(); err != nil {
		return err
	}
	return output(w, pdf)
}

// ErrResultsEdition: a signed results document of another edition.
var ErrResultsEdition = errors.New("the signed results are of another edition")

// SignedOutcomes checks a signed results document with the edition key
// the voting point was given at enrollment (never the key inside the
// document) and returns its pools and the state it was signed in, as a
// kiosk takes them for its results screen and posters.
func SignedOutcomes(f *wire.ResultsFile, key ed25519.PublicKey, ed *election.Edition) ([]PoolOutcome, election.ResultsState, error) {
	if err := f.Verify(key); err != nil {
		return nil, "", err
	}
	if f.Edition != ed.ID {
		return nil, "", ErrResultsEdition
	}
	var doc struct {
		Pools []struct {
			Pool   string          `json:"pool"`
			Voters int             `json:"voters"`
			Result election.Result `json:"result"`
		} `json:"pools"`
	}
	if err := json.Unmarshal(f.Results, &doc); err != nil {
		return nil, "", err
	}
	var out []PoolOutcome
	for _, p := range doc.Pools {
		out = append(out, PoolOutcome{Pool: p.Pool, Voters: p.Voters, Result: p.Result})
	}
	return out, election.ResultsState(f.State), nil
}
