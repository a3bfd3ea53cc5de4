package election

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
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
	TieRule  TieRule  `json:"tieRule,omitempty"` // how equal scores were ordered
	Seed     string   `json:"seed,omitempty"`    // the tie lottery's seed
	Winners  []string `json:"winners"`           // funded projects in allocation order
	Projects []Scored `json:"projects"`          // in rank order
	Spent    int64    `json:"spent"`
	Left     int64    `json:"left"`
	// Ties are the ties that decided a winner, so that a city can show
	// in public how its rule was applied.
	Ties []Tie `json:"ties,omitempty"`
}

// Tie is a group of projects with equal scores whose order decided which
// of them were funded: another order of the group funds other projects.
type Tie struct {
	// By is the rule that ordered the group: the edition's tie rule, or
	// catalog order when the group is equal under that rule too.
	By       TieRule  `json:"by"`
	Projects []Scored `json:"projects"` // the tied projects, in the order the rule gave
	// Left is the money left when the allocation reached the group: the
	// budget less the projects funded above it.
	Left int64 `json:"left"`
}

// ErrNoTieRule is returned when a tie decides a winner and the rule names
// no way to break it: a live edition must choose one knowingly.
var ErrNoTieRule = errors.New("a tie decides a winner and the edition names no tie rule")

// ErrNoSeed is returned when the lottery must break a tie and has no seed.
var ErrNoSeed = errors.New("a tie decides a winner and the tie lottery has no seed")

// Rule selects an allocation.
type Rule struct {
	Name string // greedy, greedy-no-skip, equal-shares
	// ScoreThreshold and VoterThreshold leave out projects below them.
	ScoreThreshold int64
	VoterThreshold int
	// Tie orders projects with equal scores: catalog order (the project
	// listed first; Pabulib's ranking), more voters, lower cost, or the
	// lottery seeded by Seed. "" names no rule: a tie that decides a winner
	// is then ErrNoTieRule (a Seed alone means the lottery).
	Tie TieRule
	// Seed is the tie lottery's public seed, anyone can repeat it.
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

// order returns the project indices by score descending, equal scores
// ordered by the tie rule and then by catalog order.
func (p *Profile) order(score []int64, votes []int, r Rule) []int {
	idx := make([]int, len(p.Projects))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if score[a] != score[b] {
			return cmp.Compare(score[b], score[a])
		}
		if c := p.tieKey(votes, r, a, b); c != 0 {
			return c
		}
		return a - b
	})
	return idx
}

// tieKey compares two projects with equal scores under the tie rule; 0
// when the rule cannot tell them apart (catalog order decides).
func (p *Profile) tieKey(votes []int, r Rule, a, b int) int {
	switch r.tie() {
	case TieMoreVoters:
		return cmp.Compare(votes[b], votes[a])
	case TieLowerCost:
		return cmp.Compare(p.Projects[a].Cost, p.Projects[b].Cost)
	case TieLottery:
		if r.Seed == "" {
			return 0
		}
		lottery := func(i int) uint64 {
			h := sha256.Sum256([]byte(r.Seed + "\x00" + p.Projects[i].ID))
			return binary.BigEndian.Uint64(h[:8])
		}
		return cmp.Compare(lottery(a), lottery(b))
	}
	return 0
}

// tie is the rule's tie rule: a seed without one means the lottery.
func (r Rule) tie() TieRule {
	if r.Tie == "" && r.Seed != "" {
		return TieLottery
	}
	return r.Tie
}

// eligible reports whether a project passes the thresholds and is worth funding.
func (r Rule) eligible(c Candidate, votes int, score int64) bool {
	return votes > 0 && score >= r.ScoreThreshold && votes >= r.VoterThreshold && c.Cost > 0
}

