package central

import (
	"context"
	"slices"

	"github.com/urna-kiosk/urna/sync/central/store"
)

// Subtotal is one voting point's figures for one day (the cast day in the
// edition's zone): its turnout (ballots that count), and the ballots
// received online, by USB, and set aside (stored but not counted: an
// earlier ballot of the same voter counts).
type Subtotal struct {
	Venue    string `json:"venue"`
	Day      string `json:"day"` // 2006-01-02
	Counted  int    `json:"counted"`
	Online   int    `json:"online"`
	USB      int    `json:"usb"`
	SetAside int    `json:"setAside"`
}

// Subtotals returns the figures per voting point and day, in venue and
// day order; a venue's kiosks add up.
func Subtotals(ctx context.Context, st store.Store) ([]Subtotal, error) {
	ed, err := latestEdition(ctx, st)
	if err != nil {
		return nil, err
	}
	ks, err := st.Kiosks(ctx)
	if err != nil {
		return nil, err
	}
	venue := map[string]string{}
	for _, k := range ks {
		venue[k.ID] = k.Venue
	}
	usb := map[string]bool{}
	if err := st.USBBallots(ctx, func(id string) error { usb[id] = true; return nil }); err != nil {
		return nil, err
	}
	type key struct{ venue, day string }
	sums := map[key]*Subtotal{}
	loc := ed.Location()
	err = st.Ballots(ctx, func(s store.Stored) error {
		k := key{venue[s.Ballot.Kiosk], s.Ballot.CastAt.In(loc).Format("2006-01-02")}
		t := sums[k]
		if t == nil {
			t = &Subtotal{Venue: k.venue, Day: k.day}
			sums[k] = t
		}
		if usb[s.Ballot.ID] {
			t.USB++
		} else {
			t.Online++
		}
		if s.Counted {
			t.Counted++
		} else {
			t.SetAside++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Subtotal, 0, len(sums))
	for _, t := range sums {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Subtotal) int {
		if a.Venue != b.Venue {
			return compare(a.Venue, b.Venue)
		}
		return compare(a.Day, b.Day)
	})
	return out, nil
}
