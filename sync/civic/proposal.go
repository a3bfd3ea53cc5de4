// Package civic holds the stages of a civic-budget year before and after
// the vote, as domain rules with no storage and no HTTP: residents' proposals,
// their formal and merit checks, protests, withdrawal and merging, and the
// step that turns what passed into the ballot's projects. Every change is an
// Event with who, when and why, so a proposal's history is its audit log.
// It uses the standard library and sync/election only.
package civic

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/urna-kiosk/urna/sync/election"
)

// Status is where a proposal stands.
type Status string

// Proposal statuses.
const (
	Submitted  Status = "submitted"   // waiting for the formal check
	NeedsFix   Status = "needs-fix"   // the formal check asked for changes by FixBy
	FormallyOK Status = "formally-ok" // waiting for the merit check
	Accepted   Status = "accepted"    // passed: goes on the ballot
	Rejected   Status = "rejected"    // failed a check; may be protested in the protest window
	Protested  Status = "protested"   // a protest waits for the council
	Restored   Status = "restored"    // the council upheld the protest: goes on the ballot
	Upheld     Status = "upheld"      // the council kept the rejection
	Withdrawn  Status = "withdrawn"   // by its applicant
	Merged     Status = "merged"      // into another proposal, MergedInto
	OnBallot   Status = "on-ballot"   // numbered in the edition's catalog
)

// EventKind names a change to a proposal.
type EventKind string

// Event kinds: each is one transition (see transitions).
const (
	EvSubmit       EventKind = "submitted"
	EvAssign       EventKind = "assigned"      // a coordinator gives it to a city unit
	EvFormalFix    EventKind = "formal-fix"    // the formal check asks for changes
	EvFixed        EventKind = "fixed"         // the applicant answered
	EvFormalPass   EventKind = "formal-pass"   // formally complete
	EvFormalReject EventKind = "formal-reject" // e.g. no support list, or not fixed in time
	EvMeritPass    EventKind = "merit-pass"
	EvMeritReject  EventKind = "merit-reject"
	EvProtest      EventKind = "protest"
	EvUphold       EventKind = "rejection-upheld" // the council keeps the rejection
	EvRestore      EventKind = "restored"         // the council restores the proposal
	EvWithdraw     EventKind = "withdrawn"
	EvMerge        EventKind = "merged"
	EvSupport      EventKind = "support-handed-in" // the venue marks the signed list as handed in
	EvNumbered     EventKind = "numbered"          // put on the ballot
)

// Event is one change, with who made it and why; Reason is shown to the
// applicant (Polish at least).
type Event struct {
	At     time.Time `json:"at"`
	Kind   EventKind `json:"kind"`
	Actor  string    `json:"actor"` // a staff member's id, "applicant", or "council"
	Reason string    `json:"reason,omitempty"`
	Detail string    `json:"detail,omitempty"` // a unit's id, a merge target, a number
}

// Proposal is one resident's idea for the budget. It holds no personal
// data: the applicant's contact, if given, is kept sealed elsewhere.
type Proposal struct {
	ID          string            `json:"id"`
	Edition     string            `json:"edition"`
	Pool        string            `json:"pool"` // the city-wide pool or a district
	Lang        string            `json:"lang"` // the language it was written in
	Title       string            `json:"title"`
	Summary     string            `json:"summary"`
	Description string            `json:"description"`
	Location    string            `json:"location"`
	Category    election.Category `json:"category"`
	Cost        int64             `json:"cost"` // the applicant's estimate, grosze
	UnitCost    int64             `json:"unitCost,omitempty"`
	Unit        string            `json:"unit,omitempty"` // the city unit assessing it
	Status      Status            `json:"status"`
	FixBy       time.Time         `json:"fixBy,omitzero"`
	MergedInto  string            `json:"mergedInto,omitempty"`
	Number      string            `json:"number,omitempty"` // its project number once on the ballot
	SupportIn   bool              `json:"supportIn,omitempty"`
	History     []Event           `json:"history"`
}

