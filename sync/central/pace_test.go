package central

import (
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// What no human pace produces is flagged: ballots faster than a person
// votes, outside the venue's hours, a burst after a long silence.
func TestPaceFlags(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Warsaw")
	day := time.Date(2025, 6, 3, 0, 0, 0, 0, loc) // a Tuesday
	venue := &election.Venue{ID: "v", Hours: []election.Hours{{Weekday: time.Tuesday, Open: "10:00", Close: "18:00"}}}
	at := func(h, m, s int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
	}
	tests := map[string]struct {
		times []time.Time
		want  Pace
	}{
		"a resident every two minutes": {[]time.Time{at(10, 0, 0), at(10, 2, 0), at(10, 4, 0)}, Pace{MaxPerMinute: 1}},
		"ten in half a minute":         {spread(at(11, 0, 0), 10, 3*time.Second), Pace{MaxPerMinute: 10}},
		"at night":                     {[]time.Time{at(10, 0, 0), at(3, 0, 0), at(22, 0, 0)}, Pace{MaxPerMinute: 1, OutsideHours: 2}},
		"a burst after silence": {append([]time.Time{at(10, 0, 0)}, spread(at(15, 0, 0), 25, 20*time.Second)...),
			Pace{MaxPerMinute: 3, Burst: 25, Silence: 5 * time.Hour}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := PaceOf(tc.times, venue, loc); got != tc.want {
				t.Fatalf("pace %+v, want %+v", got, tc.want)
			}
		})
	}
	if !(Pace{MaxPerMinute: 4}).Inhuman() || (Pace{MaxPerMinute: 3}).Inhuman() {
		t.Fatal("the human pace limit moved")
	}
}

func spread(from time.Time, n int, every time.Duration) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = from.Add(time.Duration(i) * every)
	}
	return out
}
