package election

import (
	"fmt"
	"slices"
)

// Choice is one project picked on a ballot, with the points given to it
// (zero under approval and knapsack rules).
type Choice struct {
	Project string `json:"project"`
	Points  int    `json:"points,omitempty"`
}

// Selection is what a resident chose in one pool.
type Selection struct {
	Pool    string   `json:"pool"`
	Choices []Choice `json:"choices"`
}

// Ballot is a resident's choices before it is sealed.
type Ballot struct {
	Edition    string      `json:"edition"`
	District   string      `json:"district"`
	Selections []Selection `json:"selections"`
}

// Selection returns the selection for pool, or an empty one.
func (b *Ballot) Selection(pool string) Selection {
	for _, s := range b.Selections {
		if s.Pool == pool {
			return s
		}
	}
	return Selection{Pool: pool}
}

// Translation keys of ballot problems.
const (
	KeyWrongEdition     = "ballot.wrong_edition"
	KeyUnknownDistrict  = "ballot.unknown_district"
	KeyWrongPool        = "ballot.wrong_pool"
	KeyDuplicatePool    = "ballot.duplicate_pool"
	KeyUnknownProject   = "ballot.unknown_project"
	KeyProjectWrongPool = "ballot.project_wrong_pool"
	KeyDuplicateProject = "ballot.duplicate_project"
	KeyPointsNotPerm    = "ballot.points_not_permutation"
	KeyTooFew           = "ballot.too_few"
	KeyTooMany          = "ballot.too_many"
	KeyOverBudget       = "ballot.over_budget"
	KeyNoRule           = "ballot.no_rule"
)

// Rule returns the ballot rule for a pool.
func (e *Edition) Rule(p *Pool) (BallotRule, bool) {
	r, ok := e.Rules[p.Kind]
	return r, ok
}

// Validate returns every problem with b under e's rules; none means the
// ballot may be sealed.
func (e *Edition) Validate(b Ballot) Problems {
	var ps Problems
	if b.Edition != e.ID {
		ps = append(ps, Problem{Key: KeyWrongEdition, Detail: fmt.Sprintf("ballot for %q, edition is %q", b.Edition, e.ID)})
	}
	if d := e.Pool(b.District); d == nil || d.Kind != District {
		ps = append(ps, Problem{Key: KeyUnknownDistrict, Detail: b.District})
	}
	allowed := e.BallotPools(b.District)
	seen := map[string]bool{}
	for _, s := range b.Selections {
		if seen[s.Pool] {
			ps = append(ps, Problem{Key: KeyDuplicatePool, Pool: s.Pool})
			continue
		}
		seen[s.Pool] = true
		if !slices.ContainsFunc(allowed, func(p Pool) bool { return p.ID == s.Pool }) {
			ps = append(ps, Problem{Key: KeyWrongPool, Pool: s.Pool})
		}
	}
	for i := range allowed {
		ps = append(ps, e.validateSelection(&allowed[i], b.Selection(allowed[i].ID))...)
	}
	return ps
}

func (e *Edition) validateSelection(pool *Pool, s Selection) Problems {
	var ps Problems
	rule, ok := e.Rule(pool)
	if !ok {
		return Problems{{Key: KeyNoRule, Pool: pool.ID}}
	}
	if rule.Optional && len(s.Choices) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var cost int64
	for _, c := range s.Choices {
		p := e.Project(c.Project)
		switch {
		case p == nil:
			ps = append(ps, Problem{Key: KeyUnknownProject, Pool: pool.ID, Project: c.Project})
		case p.Pool != pool.ID:
			ps = append(ps, Problem{Key: KeyProjectWrongPool, Pool: pool.ID, Project: c.Project})
		case seen[c.Project]:
			ps = append(ps, Problem{Key: KeyDuplicateProject, Pool: pool.ID, Project: c.Project})
		default:
			cost += p.Cost
		}
		seen[c.Project] = true
	}
	n := len(s.Choices)
	switch rule.Kind {
	case Points:
		want := len(rule.Points)
		if n < want {
			ps = append(ps, Problem{Key: KeyTooFew, Pool: pool.ID, Detail: fmt.Sprintf("%d of %d", n, want)})
		} else if n > want {
			ps = append(ps, Problem{Key: KeyTooMany, Pool: pool.ID, Detail: fmt.Sprintf("%d of %d", n, want)})
		} else if !isPermutation(s.Choices, rule.Points) {
			ps = append(ps, Problem{Key: KeyPointsNotPerm, Pool: pool.ID})
		}
	case Approval:
		if n < rule.Min {
			ps = append(ps, Problem{Key: KeyTooFew, Pool: pool.ID, Detail: fmt.Sprintf("%d, at least %d", n, rule.Min)})
		}
		if rule.Max > 0 && n > rule.Max {
			ps = append(ps, Problem{Key: KeyTooMany, Pool: pool.ID, Detail: fmt.Sprintf("%d, at most %d", n, rule.Max)})
		}
	case Knapsack:
		if n < max(rule.Min, 1) {
			ps = append(ps, Problem{Key: KeyTooFew, Pool: pool.ID})
		}
		if cost > pool.Budget {
			ps = append(ps, Problem{Key: KeyOverBudget, Pool: pool.ID, Detail: fmt.Sprintf("%d > %d", cost, pool.Budget)})
		}
	default:
		ps = append(ps, Problem{Key: KeyNoRule, Pool: pool.ID, Detail: string(rule.Kind)})
	}
	return ps
}

// isPermutation reports whether the choices carry exactly the rule's point values.
func isPermutation(cs []Choice, points []int) bool {
	got := make([]int, len(cs))
	for i, c := range cs {
		got[i] = c.Points
	}
	want := slices.Clone(points)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// Remaining tells what a selection still lacks under its rule: how many more
// projects are needed and which point values are still free. Screens show it
// as the live summary.
func (e *Edition) Remaining(pool *Pool, s Selection) (need int, freePoints []int) {
	rule, ok := e.Rule(pool)
	if !ok {
		return 0, nil
	}
	switch rule.Kind {
	case Points:
		free := slices.Clone(rule.Points)
		for _, c := range s.Choices {
			if i := slices.Index(free, c.Points); i >= 0 {
				free = slices.Delete(free, i, i+1)
			}
		}
		return len(free), free
	case Approval:
		return max(rule.Min-len(s.Choices), 0), nil
	default:
		return max(max(rule.Min, 1)-len(s.Choices), 0), nil
	}
}
