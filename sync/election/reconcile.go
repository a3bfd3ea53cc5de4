package election

// The results' state machine (docs/protocol.md): results are provisional
// while polls are open or any voting point is not reconciled; unverified
// when the audited recount from signed ballots disagrees with the fast
// tally; final when every point is reconciled or signed off with a
// recorded reason, the audit agrees, and the edition key has signed them.

// ResultsState is where the results of an edition stand.
type ResultsState string

// Results states.
const (
	Provisional ResultsState = "provisional"
	Unverified  ResultsState = "unverified"
	Final       ResultsState = "final"
)

// PointState is how a voting point's closing report compares with what the
// central received from it.
type PointState string

// Voting point states.
const (
	Reconciled PointState = "reconciled" // the report and the central agree
	Pending    PointState = "pending"    // ballots the report counts are still on their way
	Differing  PointState = "differing"  // the central holds what the report does not say
	NoReport   PointState = "no-report"  // no closing report yet
)

// ClosingReport is what a kiosk's signed closing report says about its chain.
type ClosingReport struct {
	Kiosk   string `json:"kiosk"`
	Ballots int    `json:"ballots"` // every ballot the kiosk ever sealed
	LastSeq uint64 `json:"lastSeq"`
	Head    string `json:"head"` // the id of the ballot at LastSeq
}

// Received is what the central holds of one kiosk's chain.
type Received struct {
	Ballots int    // stored ballots of the kiosk
	LastSeq uint64 // the highest seq stored
	HeadAt  string // the id stored at the report's LastSeq, "" if none
	Breaks  int    // broken links in the stored chain
}

// Reconcile compares a kiosk's closing report with what the central holds;
// for a pending point it also says how many ballots are still to come.
func Reconcile(r *ClosingReport, got Received) (PointState, int) {
	switch {
	case r == nil:
		return NoReport, 0
	case got.Breaks > 0, got.LastSeq > r.LastSeq, got.Ballots > r.Ballots:
		return Differing, 0
	case got.HeadAt != "" && got.HeadAt != r.Head:
		return Differing, 0
	case got.Ballots < r.Ballots:
		return Pending, r.Ballots - got.Ballots
	case got.HeadAt == r.Head && got.LastSeq == r.LastSeq:
		return Reconciled, 0
	default:
		return Differing, 0
	}
}

// ResultsInputs is everything the state of the results depends on.
type ResultsInputs struct {
	PollsClosed bool
	// Points maps each voting point (kiosk) to its state.
	Points map[string]PointState
	// SignedOff maps points the coordinator signed off to the recorded reason.
	SignedOff map[string]string
	// AuditRun and AuditAgrees: the recount from signed ballots has run and matches the tally.
	AuditRun, AuditAgrees bool
	// Signed: the edition key has signed these results.
	Signed bool
}

// ResultsStatus returns the results' state and, unless final, why not, as
// problems with translation keys for the dashboard and the public page.
func ResultsStatus(in ResultsInputs) (ResultsState, Problems) {
	var why Problems
	if in.AuditRun && !in.AuditAgrees {
		return Unverified, Problems{{Key: "results.audit_differs"}}
	}
	if !in.PollsClosed {
		why = append(why, Problem{Key: "results.polls_open"})
	}
	for kiosk, st := range in.Points {
		if st == Reconciled {
			continue
		}
		if reason := in.SignedOff[kiosk]; reason != "" {
			continue
		}
		why = append(why, Problem{Key: "results.point_" + string(st), Detail: kiosk})
	}
	if !in.AuditRun {
		why = append(why, Problem{Key: "results.audit_not_run"})
	}
	if !in.Signed {
		why = append(why, Problem{Key: "results.not_signed"})
	}
	if len(why) > 0 {
		return Provisional, why
	}
	return Final, nil
}
