package election

import "time"

// inForceOrder ranks the phases when several editions have one in force at
// once: the stages residents come to a kiosk for first (the vote, then the
// proposal stages), the long tail of implementation last, so that next
// year's submission takes the kiosks from this year's building works.
var inForceOrder = []PhaseKind{PhaseVoting, PhaseSubmission, PhaseFormalCheck, PhaseProtests, PhaseMeritCheck,
	PhaseListPublished, PhaseResults, PhasePromotion, PhaseImplementation}

func inForceRank(k PhaseKind) int {
	for i, p := range inForceOrder {
		if p == k {
			return i
		}
	}
	return len(inForceOrder)
}

// yearRank ranks e at t: by its phase in force, or, between two of its
// phases (its year has begun), by the phase that comes next, just after
// an edition with that phase in force, so that an edition pausing between
// stages keeps the kiosks it had.
func yearRank(e *Edition, t time.Time) (int, bool) {
	if p, ok := e.PhaseAt(t); ok {
		return 2 * inForceRank(p.Kind), true
	}
	tl := e.Timeline()
	if len(tl) == 0 || t.Before(tl[0].Starts) {
		return 0, false
	}
	if p, ok := e.NextPhase(t); ok {
		return 2*inForceRank(p.Kind) + 1, true
	}
	return 0, false
}

// InForce picks, of the editions a central holds (newest first), the one
// kiosks and pages follow at t: the one whose phase in force ranks first
// (voting, then submission, the checks and protests, then the rest, with
// implementation last); with none in force, the one whose next phase comes
// soonest; else the newest. Ties go to the newer edition. Nil for none.
func InForce(eds []*Edition, t time.Time) *Edition {
	var best *Edition
	bestRank := 2*len(inForceOrder) + 2
	for _, e := range eds {
		if r, ok := yearRank(e, t); ok && r < bestRank {
			best, bestRank = e, r
		}
	}
	if best != nil {
		return best
	}
	var soonest time.Time
	for _, e := range eds {
		if p, ok := e.NextPhase(t); ok && (best == nil || p.Starts.Before(soonest)) {
			best, soonest = e, p.Starts
		}
	}
	if best == nil && len(eds) > 0 {
		best = eds[0]
	}
	return best
}

// ForAction picks, of the editions held (newest first), the newest that
// allows a at t, or nil: the edition whose proposals a status page looks
// up, whose projects the planner shows, whose results are announced.
func ForAction(eds []*Edition, a Action, t time.Time) *Edition {
	for _, e := range eds {
		if e.Allows(a, t) {
			return e
		}
	}
	return nil
}
