package election

import (
	"errors"
	"slices"
	"testing"
)

// profile builds a profile from costs and ballots given as project letters
// with points (approval ballots: 1 each).
func profile(budget int64, costs map[string]int64, order string, ballots ...map[string]int) *Profile {
	p := &Profile{Budget: budget, Unit: 1}
	idx := map[string]int{}
	for i, id := range order {
		p.Projects = append(p.Projects, Candidate{ID: string(id), Cost: costs[string(id)]})
		idx[string(id)] = i
	}
	for _, b := range ballots {
		var marks []Mark
		for _, id := range order { // deterministic mark order
			if pts, ok := b[string(id)]; ok {
				marks = append(marks, Mark{Project: idx[string(id)], Points: pts})
			}
		}
		p.Votes = append(p.Votes, marks)
	}
	return p
}

func times(n int, b map[string]int) []map[string]int {
	out := make([]map[string]int, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestGreedyHandComputed(t *testing.T) {
	costs := map[string]int64{"A": 60, "B": 50, "C": 30, "D": 20}
	// Kraków-style 3-2-1: A 3+3+1=7, B 2+2+3=7... computed by hand below.
	ballots := []map[string]int{
		{"A": 3, "B": 2, "C": 1},
		{"A": 3, "B": 2, "D": 1},
		{"B": 3, "C": 2, "A": 1},
		{"C": 3, "D": 2, "B": 1},
	}
	// scores: A 7, B 8, C 6, D 3; votes: A 3, B 4, C 3, D 2
	tests := map[string]struct {
		budget int64
		rule   Rule
		want   []string
	}{
		"skip what does not fit": {100, Rule{Name: "greedy"}, []string{"B", "C", "D"}}, // B 50, A 60 no, C 30, D 20
		"stop at the first":      {100, Rule{Name: "greedy-no-skip"}, []string{"B"}},   // B 50, A 60 does not fit: stop
		"all fit":                {200, Rule{Name: "greedy"}, []string{"B", "A", "C", "D"}},
		"score threshold":        {200, Rule{Name: "greedy", ScoreThreshold: 6}, []string{"B", "A", "C"}},
		"voter threshold":        {200, Rule{Name: "greedy", VoterThreshold: 4}, []string{"B"}},
		"nothing fits":           {10, Rule{Name: "greedy"}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := profile(tc.budget, costs, "ABCD", ballots...)
			res, err := p.Allocate(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Winners, tc.want) {
				t.Fatalf("winners %v, want %v", res.Winners, tc.want)
			}
			var spent int64
			for _, w := range tc.want {
				spent += costs[w]
			}
			if res.Spent != spent || res.Left != tc.budget-spent {
				t.Fatalf("spent %d left %d", res.Spent, res.Left)
			}
		})
	}
	votes, score := profile(100, costs, "ABCD", ballots...).Scores()
	if !slices.Equal(votes, []int{3, 4, 3, 2}) || !slices.Equal(score, []int64{7, 8, 6, 3}) {
		t.Fatalf("scores %v %v", votes, score)
	}
}

func TestTies(t *testing.T) {
	costs := map[string]int64{"A": 50, "B": 50, "C": 50}
	ballots := []map[string]int{{"A": 1}, {"B": 1}, {"C": 1}} // a three-way tie, money for one
	p := profile(50, costs, "ABC", ballots...)
	res, err := p.Allocate(Rule{Name: "greedy", Tie: TieCatalogOrder})
	if err != nil || !slices.Equal(res.Winners, []string{"A"}) {
		t.Fatalf("catalog order: %v %v", res.Winners, err)
	}
	// equal voters too: more-voters cannot tell them apart, catalog order does
	if res, err := p.Allocate(Rule{Name: "greedy", Tie: TieMoreVoters}); err != nil || res.Winners[0] != "A" ||
		len(res.Ties) != 1 || res.Ties[0].By != TieCatalogOrder || len(res.Ties[0].Projects) != 3 {
		t.Fatalf("more voters, all equal: %+v %v", res, err)
	}
	if _, err := p.Allocate(Rule{Name: "greedy"}); !errors.Is(err, ErrNoTieRule) {
		t.Fatalf("a deciding tie without a tie rule: %v", err)
	}
	if _, err := p.Allocate(Rule{Name: "greedy", Tie: TieLottery}); !errors.Is(err, ErrNoSeed) {
		t.Fatalf("the lottery without a seed: %v", err)
	}
	winners := map[string]bool{}
	for _, seed := range []string{"2025-06-15 draw", "seed-2", "seed-3", "seed-4", "seed-5", "seed-6", "seed-7", "seed-8"} {
		r1, _ := p.Allocate(Rule{Name: "greedy", Tie: TieLottery, Seed: seed})
		r2, _ := p.Allocate(Rule{Name: "greedy", Seed: seed}) // a seed alone is the lottery
		if !slices.Equal(r1.Winners, r2.Winners) || r1.Seed != seed || len(r1.Ties) != 1 || r1.Ties[0].By != TieLottery {
			t.Fatalf("the lottery is not reproducible from its seed: %+v %+v", r1, r2)
		}
		winners[r1.Winners[0]] = true
	}
	if len(winners) < 2 {
		t.Fatalf("the lottery always picks %v", winners)
	}
}

// TestTieRules is the Kraków case: two projects with equal points and
// money for one of them. The one listed first has fewer voters and costs
// more; each rule picks its own winner and the result says a tie decided.
func TestTieRules(t *testing.T) {
	costs := map[string]int64{"X": 90, "A": 60, "B": 50, "C": 10}
	// X 9 points (3 voters); A 6 points from 2 voters; B 6 points from 3;
	// C 1 point. Budget 150: X, then A or B (not both), then C.
	ballots := []map[string]int{
		{"X": 3, "A": 3}, {"X": 3, "A": 3}, {"X": 3, "B": 2}, {"B": 2}, {"B": 2, "C": 1},
	}
	p := profile(150, costs, "XABC", ballots...)
	tests := map[TieRule]struct {
		want []string
		by   TieRule
	}{
		TieCatalogOrder: {[]string{"X", "A"}, TieCatalogOrder},
		TieMoreVoters:   {[]string{"X", "B", "C"}, TieMoreVoters},
		TieLowerCost:    {[]string{"X", "B", "C"}, TieLowerCost},
	}
	for rule, tc := range tests {
		t.Run(string(rule), func(t *testing.T) {
			res, err := p.Allocate(Rule{Name: "greedy", Tie: rule})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Winners, tc.want) || res.TieRule != rule {
				t.Fatalf("winners %v, want %v", res.Winners, tc.want)
			}
			if len(res.Ties) != 1 {
				t.Fatalf("ties %+v", res.Ties)
			}
			tie := res.Ties[0]
			if tie.By != tc.by || tie.Left != 60 || len(tie.Projects) != 2 || tie.Projects[0].ID != tc.want[1] ||
				tie.Projects[0].Score != 6 || !tie.Projects[0].Funded || tie.Projects[1].Funded {
				t.Fatalf("tie %+v", tie)
			}
		})
	}
	// With money for both the tie decides nothing and is not reported;
	// without a tie rule that is no error.
	p = profile(1000, costs, "XABC", ballots...)
	if res, err := p.Allocate(Rule{Name: "greedy"}); err != nil || len(res.Ties) != 0 || len(res.Winners) != 4 {
		t.Fatalf("%+v %v", res, err)
	}
	// Equal points where the second does not fit whichever comes first: no deciding tie.
	p = profile(100, map[string]int64{"X": 90, "A": 60, "B": 5, "C": 10}, "XABC", ballots...)
	if res, err := p.Allocate(Rule{Name: "greedy", Tie: TieCatalogOrder}); err != nil || len(res.Ties) != 0 {
		t.Fatalf("%+v %v", res.Ties, err)
	}
}

