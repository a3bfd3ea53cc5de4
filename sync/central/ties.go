package central

import (
	"errors"
	"strconv"
	"strings"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// TieText says in lang how a tie decided a winner: the rule, the money
// left when the allocation reached the tied projects, and each of them
// with its number, title, points, voters, cost and whether it was funded.
func TieText(m assets.Messages, lang string, ed *election.Edition, res election.Result, t election.Tie) string {
	var projects []string
	for _, s := range t.Projects {
		number, title := s.ID, s.ID
		if pr := ed.Project(s.ID); pr != nil {
			number, title = pr.Number, pr.Title.In(lang)
		}
		funded := m.T(lang, "results.tie.lost")
		if s.Funded {
			funded = m.T(lang, "results.tie.won")
		}
		projects = append(projects, m.T(lang, "results.tie.project", "number", number, "title", title,
			"points", strconv.FormatInt(s.Score, 10), "voters", strconv.Itoa(s.Votes), "cost", election.FormatPLN(s.Cost), "funded", funded))
	}
	rule := m.T(lang, "results.tie."+string(t.By), "seed", res.Seed)
	return m.T(lang, "results.tie", "rule", rule, "left", election.FormatPLN(t.Left), "projects", strings.Join(projects, "; "))
}

// ResultsErrorKey is the translation key of an error of the tally that
// staff can act on, or "" when err is none of those.
func ResultsErrorKey(err error) string {
	switch {
	case errors.Is(err, election.ErrNoTieRule):
		return "results.no_tie_rule"
	case errors.Is(err, election.ErrNoSeed):
		return "results.no_seed"
	}
	return ""
}

// ResultsErrorText is the sentence staff read for an error of the tally
// that they can act on, or "" when err is none of those.
func ResultsErrorText(m assets.Messages, lang string, err error) string {
	if key := ResultsErrorKey(err); key != "" {
		return m.T(lang, key)
	}
	return ""
}
