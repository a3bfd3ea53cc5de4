package central

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// PoolResult is one pool's outcome.
type PoolResult struct {
	Pool   string          `json:"pool"`
	Name   string          `json:"name"`
	Budget int64           `json:"budget"`
	Voters int             `json:"voters"`
	Result election.Result `json:"result"`
}

// Profiles returns each pool's profile of counted ballots (for exports).
func Profiles(ctx context.Context, st store.Store) (*election.Edition, map[string]*election.Profile, error) {
	ed, profiles, err := profiles(ctx, st)
	return ed, profiles, err
}

// Results tallies the counted ballots of the latest catalog's edition, pool
// by pool, under the edition's allocation rule. seed, when set, breaks ties
// by the reproducible lottery.
func Results(ctx context.Context, st store.Store, seed string) (*election.Edition, []PoolResult, error) {
	ed, profiles, err := profiles(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	rule, err := TallyRule(ed, seed)
	if err != nil {
		return nil, nil, err
	}
	var out []PoolResult
	for _, pool := range ed.Pools {
		p := profiles[pool.ID]
		res, err := p.Allocate(rule)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, PoolResult{Pool: pool.ID, Name: pool.Name.In("pl"), Budget: pool.Budget, Voters: len(p.Votes), Result: res})
	}
	return ed, out, nil
}

// TallyRule is the edition's allocation rule with its tie rule; seed is
// the tie lottery's public seed, for an edition whose tie rule is the lottery.
func TallyRule(ed *election.Edition, seed string) (election.Rule, error) {
	if seed != "" && ed.TieRule != "" && ed.TieRule != election.TieLottery {
		return election.Rule{}, fmt.Errorf("the edition breaks ties by %s: a lottery seed does not apply", ed.TieRule)
	}
	rule := election.Rule{Name: ed.Allocation.Rule, VoterThreshold: ed.Allocation.Threshold, Tie: ed.TieRule, Seed: seed}
	if rule.Name == "equal-shares" {
		rule.Completion = "add1"
	}
	return rule, nil
}

func profiles(ctx context.Context, st store.Store) (*election.Edition, map[string]*election.Profile, error) {
	ed, err := latestEdition(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	_, counted, err := st.Counts(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := newTally(ed, counted)
	err = st.Counted(ctx, func(edition, _ string, sels []election.Selection) error {
		if edition == ed.ID {
			t.add(sels)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ed, t.profiles, nil
}

// latestEdition decodes the latest catalog's edition.
func latestEdition(ctx context.Context, st store.Store) (*election.Edition, error) {
	c, err := st.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return election.DecodeEdition(bytes.NewReader(c.Edition))
}

// tally builds each pool's profile from counted ballots' choices: the
// fast tally (the store's index) and the audit's recount (the signed
// ballots) both go through it, so they can only differ by their input.
type tally struct {
	profiles map[string]*election.Profile
	pools    map[string]*tallyPool
	// the pool found at each place of the ballot before: ballots list
	// their pools in the same order, so the map is mostly skipped
	last []seenPool
}

// tallyPool is one pool's profile, its projects' indexes, and one backing
// array for its marks (few allocations for a million ballots).
type tallyPool struct {
	p     *election.Profile
	index map[string]int
	arena []election.Mark
}

type seenPool struct {
	id string
	t  *tallyPool
}

// newTally prepares the pools of ed for about expected ballots.
func newTally(ed *election.Edition, expected int) *tally {
	t := &tally{profiles: map[string]*election.Profile{}, pools: map[string]*tallyPool{}}
	for _, pool := range ed.Pools {
		tp := &tallyPool{p: &election.Profile{Budget: pool.Budget, Unit: 100}, index: map[string]int{}}
		if pool.Kind == election.CityWide {
			tp.p.Votes = make([][]election.Mark, 0, expected)
			tp.arena = make([]election.Mark, 0, 3*expected)
		}
		for _, pr := range ed.ProjectsIn(pool.ID) {
			tp.index[pr.ID] = len(tp.p.Projects)
			tp.p.Projects = append(tp.p.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
		}
		t.profiles[pool.ID], t.pools[pool.ID] = tp.p, tp
	}
	return t
}

// add counts one ballot's choices.
func (t *tally) add(sels []election.Selection) {
	for i, sel := range sels {
		if i == len(t.last) {
			t.last = append(t.last, seenPool{})
		}
		tp := t.last[i].t
		if tp == nil || t.last[i].id != sel.Pool {
			tp = t.pools[sel.Pool]
			t.last[i] = seenPool{sel.Pool, tp}
		}
		if tp == nil || len(sel.Choices) == 0 {
			continue
		}
		a := tp.arena
		if cap(a)-len(a) < len(sel.Choices) {
			a = make([]election.Mark, 0, max(1<<16, len(sel.Choices)))
		}
		start := len(a)
		for _, ch := range sel.Choices {
			i, ok := tp.index[ch.Project]
			if !ok {
				continue
			}
			pts := ch.Points
			if pts == 0 {
				pts = 1
			}
			a = append(a, election.Mark{Project: i, Points: pts})
		}
		tp.arena = a
		tp.p.Votes = append(tp.p.Votes, a[start:len(a):len(a)])
	}
}

// WriteResults writes the results as JSON, CSV or a PDF report.
func WriteResults(w io.Writer, ed *election.Edition, rs []PoolResult, format, lang string, at time.Time) error {
	return WriteAuditedResults(w, ed, rs, nil, format, lang, at)
}

// WriteAuditedResults writes the results with their audit (nil: none was
// run): JSON carries "verified" and the audit, the PDF says on its first
// page whether the recount from signed ballots agreed.
func WriteAuditedResults(w io.Writer, ed *election.Edition, rs []PoolResult, a *Audit, format, lang string, at time.Time) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Edition  string       `json:"edition"`
			Catalog  int          `json:"catalog"`
			At       time.Time    `json:"at"`
			Verified bool         `json:"verified"`
			Audit    *Audit       `json:"audit,omitempty"`
			Pools    []PoolResult `json:"pools"`
		}{ed.ID, ed.Version, at, a != nil && a.Agrees, a, rs})
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"pool", "rank", "project", "number", "title", "voters", "score", "cost", "funded", "tie"})
		for _, r := range rs {
			tied := map[string]string{} // project → "N:rule", the Nth tie that decided a winner in the pool
			for n, t := range r.Result.Ties {
				for _, p := range t.Projects {
					tied[p.ID] = strconv.Itoa(n+1) + ":" + string(t.By)
				}
			}
			for _, p := range r.Result.Projects {
				pr := ed.Project(p.ID)
				cw.Write([]string{r.Pool, strconv.Itoa(p.Rank), p.ID, pr.Number, pr.Title.In(lang), strconv.Itoa(p.Votes),
					strconv.FormatInt(p.Score, 10), election.FormatPLN(p.Cost), strconv.FormatBool(p.Funded), tied[p.ID]})
			}
		}
		cw.Flush()
		return cw.Error()
	case "pdf":
		return resultsPDF(w, ed, rs, a, lang, at)
	}
	return fmt.Errorf("format %q: json, csv or pdf", format)
}