// Problem keys for proposal forms and transitions; screens translate them.
const (
	KeyTitle       = "proposal.title"         // missing or too long
	KeySummary     = "proposal.summary"       // missing or too long
	KeyDescription = "proposal.description"   // too long
	KeyPool        = "proposal.pool"          // unknown pool
	KeyCategory    = "proposal.category"      // unknown category
	KeyCostLow     = "proposal.cost_low"      // below the pool kind's minimum
	KeyCostHigh    = "proposal.cost_high"     // above the maximum or the pool's budget
	KeyPhase       = "proposal.phase_closed"  // not in this phase
	KeyTransition  = "proposal.not_now"       // the proposal's status does not allow it
	KeyFixLate     = "proposal.fix_late"      // the fix-by date has passed
	KeyReason      = "proposal.reason"        // a check or decision needs its reason
	KeyCostText    = "proposal.cost_text"     // the cost is not a number of złoty
	KeyProtests    = "proposal.protests_open" // the ballot waits for the protests to end and be decided
	KeyHearing     = "proposals.hearing_date" // a hearing's date is missing or not YYYY-MM-DD
	KeyHearingDay  = "proposal.hearing_day"   // a hearing's date is before the protest or after today and the protest phase
)

// Text limits a form enforces, in characters.
const (
	MaxTitle       = 150
	MaxSummary     = 600
	MaxDescription = 6000
	MaxLocation    = 300
)

// Draft is what a resident types in the form.
type Draft struct {
	Pool, Lang, Title, Summary, Description, Location string
	Category                                          election.Category
	Cost                                              int64
}

// Check returns every problem with d under e's rules.
func Check(e *election.Edition, d Draft) election.Problems {
	var ps election.Problems
	add := func(key, field, detail string) {
		ps = append(ps, election.Problem{Key: key, Field: field, Detail: detail})
	}
	text := func(s string, max int, key, field string, required bool) {
		n := utf8.RuneCountInString(strings.TrimSpace(s))
		if (required && n == 0) || n > max {
			add(key, field, fmt.Sprintf("%d characters, at most %d", n, max))
		}
	}
	text(d.Title, MaxTitle, KeyTitle, "title", true)
	text(d.Summary, MaxSummary, KeySummary, "summary", true)
	text(d.Description, MaxDescription, KeyDescription, "description", false)
	text(d.Location, MaxLocation, KeyDescription, "location", false)
	pool := e.Pool(d.Pool)
	if pool == nil {
		add(KeyPool, "pool", d.Pool)
		return ps
	}
	if d.Category != "" && !contains(election.Categories, d.Category) {
		add(KeyCategory, "category", string(d.Category))
	}
	if d.Cost < 0 {
		add(KeyCostText, "cost", "")
		return ps
	}
	return append(ps, CheckCost(e, pool, d.Cost)...)
}

// CheckCost returns the problem with cost (grosze) under pool's cost limits
// and budget, if any.
func CheckCost(e *election.Edition, pool *election.Pool, cost int64) election.Problems {
	var lim election.CostLimit
	if e.Proposals != nil {
		lim = e.Proposals.CostLimits[pool.Kind]
	}
	switch {
	case cost <= 0 || cost < lim.Min:
		return election.Problems{{Key: KeyCostLow, Field: "cost", Detail: election.FormatPLN(lim.Min)}}
	case cost > maxCost(pool.Budget, lim):
		return election.Problems{{Key: KeyCostHigh, Field: "cost", Detail: election.FormatPLN(maxCost(pool.Budget, lim))}}
	}
	return nil
}

