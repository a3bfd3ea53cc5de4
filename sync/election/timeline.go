package election

import (
	"fmt"
	"time"
)

// PhaseKind names a stage of a civic-budget year.
type PhaseKind string

// The phases of an edition's year, in order (docs/edition-format.md).
const (
	PhasePromotion      PhaseKind = "promotion"
	PhaseSubmission     PhaseKind = "submission"
	PhaseFormalCheck    PhaseKind = "formal-check"
	PhaseMeritCheck     PhaseKind = "merit-check"
	PhaseProtests       PhaseKind = "protests"
	PhaseListPublished  PhaseKind = "list-published"
	PhaseVoting         PhaseKind = "voting"
	PhaseResults        PhaseKind = "results"
	PhaseImplementation PhaseKind = "implementation"
)

// PhaseOrder lists the phases in the order a year goes through them.
var PhaseOrder = []PhaseKind{PhasePromotion, PhaseSubmission, PhaseFormalCheck, PhaseMeritCheck,
	PhaseProtests, PhaseListPublished, PhaseVoting, PhaseResults, PhaseImplementation}

// Phase is one stage with its dates: Starts ≤ t < Ends.
type Phase struct {
	Kind   PhaseKind `json:"kind"`
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
	// FixDays is how long an applicant has to fix a proposal after the formal
	// check asks them to (formal-check only; Kraków: 7).
	FixDays int `json:"fixDays,omitempty"`
}

// Action is something a resident may do only in some phases.
type Action string

// Actions the kiosk's attract screen and the public pages offer by phase.
const (
	ActSubmit       Action = "submit"        // submit a proposal
	ActFix          Action = "fix"           // answer the formal check
	ActProtest      Action = "protest"       // protest a rejection
	ActCheckStatus  Action = "check-status"  // follow one's proposal
	ActReadProjects Action = "read-projects" // browse the ballot's projects
	ActVote         Action = "vote"
	ActSeeResults   Action = "see-results"
)

// allowed says in which phases each action is offered.
var allowed = map[Action][]PhaseKind{
	ActSubmit:       {PhaseSubmission},
	ActFix:          {PhaseFormalCheck},
	ActProtest:      {PhaseProtests},
	ActCheckStatus:  {PhaseSubmission, PhaseFormalCheck, PhaseMeritCheck, PhaseProtests, PhaseListPublished, PhaseVoting, PhaseResults, PhaseImplementation},
	ActReadProjects: {PhaseListPublished, PhaseVoting, PhaseResults, PhaseImplementation},
	ActVote:         {PhaseVoting},
	ActSeeResults:   {PhaseResults, PhaseImplementation},
}

// Timeline returns the edition's phases in order. The voting phase is
// always the edition's own window (Opens, Closes), never a second copy of it.
func (e *Edition) Timeline() []Phase {
	out := make([]Phase, 0, len(e.Phases)+1)
	voting := false
	for _, p := range e.Phases {
		if p.Kind == PhaseVoting {
			continue
		}
		if !voting && phaseIndex(p.Kind) > phaseIndex(PhaseVoting) {
			out = append(out, Phase{Kind: PhaseVoting, Starts: e.Opens, Ends: e.Closes})
			voting = true
		}
		out = append(out, p)
	}
	if !voting {
		out = append(out, Phase{Kind: PhaseVoting, Starts: e.Opens, Ends: e.Closes})
	}
	return out
}

// PhaseAt returns the phase in force at t, if any.
func (e *Edition) PhaseAt(t time.Time) (Phase, bool) {
	for _, p := range e.Timeline() {
		if !t.Before(p.Starts) && t.Before(p.Ends) {
			return p, true
		}
	}
	return Phase{}, false
}

// NextPhase returns the first phase that starts after t, if any: what the
// kiosk announces outside every window.
func (e *Edition) NextPhase(t time.Time) (Phase, bool) {
	for _, p := range e.Timeline() {
		if p.Starts.After(t) {
			return p, true
		}
	}
	return Phase{}, false
}

// Allows reports whether a resident may do a at t.
func (e *Edition) Allows(a Action, t time.Time) bool {
	p, ok := e.PhaseAt(t)
	if !ok {
		return false
	}
	for _, k := range allowed[a] {
		if k == p.Kind {
			return true
		}
	}
	return false
}

// Actions returns what a resident may do at t, in a fixed order.
func (e *Edition) Actions(t time.Time) []Action {
	var out []Action
	for _, a := range []Action{ActSubmit, ActFix, ActProtest, ActCheckStatus, ActReadProjects, ActVote, ActSeeResults} {
		if e.Allows(a, t) {
			out = append(out, a)
		}
	}
	return out
}

func phaseIndex(k PhaseKind) int {
	for i, p := range PhaseOrder {
		if p == k {
			return i
		}
	}
	return -1
}

// checkTimeline finds phases out of order, overlapping, unknown, empty, or
// a voting phase that disagrees with the edition's window.
func (e *Edition) checkTimeline(add func(key, field, detail string)) {
	seen := map[PhaseKind]bool{}
	for i, p := range e.Phases {
		field := fmt.Sprintf("phases[%d]", i)
		switch {
		case phaseIndex(p.Kind) < 0:
			add(KeyFileInvalid, field+".kind", "unknown phase "+string(p.Kind))
			continue
		case seen[p.Kind]:
			add(KeyFileInvalid, field+".kind", "phase "+string(p.Kind)+" twice")
		case !p.Ends.After(p.Starts):
			add(KeyFileInvalid, field+".ends", "a phase must end after it starts")
		case p.Kind == PhaseVoting && (!p.Starts.Equal(e.Opens) || !p.Ends.Equal(e.Closes)):
			add(KeyFileInvalid, field, "the voting phase is the edition's opens/closes; leave it out or give the same dates")
		case p.FixDays < 0 || (p.FixDays > 0 && p.Kind != PhaseFormalCheck):
			add(KeyFileInvalid, field+".fixDays", "fixDays belongs to the formal-check phase")
		}
		seen[p.Kind] = true
	}
	tl := e.Timeline()
	for i := 1; i < len(tl); i++ {
		a, b := tl[i-1], tl[i]
		if phaseIndex(b.Kind) < phaseIndex(a.Kind) {
			add(KeyFileInvalid, "phases", fmt.Sprintf("%s comes before %s", b.Kind, a.Kind))
		} else if b.Starts.Before(a.Ends) {
			add(KeyFileInvalid, "phases", fmt.Sprintf("%s starts before %s ends", b.Kind, a.Kind))
		}
	}
}
