package pabulib

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/pbcheck"
	"github.com/urna-kiosk/urna/sync/election"
)

// exportEdition is one district pool of five projects under a ballot rule.
func exportEdition(rule election.BallotRule, budget int64) *election.Edition {
	ed := &election.Edition{ID: "krk-2025", Name: election.Text{"pl": "Budżet Obywatelski Krakowa 2025"}, Zone: "Europe/Warsaw",
		Opens:  time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Closes: time.Date(2025, 6, 14, 22, 0, 0, 0, time.UTC), // midnight in Warsaw: the 14th is the last day
		Rules:  map[election.PoolKind]election.BallotRule{election.District: rule},
		Pools:  []election.Pool{{ID: "d16", Kind: election.District, Number: "XVI", Name: election.Text{"pl": "Bieńczyce"}, Budget: budget}},
	}
	for i, cost := range []int64{500_00, 400_00, 400_00, 100_00, 300_00} {
		id := string(rune('a' + i))
		ed.Projects = append(ed.Projects, election.Project{ID: id, Number: "BO.XVI." + id, Pool: "d16", Title: election.Text{"pl": "Projekt „" + id + "”; ławki"}, Cost: cost})
	}
	return ed
}

// exportProfile is the pool's profile from ballots given as project
// letters with points (approval: 1 each).
func exportProfile(ed *election.Edition, ballots ...map[string]int) *election.Profile {
	p := &election.Profile{Budget: ed.Pools[0].Budget, Unit: 100}
	for _, pr := range ed.Projects {
		p.Projects = append(p.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
	}
	for _, b := range ballots {
		var marks []election.Mark
		for i, pr := range ed.Projects {
			if pts, ok := b[pr.ID]; ok {
				marks = append(marks, election.Mark{Project: i, Points: pts})
			}
		}
		p.Votes = append(p.Votes, marks)
	}
	return p
}

// TestExportIsValid writes pools under each ballot rule, with unvoted
// projects, ties, and money for everything, and has the official checker
// accept every file; replayed, each gives the same winners.
func TestExportIsValid(t *testing.T) {
	pts321 := []map[string]int{
		{"a": 3, "b": 2, "d": 1}, {"a": 3, "b": 2, "d": 1}, {"a": 3, "c": 2, "d": 1},
		{"b": 3, "a": 2, "c": 1}, {"c": 3, "d": 2, "a": 1}, {"d": 3, "a": 2, "c": 1},
	}
	tests := map[string]struct {
		rule    election.BallotRule
		budget  int64
		alloc   election.Rule
		ballots []map[string]int
		meta    map[string]string
	}{
		"3-2-1 is ordinal, a tie, e unvoted": {election.BallotRule{Kind: election.Points, Points: []int{3, 2, 1}}, 1000_00,
			election.Rule{Name: "greedy", Tie: election.TieCatalogOrder}, pts321,
			map[string]string{"vote_type": "ordinal", "min_length": "3", "max_length": "3", "rule": "greedy-threshold", "min_project_score_threshold": "1"}},
		"the tie by voters": {election.BallotRule{Kind: election.Points, Points: []int{3, 2, 1}}, 1000_00,
			election.Rule{Name: "greedy", Tie: election.TieMoreVoters}, pts321,
			map[string]string{"vote_type": "ordinal", "rule": "greedy-threshold"}},
		"5-3-1 is cumulative": {election.BallotRule{Kind: election.Points, Points: []int{5, 3, 1}}, 1000_00,
			election.Rule{Name: "greedy", Tie: election.TieCatalogOrder},
			[]map[string]int{{"a": 5, "b": 3, "c": 1}, {"e": 5, "d": 3, "a": 1}, {"b": 5, "a": 3, "e": 1}},
			map[string]string{"vote_type": "cumulative", "max_sum_points": "9", "rule": "greedy"}},
		"money for all": {election.BallotRule{Kind: election.Points, Points: []int{3, 2, 1}}, 2000_00,
			election.Rule{Name: "greedy", Tie: election.TieCatalogOrder}, pts321,
			map[string]string{"fully_funded": "1", "rule": "greedy-threshold"}},
		"approval, no skip": {election.BallotRule{Kind: election.Approval, Min: 1, Max: 3}, 1000_00,
			election.Rule{Name: "greedy-no-skip", Tie: election.TieLowerCost},
			[]map[string]int{{"a": 1, "b": 1}, {"b": 1, "c": 1, "e": 1}, {"d": 1}},
			map[string]string{"vote_type": "approval", "rule": "greedy-no-skip", "max_length": "3"}},
		"approval, voter threshold": {election.BallotRule{Kind: election.Approval, Min: 1, Max: 3}, 1000_00,
			election.Rule{Name: "greedy", Tie: election.TieCatalogOrder, VoterThreshold: 2},
			[]map[string]int{{"a": 1, "b": 1}, {"b": 1, "c": 1, "e": 1}, {"d": 1, "a": 1}, {"d": 1}},
			map[string]string{"rule": "greedy-threshold", "min_project_score_threshold": "2"}},
		// Pabulib's reference breaks Equal Shares' ties by lower cost
		"knapsack, equal shares": {election.BallotRule{Kind: election.Knapsack}, 1000_00,
			election.Rule{Name: "equal-shares", Tie: election.TieLowerCost, Completion: "add1"},
			[]map[string]int{{"a": 1, "b": 1}, {"b": 1, "c": 1, "d": 1}, {"d": 1, "e": 1}, {"a": 1}},
			map[string]string{"vote_type": "approval", "rule": "equalshares/add1", "max_sum_cost": "1000"}},
	}
	dir := t.TempDir()
	var files []string
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ed := exportEdition(tc.rule, tc.budget)
			p := exportProfile(ed, tc.ballots...)
			res, err := p.Allocate(tc.alloc)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Export(ed, "d16", p, res, tc.alloc, rand.Shuffle)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.meta {
				if f.Meta[k] != v {
					t.Errorf("META %s = %q, want %q", k, f.Meta[k], v)
				}
			}
			if f.Meta["instance"] != "2025" || f.Meta["date_begin"] != "01.06.2025" || f.Meta["date_end"] != "14.06.2025" {
				t.Errorf("dates %v", f.Meta)
			}
			var b bytes.Buffer
			if err := f.Write(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, strings.NewReplacer(" ", "_", ",", "").Replace(name)+".pb")
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, path)
			back, err := Read(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			bp, err := back.Profile()
			if err != nil {
				t.Fatal(err)
			}
			if bad := back.Check(bp); len(bad) > 0 {
				t.Fatal(bad)
			}
			r, err := back.Rule()
			if err != nil {
				t.Fatal(err)
			}
			r.VoterThreshold = tc.alloc.VoterThreshold
			again, err := bp.Allocate(r)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slices.Sorted(slices.Values(again.Winners)), slices.Sorted(slices.Values(res.Winners))) {
				t.Fatalf("replayed %v, tallied %v", again.Winners, res.Winners)
			}
		})
	}
	pbcheck.Valid(t, files...)
}
