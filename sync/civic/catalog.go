package civic

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// BuildCatalog turns the proposals that passed into the edition's projects:
// numbered per pool in the order they were submitted, by the edition's
// numbering template, with title, summary, cost and location carried over.
// The project's id is the proposal's, so every project links back to its
// history. It returns the projects and marks each proposal on the ballot.
//
// It refuses before the protest phase has ended and while any protest waits
// for the council: a restored proposal must be able to reach the ballot.
func BuildCatalog(e *election.Edition, ps []*Proposal, at time.Time, actor string) ([]election.Project, error) {
	for _, ph := range e.Timeline() {
		if ph.Kind == election.PhaseProtests && at.Before(ph.Ends) {
			return nil, election.Problem{Key: KeyProtests, Detail: ph.Ends.In(e.Location()).Format(time.DateOnly)}
		}
	}
	for _, p := range ps {
		if p.Status == Protested && p.Edition == e.ID {
			return nil, election.Problem{Key: KeyProtests, Detail: p.ID}
		}
	}
	passed := slices.DeleteFunc(slices.Clone(ps), func(p *Proposal) bool { return !p.Passed() || p.Edition != e.ID })
	slices.SortStableFunc(passed, func(a, b *Proposal) int {
		if c := poolIndex(e, a.Pool) - poolIndex(e, b.Pool); c != 0 {
			return c
		}
		if c := submittedAt(a).Compare(submittedAt(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var out []election.Project
	n := map[string]int{}
	for _, p := range passed {
		pool := e.Pool(p.Pool)
		if pool == nil {
			return nil, election.Problem{Key: KeyPool, Detail: p.Pool}
		}
		n[p.Pool]++
		number, err := Number(e, pool, n[p.Pool])
		if err != nil {
			return nil, err
		}
		title := election.Text{p.Lang: p.Title}
		summary := election.Text{p.Lang: p.Summary}
		location := election.Text{p.Lang: p.Location}
		out = append(out, election.Project{ID: p.ID, Number: number, Pool: p.Pool, Title: title, Summary: summary,
			Cost: p.BallotCost(), Category: p.Category, Location: location})
	}
	for i, p := range passed {
		p.Status = OnBallot
		p.Number = out[i].Number
		p.History = append(p.History, Event{At: at, Kind: EvNumbered, Actor: actor, Detail: out[i].Number})
	}
	return out, nil
}

// Number writes the public number of the n-th project of pool by the
// edition's template; without one, "{pool id}.{n}".
func Number(e *election.Edition, pool *election.Pool, n int) (string, error) {
	tmpl := pool.ID + ".{n}"
	if e.Proposals != nil && e.Proposals.Numbering[pool.Kind] != "" {
		tmpl = e.Proposals.Numbering[pool.Kind]
	}
	d := ""
	if pool.Kind == election.District {
		v, ok := roman(pool.Number)
		if !ok {
			return "", election.Problem{Key: KeyPool, Detail: fmt.Sprintf("district %s has no Roman numeral", pool.ID)}
		}
		d = strconv.Itoa(v)
	}
	year := e.Opens.In(e.Location()).Year()
	r := strings.NewReplacer("{n}", strconv.Itoa(n), "{d}", d, "{r}", pool.Number,
		"{yyyy}", strconv.Itoa(year), "{yy}", fmt.Sprintf("%02d", year%100))
	return r.Replace(tmpl), nil
}

func poolIndex(e *election.Edition, id string) int {
	for i, p := range e.Pools {
		if p.ID == id {
			return i
		}
	}
	return len(e.Pools)
}

func submittedAt(p *Proposal) time.Time {
	if len(p.History) > 0 {
		return p.History[0].At
	}
	return time.Time{}
}

// roman reads a Roman numeral up to 3999 (districts are I to XVIII).
func roman(s string) (int, bool) {
	val := map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
	total := 0
	for i := 0; i < len(s); i++ {
		v, ok := val[s[i]]
		if !ok {
			return 0, false
		}
		if i+1 < len(s) && val[s[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	return total, total > 0
}
