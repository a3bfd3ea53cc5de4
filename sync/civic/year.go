package civic

import (
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// KrakowYear gives e, if it has no timeline, Kraków's year before and after
// its vote (2025: submissions 7 February to 9 March, a 7-day fix window,
// protests for 10 days) counted back from the vote's opening, and Kraków's
// proposal rules if it has none: for the demo and for tests.
func KrakowYear(e *election.Edition) {
	loc := e.Location()
	o := e.Opens.In(loc)
	day := func(d int) time.Time { return time.Date(o.Year(), o.Month(), o.Day()+d, 0, 0, 0, 0, loc) }
	c := e.Closes.In(loc)
	after := func(d int) time.Time { return time.Date(c.Year(), c.Month(), c.Day()+d, 0, 0, 0, 0, loc) }
	if len(e.Phases) == 0 {
		e.Phases = []election.Phase{
			{Kind: election.PhaseSubmission, Starts: day(-114), Ends: day(-83)},
			{Kind: election.PhaseFormalCheck, Starts: day(-83), Ends: day(-61), FixDays: 7},
			{Kind: election.PhaseMeritCheck, Starts: day(-61), Ends: day(-32)},
			{Kind: election.PhaseProtests, Starts: day(-32), Ends: day(-22)},
			{Kind: election.PhaseListPublished, Starts: day(-17), Ends: e.Opens},
			{Kind: election.PhaseResults, Starts: after(1), Ends: after(17)},
		}
	}
	if e.Proposals == nil {
		e.Proposals = &election.ProposalRules{
			CostLimits: map[election.PoolKind]election.CostLimit{election.District: {Min: 10_000_00, Max: 400_000_00},
				election.CityWide: {Min: 400_000_00, Max: 4_000_000_00}},
			Supporters: 15,
			Numbering:  map[election.PoolKind]string{election.CityWide: "BO.OM.{n}/{yy}", election.District: "BO.D{d}.{n}/{yy}"},
		}
	}
}
