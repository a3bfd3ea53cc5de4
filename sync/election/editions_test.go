package election

import (
	"testing"
	"time"
)

// twoYears: 2025's edition (vote in June 2025, implementation until the end
// of 2026) and 2026's (submission from February 2026, vote in June 2026).
func twoYears() (y25, y26 *Edition) {
	loc, _ := time.LoadLocation("Europe/Warsaw")
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	y25 = &Edition{ID: "krakow-2025", Zone: "Europe/Warsaw", Opens: at(2025, 6, 1), Closes: at(2025, 6, 15), Phases: []Phase{
		{Kind: PhaseSubmission, Starts: at(2025, 2, 7), Ends: at(2025, 3, 10)},
		{Kind: PhaseResults, Starts: at(2025, 6, 16), Ends: at(2025, 7, 1)},
		{Kind: PhaseImplementation, Starts: at(2025, 7, 1), Ends: at(2027, 1, 1)},
	}}
	y26 = &Edition{ID: "krakow-2026", Zone: "Europe/Warsaw", Opens: at(2026, 6, 1), Closes: at(2026, 6, 15), Phases: []Phase{
		{Kind: PhasePromotion, Starts: at(2026, 1, 10), Ends: at(2026, 2, 7)},
		{Kind: PhaseSubmission, Starts: at(2026, 2, 7), Ends: at(2026, 3, 10)},
		{Kind: PhaseResults, Starts: at(2026, 6, 16), Ends: at(2026, 7, 1)},
	}}
	return y25, y26
}

func TestInForce(t *testing.T) {
	y25, y26 := twoYears()
	held := []*Edition{y26, y25} // newest first
	loc := y25.Location()
	for _, c := range []struct {
		at   time.Time
		want *Edition
	}{
		{time.Date(2025, 6, 3, 12, 0, 0, 0, loc), y25},  // this year's vote, next year's not begun
		{time.Date(2025, 9, 1, 12, 0, 0, 0, loc), y25},  // building works; next year only announced
		{time.Date(2026, 1, 20, 12, 0, 0, 0, loc), y26}, // next year's promotion ranks above this year's implementation
		{time.Date(2026, 2, 20, 12, 0, 0, 0, loc), y26}, // next year's submission takes the kiosks
		{time.Date(2026, 4, 1, 12, 0, 0, 0, loc), y26},  // next year between its submission and its vote keeps the kiosks
		{time.Date(2026, 6, 3, 12, 0, 0, 0, loc), y26},  // next year's vote
		{time.Date(2027, 3, 1, 12, 0, 0, 0, loc), y26},  // nothing in force, nothing next: the newest
	} {
		if got := InForce(held, c.at); got != c.want {
			t.Errorf("%s: %s, want %s", c.at.Format(time.DateOnly), got.ID, c.want.ID)
		}
	}
	if got := InForce(held, time.Date(2024, 12, 1, 0, 0, 0, 0, loc)); got != y25 {
		t.Errorf("before everything: %s, want the edition whose phase comes first", got.ID)
	}
	if InForce(nil, time.Now()) != nil {
		t.Error("no edition held")
	}
	// in the spring of 2026 the results of 2025 stay readable, the submission is 2026's
	spring := time.Date(2026, 2, 20, 12, 0, 0, 0, loc)
	if got := ForAction(held, ActSeeResults, spring); got != y25 {
		t.Errorf("results in spring 2026: %v", got)
	}
	if got := ForAction(held, ActSubmit, spring); got != y26 {
		t.Errorf("submission in spring 2026: %v", got)
	}
	if got := ForAction(held, ActVote, spring); got != nil {
		t.Errorf("a vote in spring 2026: %v", got)
	}
}