// resultsPDF is the results report: per pool, the ranking with points,
// voters, cost and whether funded, and the money left.
func resultsPDF(w io.Writer, ed *election.Edition, rs []PoolResult, a *Audit, lang string, at time.Time) error {
	m := assets.MustMessages()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("dejavu", "", assets.FontSans())
	pdf.AddUTF8FontFromBytes("dejavu", "B", assets.FontSansBold())
	pdf.SetTitle(ed.Name.In(lang), true)
	pdf.SetCreationDate(at)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("dejavu", "", 8)
		pdf.CellFormat(0, 5, m.T(lang, "poster.page", "page", pdf.PageNo(), "pages", "{nb}"), "", 0, "R", false, 0, "")
	})
	for _, r := range rs {
		pdf.AddPage()
		pdf.SetFont("dejavu", "B", 14)
		pdf.MultiCell(0, 7, ed.Name.In(lang)+" – "+m.T(lang, "results.title"), "", "L", false)
		pool := ed.Pool(r.Pool)
		pdf.SetFont("dejavu", "B", 12)
		pdf.MultiCell(0, 6, pool.Name.In(lang), "", "L", false)
		pdf.SetFont("dejavu", "", 9)
		pdf.MultiCell(0, 5, m.T(lang, "results.summary", "voters", r.Voters, "budget", election.FormatPLN(r.Budget),
			"spent", election.FormatPLN(r.Result.Spent), "left", election.FormatPLN(r.Result.Left), "rule", r.Result.Rule), "", "L", false)
		if a != nil {
			pdf.SetFont("dejavu", "B", 9)
			if a.Agrees {
				pdf.MultiCell(0, 5, m.T(lang, "results.verified", "n", a.Verified), "", "L", false)
			} else {
				pdf.SetTextColor(180, 0, 0)
				line := m.T(lang, "results.unverified", "n", len(a.Differences)+a.Mismatched)
				if a.Verdict == "audit.incomplete" { // the recount agrees: say what failed
					line = m.T(lang, "audit.incomplete")
				}
				pdf.MultiCell(0, 5, line, "", "L", false)
				pdf.SetTextColor(0, 0, 0)
			}
			pdf.SetFont("dejavu", "", 9)
		}
		pdf.Ln(2)
		widths := []float64{10, 26, 74, 16, 16, 26, 14}
		heads := []string{"#", m.T(lang, "poster.number"), m.T(lang, "poster.title"), m.T(lang, "results.voters"), m.T(lang, "results.points"), m.T(lang, "poster.cost"), m.T(lang, "results.funded")}
		pdf.SetFont("dejavu", "B", 8)
		for i, h := range heads {
			pdf.CellFormat(widths[i], 6, h, "B", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("dejavu", "", 8)
		for _, p := range r.Result.Projects {
			pr := ed.Project(p.ID)
			funded := ""
			if p.Funded {
				funded = "✓"
				pdf.SetFont("dejavu", "B", 8)
			}
			title := pr.Title.In(lang)
			lines := pdf.SplitText(title, widths[2])
			h := float64(len(lines)) * 4.2
			if pdf.GetY()+h > 280 {
				pdf.AddPage()
			}
			x, y := pdf.GetXY()
			cells := []string{strconv.Itoa(p.Rank), pr.Number, "", strconv.Itoa(p.Votes), strconv.FormatInt(p.Score, 10), election.FormatPLN(p.Cost), funded}
			for i, c := range cells {
				if i == 2 {
					pdf.MultiCell(widths[2], 4.2, title, "", "L", false)
					pdf.SetXY(x+widths[0]+widths[1]+widths[2], y)
					continue
				}
				pdf.CellFormat(widths[i], 4.2, c, "", 0, "L", false, 0, "")
			}
			pdf.SetXY(x, y+h+0.8)
			pdf.SetFont("dejavu", "", 8)
		}
		for _, t := range r.Result.Ties {
			pdf.Ln(2)
			pdf.SetFont("dejavu", "B", 9)
			pdf.MultiCell(0, 5, TieText(m, lang, ed, r.Result, t), "", "L", false)
		}
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}
