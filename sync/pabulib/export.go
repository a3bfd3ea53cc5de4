package pabulib

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// Export builds the Pabulib file of one pool: its counted ballots, its
// projects in the result's rank order and which were funded, with the
// META that pabulib.org's checker requires. The file holds nothing but
// choices: voter ids are 1…n after shuffle has put the ballots in an
// order that says nothing (pass math/rand/v2's Shuffle), and each
// ballot lists its projects by points, then by rank, never as tapped.
//
// A 3-2-1 ballot (points n…1) is written as Kraków's own files write it,
// ordinal with min_length and max_length n; other points ballots are
// cumulative with max_sum_points; approval and knapsack ballots are
// approval. A greedy rule that never funds unvoted projects says so with
// greedy-threshold and the score it needs.
func Export(ed *election.Edition, poolID string, p *election.Profile, res election.Result, rule election.Rule, shuffle func(n int, swap func(i, j int))) (*File, error) {
	pool := ed.Pool(poolID)
	if pool == nil {
		return nil, fmt.Errorf("pool %q is not in edition %s", poolID, ed.ID)
	}
	if len(res.Projects) != len(p.Projects) {
		return nil, errors.New("the result is not the profile's")
	}
	ballot := ed.Rules[pool.Kind]
	f := &File{Meta: map[string]string{}}
	set := func(k, v string) {
		f.Meta[k] = v
		f.MetaKeys = append(f.MetaKeys, k)
	}
	loc := ed.Location()
	name := ed.Name.In("pl")
	set("description", name+" – "+pool.Name.In("pl"))
	set("country", "Poland")
	set("unit", name)
	if pool.Kind == election.District {
		set("district", pool.Name.In("pl"))
	}
	set("subunit", pool.Name.In("pl"))
	set("instance", strconv.Itoa(ed.Opens.In(loc).Year()))
	set("num_projects", strconv.Itoa(len(p.Projects)))
	set("num_votes", strconv.Itoa(len(p.Votes)))
	set("budget", plain(p.Budget))

	voteType := "approval"
	ordinal := false
	var sumPoints int
	if ballot.Kind == election.Points {
		voteType, ordinal = "cumulative", true
		for i, n := range ballot.Points {
			sumPoints += n
			ordinal = ordinal && n == len(ballot.Points)-i
		}
		if ordinal {
			voteType = "ordinal"
		}
	}
	set("vote_type", voteType)

	// The score a project needs: greedy never funds a project nobody
	// voted for (election.Rule's eligibility), so at least 1.
	threshold := max(1, rule.ScoreThreshold)
	if voteType == "approval" {
		threshold = max(threshold, int64(rule.VoterThreshold))
	}
	belowThreshold := slices.ContainsFunc(res.Projects, func(s election.Scored) bool { return s.Score < threshold })
	var comment string
	pbRule := ""
	switch r := res.Rule; {
	case r == "greedy" || r == "":
		pbRule = "greedy"
		if belowThreshold || threshold > 1 {
			pbRule = "greedy-threshold"
		}
	case r == "greedy-no-skip":
		pbRule = "greedy-no-skip"
	case r == "equal-shares":
		pbRule = "equalshares"
	case r == "equal-shares/add1":
		pbRule = "equalshares/add1"
	case r == "equal-shares/add1-comparison":
		pbRule = "equalshares/add1-comparison"
	default:
		return nil, fmt.Errorf("rule %q has no Pabulib name", r)
	}
	if rule.VoterThreshold > 0 && voteType != "approval" {
		// a threshold on voters, not on points: greedy-custom says so in its comment
		if pbRule == "greedy" || pbRule == "greedy-threshold" {
			pbRule = "greedy-custom"
		}
		comment = fmt.Sprintf("projects need at least %d voters; ", rule.VoterThreshold)
	}
	set("rule", pbRule)
	set("date_begin", ed.Opens.In(loc).Format("02.01.2006"))
	// closes is exclusive: the last day of voting is the day before midnight
	set("date_end", ed.Closes.In(loc).Add(-time.Nanosecond).Format("02.01.2006"))
	switch {
	case ordinal:
		set("min_length", strconv.Itoa(len(ballot.Points)))
		set("max_length", strconv.Itoa(len(ballot.Points)))
	case voteType == "cumulative":
		set("max_sum_points", strconv.Itoa(sumPoints))
	case ballot.Kind == election.Approval:
		if ballot.Min > 0 {
			set("min_length", strconv.Itoa(ballot.Min))
		}
		if ballot.Max > 0 {
			set("max_length", strconv.Itoa(ballot.Max))
		}
	case ballot.Kind == election.Knapsack:
		set("max_sum_cost", plain(p.Budget))
	}
	if pbRule == "greedy-threshold" || pbRule == "greedy-custom" || (pbRule == "greedy-no-skip" && threshold > 1) {
		set("min_project_score_threshold", strconv.FormatInt(threshold, 10))
	}
	set("language", "pl")
	set("currency", "PLN")
	var total int64
	for _, c := range p.Projects {
		total += c.Cost
	}
	if total <= p.Budget {
		set("fully_funded", "1")
	}
	if res.TieRule != "" {
		comment += "ties between equal scores broken by " + string(res.TieRule) + "; projects are listed in rank order"
	}
	if comment != "" {
		set("comment", "#1: "+comment)
	}

	// projects in rank order: a reader keeping the file's order breaks
	// ties as the result did
	index := make(map[string]int, len(p.Projects))
	for i, c := range p.Projects {
		index[c.ID] = i
	}
	pos := make([]int, len(p.Projects)) // profile index → rank position
	for k, s := range res.Projects {
		i, ok := index[s.ID]
		if !ok {
			return nil, fmt.Errorf("project %q of the result is not in the profile", s.ID)
		}
		pos[i] = k
		sel := 0
		if s.Funded {
			sel = 1
		}
		title := s.ID
		if pr := ed.Project(s.ID); pr != nil {
			title = pr.Title.In("pl")
		}
		score := s.Score
		if voteType == "approval" {
			score = -1 // votes are the score
		}
		f.Projects = append(f.Projects, Project{ID: s.ID, Cost: s.Cost, Votes: s.Votes, Score: score, Name: title, Selected: sel})
	}

	// ballots: one backing array each for ids and points
	n := 0
	for _, v := range p.Votes {
		n += len(v)
	}
	ids := make([]string, 0, n)
	var pts []int
	if voteType == "cumulative" {
		pts = make([]int, 0, n)
	}
	f.Votes = make([]Vote, len(p.Votes))
	marks := make([]election.Mark, 0, 8)
	order := make([]int32, len(p.Votes))
	for i := range order {
		order[i] = int32(i)
	}
	shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for k, vi := range order {
		marks = append(marks[:0], p.Votes[vi]...)
		slices.SortFunc(marks, func(a, b election.Mark) int {
			if a.Points != b.Points {
				return cmp.Compare(b.Points, a.Points)
			}
			return cmp.Compare(pos[a.Project], pos[b.Project])
		})
		start := len(ids)
		for _, m := range marks {
			ids = append(ids, p.Projects[m.Project].ID)
		}
		v := Vote{ID: strconv.Itoa(k + 1), Projects: ids[start:len(ids):len(ids)]}
		if pts != nil {
			start := len(pts)
			for _, m := range marks {
				pts = append(pts, m.Points)
			}
			v.Points = pts[start:len(pts):len(pts)]
		}
		f.Votes[k] = v
	}
	return f, nil
}
