package election

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"
)

// krakowYear is Kraków's 2025 calendar around the test edition's vote (1-15 June).
func krakowYear(e *Edition) {
	d := func(m time.Month, day int) time.Time { return time.Date(2025, m, day, 0, 0, 0, 0, time.UTC) }
	e.Phases = []Phase{
		{Kind: PhasePromotion, Starts: d(1, 10), Ends: d(2, 7)},
		{Kind: PhaseSubmission, Starts: d(2, 7), Ends: d(3, 10)},
		{Kind: PhaseFormalCheck, Starts: d(3, 10), Ends: d(4, 1), FixDays: 7},
		{Kind: PhaseMeritCheck, Starts: d(4, 1), Ends: d(4, 30)},
		{Kind: PhaseProtests, Starts: d(4, 30), Ends: d(5, 10)},
		{Kind: PhaseListPublished, Starts: d(5, 15), Ends: d(6, 1)},
		{Kind: PhaseResults, Starts: d(6, 20), Ends: d(7, 1)},
		{Kind: PhaseImplementation, Starts: d(7, 1), Ends: d(12, 31)},
	}
}

func TestTimelinePhases(t *testing.T) {
	e := testEdition()
	krakowYear(e)
	if ps := e.Check(); len(ps) > 0 {
		t.Fatal(ps)
	}
	at := func(m time.Month, day int) time.Time { return time.Date(2025, m, day, 12, 0, 0, 0, time.UTC) }
	cases := []struct {
		t       time.Time
		phase   PhaseKind
		actions []Action
	}{
		{at(2, 20), PhaseSubmission, []Action{ActSubmit, ActCheckStatus}},
		{at(3, 15), PhaseFormalCheck, []Action{ActFix, ActCheckStatus}},
		{at(5, 2), PhaseProtests, []Action{ActProtest, ActCheckStatus}},
		{at(6, 3), PhaseVoting, []Action{ActCheckStatus, ActReadProjects, ActVote}},
		{at(6, 25), PhaseResults, []Action{ActCheckStatus, ActReadProjects, ActSeeResults}},
		{at(5, 12), "", nil}, // between protests and the published list
	}
	for _, c := range cases {
		p, ok := e.PhaseAt(c.t)
		if p.Kind != c.phase || ok != (c.phase != "") {
			t.Errorf("%s: phase %q, want %q", c.t.Format("01-02"), p.Kind, c.phase)
		}
		if got := e.Actions(c.t); !slices.Equal(got, c.actions) {
			t.Errorf("%s: actions %v, want %v", c.t.Format("01-02"), got, c.actions)
		}
	}
	if next, ok := e.NextPhase(at(5, 12)); !ok || next.Kind != PhaseListPublished {
		t.Errorf("next after protests: %v", next.Kind)
	}
	// The vote is the edition's own window: moving the window moves the phase.
	e.ShiftTimeline(24 * time.Hour)
	if p, _ := e.PhaseAt(at(6, 1)); p.Kind != PhaseListPublished {
		t.Errorf("after a shift by a day, 1 June is %q", p.Kind)
	}
	// Round trip through the file format.
	back, err := DecodeEdition(bytes.NewReader(encoded(t, e)))
	if err != nil || len(back.Timeline()) != 9 {
		t.Fatalf("round trip: %v, %d phases", err, len(back.Timeline()))
	}
}

func TestTimelineErrors(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2025, m, day, 0, 0, 0, 0, time.UTC) }
	cases := map[string][]Phase{
		"unknown kind":       {{Kind: "party", Starts: d(1, 1), Ends: d(2, 1)}},
		"twice":              {{Kind: PhasePromotion, Starts: d(1, 1), Ends: d(1, 5)}, {Kind: PhasePromotion, Starts: d(1, 6), Ends: d(1, 9)}},
		"ends before start":  {{Kind: PhaseSubmission, Starts: d(3, 1), Ends: d(2, 1)}},
		"overlap":            {{Kind: PhaseSubmission, Starts: d(2, 1), Ends: d(3, 10)}, {Kind: PhaseFormalCheck, Starts: d(3, 1), Ends: d(4, 1)}},
		"out of order":       {{Kind: PhaseProtests, Starts: d(1, 1), Ends: d(1, 10)}, {Kind: PhaseSubmission, Starts: d(2, 1), Ends: d(3, 1)}},
		"after the vote":     {{Kind: PhaseSubmission, Starts: d(6, 5), Ends: d(6, 20)}},
		"second voting":      {{Kind: PhaseVoting, Starts: d(6, 2), Ends: d(6, 15)}},
		"fix days misplaced": {{Kind: PhaseSubmission, Starts: d(2, 1), Ends: d(3, 1), FixDays: 7}},
	}
	for name, phases := range cases {
		t.Run(name, func(t *testing.T) {
			e := testEdition()
			e.Phases = phases
			_, err := DecodeEdition(bytes.NewReader(encoded(t, e)))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("accepted: %v", err)
			}
		})
	}
}