// Equal Shares, worked by hand. Budget 1000, five voters with 200 each.
// Voters 1-4 approve A (800) and X (200); voter 5 approves B (200).
// Greedy funds A and X (4 votes each); Equal Shares lets the group of four
// buy A with all its money, and voter 5 buy B alone: {A, B}.
func TestEqualSharesHandComputed(t *testing.T) {
	costs := map[string]int64{"A": 800, "X": 200, "B": 200}
	ballots := append(times(4, map[string]int{"A": 1, "X": 1}), map[string]int{"B": 1})
	p := profile(1000, costs, "AXB", ballots...)
	greedy, _ := p.Allocate(Rule{Name: "greedy", Tie: TieCatalogOrder})
	mes, _ := p.Allocate(Rule{Name: "equal-shares", Tie: TieCatalogOrder})
	if !slices.Equal(greedy.Winners, []string{"A", "X"}) {
		t.Fatalf("greedy %v", greedy.Winners)
	}
	if !slices.Equal(mes.Winners, []string{"A", "B"}) {
		t.Fatalf("equal shares %v, want [A B]", mes.Winners)
	}
	// The comparison: voters 1-4 prefer greedy (benefit 1000 > 800), voter
	// 5 prefers MES: four to one, so the comparison switches to greedy.
	cmp, _ := p.Allocate(Rule{Name: "equal-shares", Tie: TieCatalogOrder, Completion: "add1-comparison"})
	if !slices.Equal(cmp.Winners, []string{"A", "X"}) {
		t.Fatalf("comparison %v", cmp.Winners)
	}
}

