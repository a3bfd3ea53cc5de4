package election

import (
	"slices"
	"testing"
)

func TestValidate(t *testing.T) {
	city := func(cs ...Choice) Selection { return Selection{Pool: "city", Choices: cs} }
	d1 := func(cs ...Choice) Selection { return Selection{Pool: "d1", Choices: cs} }
	c := func(p string, pts int) Choice { return Choice{Project: p, Points: pts} }
	okCity := city(c("c1", 3), c("c2", 2), c("c3", 1))
	okD1 := d1(c("a1", 1), c("a2", 3), c("a3", 2))
	tests := map[string]struct {
		rules map[PoolKind]BallotRule
		b     Ballot
		want  []string
	}{
		"valid 3-2-1": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{okCity, okD1}}},
		"wrong edition": {b: Ballot{Edition: "other", District: "d1", Selections: []Selection{okCity, okD1}},
			want: []string{KeyWrongEdition}},
		"unknown district": {b: Ballot{Edition: "test-2025", District: "d9", Selections: []Selection{okCity}},
			want: []string{KeyUnknownDistrict}},
		"city pool used as district": {b: Ballot{Edition: "test-2025", District: "city", Selections: []Selection{okCity}},
			want: []string{KeyUnknownDistrict}},
		"other district's pool": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{okCity, okD1, {Pool: "d2", Choices: []Choice{c("b1", 3)}}}},
			want: []string{KeyWrongPool}},
		"pool twice": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{okCity, okD1, okD1}},
			want: []string{KeyDuplicatePool}},
		"unknown project": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 3), c("zz", 2), c("c3", 1)), okD1}},
			want: []string{KeyUnknownProject}},
		"project of another pool": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 3), c("a1", 2), c("c3", 1)), okD1}},
			want: []string{KeyProjectWrongPool}},
		"same project twice": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 3), c("c1", 2), c("c3", 1)), okD1}},
			want: []string{KeyDuplicateProject}},
		"points 3-3-1": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 3), c("c2", 3), c("c3", 1)), okD1}},
			want: []string{KeyPointsNotPerm}},
		"too few": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 3), c("c2", 2)), okD1}},
			want: []string{KeyTooFew}},
		"district missing": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{okCity}},
			want: []string{KeyTooFew}},
		"too many": {b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 3), c("c2", 2), c("c3", 1), c("c4", 1)), okD1}},
			want: []string{KeyTooMany}},
		"optional pool left empty": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Points, Points: []int{3, 2, 1}, Optional: true}, District: {Kind: Points, Points: []int{3, 2, 1}}},
			b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{okD1}}},
		"approval within range": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Approval, Min: 1, Max: 2}, District: {Kind: Approval, Min: 1, Max: 3}},
			b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 0)), d1(c("a1", 0), c("a2", 0))}}},
		"approval too many": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Approval, Min: 1, Max: 2}, District: {Kind: Approval, Min: 1, Max: 3}},
			b:    Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 0), c("c2", 0), c("c3", 0)), d1(c("a1", 0))}},
			want: []string{KeyTooMany}},
		"approval too few": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Approval, Min: 1, Max: 2}, District: {Kind: Approval, Min: 2, Max: 3}},
			b:    Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 0)), d1(c("a1", 0))}},
			want: []string{KeyTooFew}},
		"knapsack within budget": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Knapsack}, District: {Kind: Knapsack}},
			b: Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 0), c("c2", 0)), d1(c("a1", 0), c("a2", 0))}}},
		"knapsack over budget": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Knapsack}, District: {Kind: Knapsack}},
			b:    Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 0), c("c2", 0), c("c3", 0)), d1(c("a1", 0))}},
			want: []string{KeyOverBudget}},
		"knapsack empty": {rules: map[PoolKind]BallotRule{CityWide: {Kind: Knapsack}, District: {Kind: Knapsack}},
			b:    Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{city(c("c1", 0)), d1()}},
			want: []string{KeyTooFew}},
		"every mistake at once": {b: Ballot{Edition: "x", District: "d1", Selections: []Selection{city(c("c1", 3), c("c1", 2), c("zz", 1)), d1(c("a1", 1))}},
			want: []string{KeyWrongEdition, KeyDuplicateProject, KeyUnknownProject, KeyTooFew}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := testEdition()
			if tc.rules != nil {
				e.Rules = tc.rules
			}
			got := e.Validate(tc.b).Keys()
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Validate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRemaining(t *testing.T) {
	e := testEdition()
	city := e.Pool("city")
	need, free := e.Remaining(city, Selection{Pool: "city", Choices: []Choice{{Project: "c1", Points: 2}}})
	if need != 2 || !slices.Equal(free, []int{3, 1}) {
		t.Fatalf("Remaining = %d %v, want 2 [3 1]", need, free)
	}
}
