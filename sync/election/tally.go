package election

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
)

// Candidate is a project in an allocation, with its cost in the smallest
// unit of money (grosze).
type Candidate struct {
	ID   string
	Cost int64
}

// Mark is one voter's support for one project: points under points and
// cumulative ballots, 1 under approval.
type Mark struct {
	Project int // index into Profile.Projects
	Points  int
}

// Profile is one pool's election ready to allocate: its budget, its
// projects in catalog order, and each counted voter's marks.
type Profile struct {
	Budget   int64
	Projects []Candidate
	Votes    [][]Mark
	// Unit is one unit of the currency in the profile's money (100 for
	// grosze): Equal Shares' add-one completion raises shares by it.
	Unit int64
}

// Scored is a project's result.
type Scored struct {
	ID     string `json:"id"`
	Votes  int    `json:"votes"` // voters who marked it
	Score  int64  `json:"score"` // points (approval: votes)
	Cost   int64  `json:"cost"`
	Funded bool   `json:"funded"`
	Rank   int    `json:"rank"` // 1-based, after tie-breaking
}

// Result is an allocation.
type Result struct {
	Rule     string   `json:"rule"`
	Seed     string   `json:"seed,omitempty"` // the tie lottery's seed; "" keeps catalog order
	Winners  []string `json:"winners"`        // funded projects in allocation order
	Projects []Scored `json:"projects"`       // in rank order
	Spent    int64    `json:"spent"`
	Left     int64    `json:"left"`
}

// Rule selects an allocation.
type Rule struct {
	Name string // greedy, greedy-no-skip, equal-shares
	// ScoreThreshold and VoterThreshold leave out projects below them.
	ScoreThreshold int64
	VoterThreshold int
	// Seed, when set, breaks ties by a lottery anyone can repeat with it;
	// without it ties keep catalog order (Pabulib's convention).
	Seed string
	// Completion for equal-shares: "" (none), "add1" (raise each voter's
	// share by one unit while the outcome fits), "add1-comparison" (then
	// switch to the greedy outcome if more voters prefer it).
	Completion string
}

// Scores sums each project's votes and points.
func (p *Profile) Scores() (votes []int, score []int64) {
	votes, score = make([]int, len(p.Projects)), make([]int64, len(p.Projects))
	for _, v := range p.Votes {
		for _, m := range v {
			votes[m.Project]++
			score[m.Project] += int64(m.Points)
		}
	}
	return
}

// order returns the project indices by score (then votes) descending, ties
// broken by the seeded lottery or by catalog order.
func (p *Profile) order(score []int64, votes []int, seed string) []int {
	idx := make([]int, len(p.Projects))
	for i := range idx {
		idx[i] = i
	}
	lottery := func(i int) uint64 {
		h := sha256.Sum256([]byte(seed + "\x00" + p.Projects[i].ID))
		return binary.BigEndian.Uint64(h[:8])
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case score[a] != score[b]:
			return cmp.Compare(score[b], score[a])
		case votes[a] != votes[b]:
			return cmp.Compare(votes[b], votes[a])
		case seed != "":
			if la, lb := lottery(a), lottery(b); la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
		}
		return a - b
	})
	return idx
}

// eligible reports whether a project passes the thresholds and is worth funding.
func (r Rule) eligible(c Candidate, votes int, score int64) bool {
	return votes > 0 && score >= r.ScoreThreshold && votes >= r.VoterThreshold && c.Cost > 0
}

// Allocate funds projects by the rule.
func (p *Profile) Allocate(r Rule) (Result, error) {
	votes, score := p.Scores()
	order := p.order(score, votes, r.Seed)
	var funded []int
	switch r.Name {
	case "greedy", "greedy-no-skip", "":
		funded = p.greedy(order, votes, score, r, r.Name == "greedy-no-skip")
	case "equal-shares":
		funded = p.equalShares(order, votes, score, r)
	default:
		return Result{}, fmt.Errorf("unknown allocation rule %q (greedy, greedy-no-skip, equal-shares)", r.Name)
	}
	res := Result{Rule: r.Name, Seed: r.Seed}
	if r.Completion != "" {
		res.Rule += "/" + r.Completion
	}
	isFunded := make([]bool, len(p.Projects))
	for _, i := range funded {
		isFunded[i] = true
		res.Winners = append(res.Winners, p.Projects[i].ID)
		res.Spent += p.Projects[i].Cost
	}
	for rank, i := range order {
		c := p.Projects[i]
		res.Projects = append(res.Projects, Scored{ID: c.ID, Votes: votes[i], Score: score[i], Cost: c.Cost, Funded: isFunded[i], Rank: rank + 1})
	}
	res.Left = p.Budget - res.Spent
	return res, nil
}

// greedy funds projects in rank order while money lasts; a project that
// does not fit is skipped (Kraków, CONSUL), or stops the allocation.
func (p *Profile) greedy(order, votes []int, score []int64, r Rule, stop bool) []int {
	left := p.Budget
	var out []int
	for _, i := range order {
		c := p.Projects[i]
		if !r.eligible(c, votes[i], score[i]) {
			continue
		}
		if c.Cost > left {
			if stop {
				break
			}
			continue
		}
		left -= c.Cost
		out = append(out, i)
	}
	return out
}
