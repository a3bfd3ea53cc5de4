package central

import (
	"slices"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// The pace no person produces at one kiosk (docs/protocol.md): a resident
// needs well over a quarter of a minute for identity, district, six
// choices, review and receipt.
const (
	// HumanPerMinute is the most ballots one kiosk takes within any 60 s.
	HumanPerMinute = 3
	// BurstAfter is the silence after which BurstSize ballots within
	// BurstWithin are a burst.
	BurstAfter  = 2 * time.Hour
	BurstSize   = 20
	BurstWithin = 10 * time.Minute
	// FutureSkew is how far after its arrival a ballot may be dated (a
	// kiosk clock ahead) before it counts as future-dated.
	FutureSkew = 5 * time.Minute
)

// Pace is what a kiosk's cast times show that no human pace produces.
type Pace struct {
	MaxPerMinute int           `json:"maxPerMinute"` // the most ballots within any 60 s
	OutsideHours int           `json:"outsideHours"` // cast while the venue is closed
	Burst        int           `json:"burst"`        // ballots of the largest burst after silence
	Silence      time.Duration `json:"silence"`      // the silence before it
	Future       int           `json:"future"`       // dated more than FutureSkew after they arrived
}

// Inhuman reports whether the kiosk cast faster than a person can vote.
func (p Pace) Inhuman() bool { return p.MaxPerMinute > HumanPerMinute }

// PaceOf reads a kiosk's cast times against its venue's opening hours
// in loc; venue may be nil (always open). O(n log n) whatever the times.
func PaceOf(times []time.Time, venue *election.Venue, loc *time.Location) Pace {
	var p Pace
	sorted := slices.Clone(times)
	slices.SortFunc(sorted, func(a, b time.Time) int { return a.Compare(b) })
	j := 0 // the first ballot within the 60 s that end at sorted[i]
	for i, t := range sorted {
		if venue != nil && !venue.OpenAt(t.In(loc)) {
			p.OutsideHours++
		}
		for t.Sub(sorted[j]) >= time.Minute {
			j++
		}
		p.MaxPerMinute = max(p.MaxPerMinute, i-j+1)
		// a burst: BurstSize ballots within BurstWithin after a long silence
		if i > 0 && t.Sub(sorted[i-1]) >= BurstAfter {
			end, _ := slices.BinarySearchFunc(sorted[i:], t.Add(BurstWithin), func(a, b time.Time) int { return a.Compare(b) })
			if end >= BurstSize && end > p.Burst {
				p.Burst, p.Silence = end, t.Sub(sorted[i-1])
			}
		}
	}
	return p
}

// PaceOfBallots reads a kiosk's ballots as PaceOf does, each at the
// latest time it can have been cast: its cast time, or its arrival when it
// is dated later (nobody casts a ballot after the central received it). A
// burst dated into the future is so read at the pace it arrived, and the
// ballots dated more than FutureSkew after their arrival are counted.
func PaceOfBallots(ts []store.BallotTime, venue *election.Venue, loc *time.Location) Pace {
	times := make([]time.Time, len(ts))
	future := 0
	for i, t := range ts {
		times[i] = t.CastAt
		if !t.Received.IsZero() && t.Received.Before(t.CastAt) {
			times[i] = t.Received
			if t.CastAt.Sub(t.Received) > FutureSkew {
				future++
			}
		}
	}
	p := PaceOf(times, venue, loc)
	p.Future = future
	return p
}