// The add-one completion: 3 voters, budget 300 (100 each). Voters 1-2
// approve P, voter 3 approves Q (90) and R.
//   - P 240, R 150: with 100 each only Q is bought. Raising the shares, P
//     becomes affordable at 120 each, giving {P, Q} for 330 > 300: the
//     completion keeps the last outcome that fits, {Q}.
//   - P 300, R 50: at 140 each voter 3 buys Q and R (140 ≤ 300, fits); P
//     only at 150, giving 440 > 300: the completion ends with {Q, R}.
func TestEqualSharesCompletion(t *testing.T) {
	ballots := []map[string]int{{"P": 1}, {"P": 1}, {"Q": 1, "R": 1}}
	p := profile(300, map[string]int64{"P": 240, "Q": 90, "R": 150}, "PQR", ballots...)
	plain, _ := p.Allocate(Rule{Name: "equal-shares", Tie: TieCatalogOrder})
	add1, _ := p.Allocate(Rule{Name: "equal-shares", Tie: TieCatalogOrder, Completion: "add1"})
	if !slices.Equal(plain.Winners, []string{"Q"}) || !slices.Equal(add1.Winners, []string{"Q"}) {
		t.Fatalf("plain %v add1 %v", plain.Winners, add1.Winners)
	}
	p = profile(300, map[string]int64{"P": 300, "Q": 90, "R": 50}, "PQR", ballots...)
	plain, _ = p.Allocate(Rule{Name: "equal-shares", Tie: TieCatalogOrder})
	add1, _ = p.Allocate(Rule{Name: "equal-shares", Tie: TieCatalogOrder, Completion: "add1"})
	if !slices.Equal(plain.Winners, []string{"Q"}) {
		t.Fatalf("plain %v", plain.Winners)
	}
	if got := slices.Sorted(slices.Values(add1.Winners)); !slices.Equal(got, []string{"Q", "R"}) {
		t.Fatalf("add1 %v, want Q and R", add1.Winners)
	}
	if _, err := p.Allocate(Rule{Name: "borda"}); err == nil {
		t.Fatal("unknown rule accepted")
	}
}