// maxCost is the most a proposal may cost: the pool's budget or the limit, whichever is lower.
func maxCost(budget int64, lim election.CostLimit) int64 {
	if lim.Max > 0 && lim.Max < budget {
		return lim.Max
	}
	return budget
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Submit makes a proposal of a checked draft during the submission phase.
func Submit(e *election.Edition, id string, d Draft, now time.Time) (*Proposal, error) {
	if !e.Allows(election.ActSubmit, now) {
		return nil, election.Problem{Key: KeyPhase}
	}
	if ps := Check(e, d); len(ps) > 0 {
		return nil, ps
	}
	p := &Proposal{ID: id, Edition: e.ID, Pool: d.Pool, Lang: d.Lang, Title: strings.TrimSpace(d.Title),
		Summary: strings.TrimSpace(d.Summary), Description: strings.TrimSpace(d.Description),
		Location: strings.TrimSpace(d.Location), Category: d.Category, Cost: d.Cost, Status: Submitted}
	p.History = append(p.History, Event{At: now, Kind: EvSubmit, Actor: "applicant"})
	return p, nil
}

// transition is one allowed change: from which statuses, in which phases,
// to what, and whether a reason is required.
type transition struct {
	from   []Status
	phases []election.PhaseKind // empty: any phase
	to     Status               // "" keeps the status
	reason bool
}

var transitions = map[EventKind]transition{
	EvAssign:       {from: []Status{Submitted, NeedsFix, FormallyOK}},
	EvFormalFix:    {from: []Status{Submitted}, phases: []election.PhaseKind{election.PhaseFormalCheck}, to: NeedsFix, reason: true},
	EvFixed:        {from: []Status{NeedsFix}, phases: []election.PhaseKind{election.PhaseFormalCheck}, to: Submitted},
	EvFormalPass:   {from: []Status{Submitted}, phases: []election.PhaseKind{election.PhaseFormalCheck}, to: FormallyOK},
	EvFormalReject: {from: []Status{Submitted, NeedsFix}, phases: []election.PhaseKind{election.PhaseFormalCheck}, to: Rejected, reason: true},
	EvMeritPass:    {from: []Status{FormallyOK}, phases: []election.PhaseKind{election.PhaseMeritCheck}, to: Accepted},
	EvMeritReject:  {from: []Status{FormallyOK}, phases: []election.PhaseKind{election.PhaseMeritCheck}, to: Rejected, reason: true},
	EvProtest:      {from: []Status{Rejected}, phases: []election.PhaseKind{election.PhaseProtests}, to: Protested, reason: true},
	EvUphold:       {from: []Status{Protested}, to: Upheld, reason: true},
	EvRestore:      {from: []Status{Protested}, to: Restored, reason: true},
	EvWithdraw:     {from: []Status{Submitted, NeedsFix, FormallyOK, Accepted, Rejected, Protested}, to: Withdrawn},
	EvMerge:        {from: []Status{Submitted, NeedsFix, FormallyOK, Accepted}, to: Merged, reason: true},
	EvSupport:      {from: []Status{Submitted, NeedsFix}},
}

// Allows reports whether p's status and the phase in force at t allow an
// event of kind k, before its reason and details are looked at: the steps
// a screen offers.
func (p *Proposal) Allows(e *election.Edition, k EventKind, at time.Time) bool {
	tr, ok := transitions[k]
	if !ok || !contains(tr.from, p.Status) {
		return false
	}
	lateMerit := (k == EvMeritPass || k == EvMeritReject) && p.has(EvRestore)
	if len(tr.phases) > 0 && !lateMerit {
		ph, ok := e.PhaseAt(at)
		return ok && contains(tr.phases, ph.Kind)
	}
	return true
}

// Apply records ev on p if p's status and the phase in force allow it.
// Staff's reasons are required where an applicant is told an outcome.
func (p *Proposal) Apply(e *election.Edition, ev Event) error {
	tr, ok := transitions[ev.Kind]
	if !ok {
		return election.Problem{Key: KeyTransition, Detail: string(ev.Kind)}
	}
	if !contains(tr.from, p.Status) {
		return election.Problem{Key: KeyTransition, Detail: fmt.Sprintf("%s while %s", ev.Kind, p.Status)}
	}
	// a proposal restored after a formal rejection has its merit check late
	if !p.Allows(e, ev.Kind, ev.At) {
		return election.Problem{Key: KeyPhase, Detail: string(ev.Kind)}
	}
	if tr.reason && strings.TrimSpace(ev.Reason) == "" {
		return election.Problem{Key: KeyReason, Detail: string(ev.Kind)}
	}
	switch ev.Kind {
	case EvUphold, EvRestore:
		if err := p.checkHearing(e, ev); err != nil {
			return err
		}
		if ev.Kind == EvRestore && p.rejectedBy() == EvFormalReject {
			// its cost and merit were never verified
			p.Status = FormallyOK
			p.History = append(p.History, ev)
			return nil
		}
	case EvFixed:
		if !p.FixBy.IsZero() && ev.At.After(p.FixBy) {
			return election.Problem{Key: KeyFixLate, Detail: p.FixBy.Format(time.DateOnly)}
		}
		p.FixBy = time.Time{}
	case EvFormalFix:
		days := 7
		if ph, ok := e.PhaseAt(ev.At); ok && ph.FixDays > 0 {
			days = ph.FixDays
		}
		p.FixBy = ev.At.AddDate(0, 0, days)
	case EvAssign:
		p.Unit = ev.Detail
	case EvMerge:
		if ev.Detail == "" || ev.Detail == p.ID {
			return election.Problem{Key: KeyTransition, Detail: "merge needs another proposal"}
		}
		p.MergedInto = ev.Detail
	case EvSupport:
		p.SupportIn = true
	case EvMeritPass:
		if ev.Detail != "" {
			// the unit's cost, grosze: checked like the applicant's
			c, err := strconv.ParseInt(ev.Detail, 10, 64)
			if err != nil || c <= 0 {
				return election.Problem{Key: KeyCostText, Field: "cost", Detail: ev.Detail}
			}
			pool := e.Pool(p.Pool)
			if pool == nil {
				return election.Problem{Key: KeyPool, Detail: p.Pool}
			}
			if ps := CheckCost(e, pool, c); len(ps) > 0 {
				return ps[0]
			}
			p.UnitCost = c
		}
	}
	if tr.to != "" {
		p.Status = tr.to
	}
	p.History = append(p.History, ev)
	return nil
}

func (p *Proposal) has(kind EventKind) bool {
	for _, ev := range p.History {
		if ev.Kind == kind {
			return true
		}
	}
	return false
}

// rejectedBy is the kind of p's last rejection (formal or merit), or "".
func (p *Proposal) rejectedBy() EventKind {
	for i := len(p.History) - 1; i >= 0; i-- {
		if k := p.History[i].Kind; k == EvFormalReject || k == EvMeritReject {
			return k
		}
	}
	return ""
}

// checkHearing requires a council decision's hearing date (ev.Detail,
// YYYY-MM-DD in the edition's zone) from the protest's day to the day the
// decision is recorded or, if later, the protest phase's end.
func (p *Proposal) checkHearing(e *election.Edition, ev Event) error {
	loc := e.Location()
	day, err := time.ParseInLocation(time.DateOnly, ev.Detail, loc)
	if err != nil {
		return election.Problem{Key: KeyHearing, Field: "detail", Detail: ev.Detail}
	}
	var protested time.Time
	for _, h := range p.History {
		if h.Kind == EvProtest {
			protested = h.At
		}
	}
	y, m, d := protested.In(loc).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	until := ev.At // a hearing already held, or one set within the protest phase
	for _, ph := range e.Timeline() {
		if ph.Kind == election.PhaseProtests && ph.Ends.After(until) {
			until = ph.Ends
		}
	}
	if day.Before(from) || !day.Before(until) && day.After(ev.At) {
		return election.Problem{Key: KeyHearingDay, Field: "detail", Detail: from.Format(time.DateOnly)}
	}
	return nil
}

// Passed reports whether p goes on the ballot.
func (p *Proposal) Passed() bool { return p.Status == Accepted || p.Status == Restored }

// BallotCost returns the cost that goes on the ballot: the unit's estimate when
// it made one, else the applicant's.
func (p *Proposal) BallotCost() int64 {
	if p.UnitCost > 0 {
		return p.UnitCost
	}
	return p.Cost
}