// Allocate funds projects by the rule, and reports the ties that decided
// a winner.
func (p *Profile) Allocate(r Rule) (Result, error) {
	votes, score := p.Scores()
	order := p.order(score, votes, r)
	funded, err := p.fund(order, votes, score, r)
	if err != nil {
		return Result{}, err
	}
	res := Result{Rule: r.Name, TieRule: r.tie(), Seed: r.Seed}
	if r.Completion != "" {
		res.Rule += "/" + r.Completion
	}
	isFunded := make([]bool, len(p.Projects))
	for _, i := range funded {
		isFunded[i] = true
		res.Winners = append(res.Winners, p.Projects[i].ID)
		res.Spent += p.Projects[i].Cost
	}
	rank := make([]int, len(p.Projects))
	for k, i := range order {
		c := p.Projects[i]
		rank[i] = k + 1
		res.Projects = append(res.Projects, Scored{ID: c.ID, Votes: votes[i], Score: score[i], Cost: c.Cost, Funded: isFunded[i], Rank: k + 1})
	}
	res.Left = p.Budget - res.Spent
	res.Ties, err = p.ties(order, votes, score, r, isFunded, res.Projects)
	if err != nil {
		return Result{}, err
	}
	if len(res.Ties) > 0 {
		switch {
		case r.tie() == "":
			return Result{}, ErrNoTieRule
		case r.tie() == TieLottery && r.Seed == "":
			return Result{}, ErrNoSeed
		}
	}
	return res, nil
}

// fund runs the allocation rule over projects in rank order.
func (p *Profile) fund(order, votes []int, score []int64, r Rule) ([]int, error) {
	switch r.Name {
	case "greedy", "greedy-no-skip", "":
		return p.greedy(order, votes, score, r, r.Name == "greedy-no-skip"), nil
	case "equal-shares":
		return p.equalShares(order, votes, score, r), nil
	}
	return nil, fmt.Errorf("unknown allocation rule %q (greedy, greedy-no-skip, equal-shares)", r.Name)
}

// ties finds the groups of eligible projects with equal scores, some
// funded and some not, where another order of the group funds other
// projects: moving an unfunded one to the front of its group and running
// the rule again tells (the ranking stays as it is elsewhere).
func (p *Profile) ties(order, votes []int, score []int64, r Rule, isFunded []bool, ranked []Scored) ([]Tie, error) {
	var out []Tie
	spentAbove := int64(0)
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && score[order[end]] == score[order[start]] {
			end++
		}
		var group []int // positions in order of the eligible members
		mixed := map[bool]bool{}
		for k := start; k < end; k++ {
			i := order[k]
			if r.eligible(p.Projects[i], votes[i], score[i]) {
				group = append(group, k)
				mixed[isFunded[i]] = true
			}
		}
		if len(group) > 1 && len(mixed) == 2 {
			decided := false
			for _, k := range group {
				if isFunded[order[k]] || decided {
					continue
				}
				alt := slices.Clone(order)
				moved := alt[k]
				copy(alt[group[0]+1:k+1], order[group[0]:k])
				alt[group[0]] = moved
				other, err := p.fund(alt, votes, score, r)
				if err != nil {
					return nil, err
				}
				if !sameSet(other, isFunded) {
					decided = true
				}
			}
			if decided {
				t := Tie{By: TieCatalogOrder, Left: p.Budget - spentAbove}
				for _, k := range group {
					t.Projects = append(t.Projects, ranked[k])
					if k > group[0] && p.tieKey(votes, r, order[group[0]], order[k]) != 0 {
						t.By = r.tie()
					}
				}
				out = append(out, t)
			}
		}
		for k := start; k < end; k++ {
			if isFunded[order[k]] {
				spentAbove += p.Projects[order[k]].Cost
			}
		}
		start = end
	}
	return out, nil
}

// sameSet reports whether the funded indices are exactly those marked.
func sameSet(funded []int, marked []bool) bool {
	n := 0
	for _, i := range funded {
		if !marked[i] {
			return false
		}
		n++
	}
	for _, m := range marked {
		if m {
			n--
		}
	}
	return n == 0
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
