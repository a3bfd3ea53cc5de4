package proposals

import (
	"time"

	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// KrakowYear gives e Kraków's year and rules if it has none (civic.KrakowYear).
func KrakowYear(e *election.Edition) { civic.KrakowYear(e) }

// DemoPhase gives e Kraków's year (KrakowYear) moved so that phase k began
// a day before now: a demo central shows that phase's pages today. It
// reports false for a phase the year does not have.
func DemoPhase(e *election.Edition, k election.PhaseKind, now time.Time) bool {
	KrakowYear(e)
	for _, p := range e.Timeline() {
		if p.Kind == k {
			e.ShiftTimeline(now.Add(-24 * time.Hour).Sub(p.Starts))
			return true
		}
	}
	return false
}
