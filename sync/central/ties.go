package central

import (
	"errors"
	"strconv"
	"strings"
	"time"

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
	case errors.Is(err, ErrResultsChanged):
		return "results.resign_changed"
	}
	return ""
}

// ResultsErrorText is the sentence staff read for an error of the tally
// that they can act on, or "" when err is none of those.
func ResultsErrorText(m assets.Messages, lang string, err error) string {
	if ce, ok := errors.AsType[*ChangedError](err); ok {
		var pools []string
		for _, c := range ce.Changes {
			pools = append(pools, m.T(lang, "results.resign_pool", "pool", c.Pool, "was", c.VotersWas, "now", c.VotersNow))
		}
		loc := ce.Loc
		if loc == nil {
			loc = time.UTC
		}
		return m.T(lang, "results.resign_changed", "at", ce.SignedAt.In(loc).Format("02.01.2006 15:04"), "pools", strings.Join(pools, "; "))
	}
	if key := ResultsErrorKey(err); key != "" {
		return m.T(lang, key)
	}
	return ""
}
