package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

type moveClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *moveClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.d) }
func (c *moveClock) Set(d time.Duration) {
	c.mu.Lock()
	c.d = d
	c.mu.Unlock()
}

func encoded(t *testing.T, ed *election.Edition) []byte {
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, ed); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSeveralEditions, on each store: while this year's edition is voted
// on, next year's timeline is published (its submission open); this year's
// ballots are still taken, not wrong-edition, and kiosks keep this year's
// catalog while its vote is in force; once the vote closes they follow
// next year's, late ballots of this year still count, pages asking for the
// submission get next year's edition; this year's edition can still be
// republished, and a renamed copy of it over its ballots is refused.
func TestSeveralEditions(t *testing.T) {
	for _, name := range []string{"bolt", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var st store.Store
			if name == "bolt" {
				st = bolt(t)
			} else {
				var err error
				if st, err = store.OpenPostgres(context.Background(), pgtest.DSN(t)); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
			}
			ctx := context.Background()
			r := newRig(t, st) // this year's edition, its vote open today
			clk := &moveClock{}
			srv := central.New(central.Config{Store: st, EditionKey: r.keys.Edition.Public().(ed25519.PublicKey), VoterSecret: r.keys.VoterSecret,
				RatePerKiosk: 1000, Burst: 1000, Clock: clk.Now})
			h := httptest.NewServer(srv.Handler())
			t.Cleanup(h.Close)
			r.srv, r.http = srv, h
			k := r.kiosk("")
			for i := range 3 {
				k.vote(t, r.ed, i)
			}
			if n, err := k.a.SyncOnce(ctx); n != 3 || err != nil {
				t.Fatalf("this year's ballots: %d %v", n, err)
			}

			// next year's edition: its submission is open now, its vote in ten months
			next := assets.MustDemoEdition()
			next.ID, next.Name = "krakow-next", election.Text{"pl": "Budżet Obywatelski – następna edycja", "en": "Civic Budget – next edition", "uk": "Громадський бюджет – наступне видання"}
			next.MoveWindow(time.Now().AddDate(0, 10, 0))
			today := time.Now().In(next.Location())
			day := func(d int) time.Time {
				return time.Date(today.Year(), today.Month(), today.Day()+d, 0, 0, 0, 0, next.Location())
			}
			next.Phases = []election.Phase{{Kind: election.PhaseSubmission, Starts: day(-1), Ends: day(60)}}
			v, err := central.Publish(ctx, st, r.keys, encoded(t, next))
			if err != nil {
				t.Fatalf("next year's timeline over this year's ballots: %v", err)
			}
			held, err := srv.Editions(ctx)
			if err != nil || len(held) != 2 || held[0].Edition.ID != "krakow-next" || held[1].Edition.ID != r.ed.ID {
				t.Fatalf("held: %v %v", held, err)
			}

			// this year's vote goes on: its ballots are taken
			for i := 3; i < 6; i++ {
				k.vote(t, r.ed, i)
			}
			if n, err := k.a.SyncOnce(ctx); n != 3 || err != nil {
				t.Fatalf("this year's ballots after next year's timeline: %d %v", n, err)
			}
			if _, counted, _ := st.Counts(ctx); counted != 6 {
				t.Fatalf("counted %d, want 6", counted)
			}
			// kiosks keep this year's catalog while its vote is in force
			var got wire.Catalog
			pull := agent.New(agent.Config{URL: h.URL, Queue: k.q, EditionKey: k.er.EditionKey, Catalog: func() int { return 0 },
				Install: func(c wire.Catalog) error { got = c; return nil }, Clock: clk.Now,
				MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
			if err := pull.PullCatalog(ctx); err != nil || got.Version != r.ed.Version {
				t.Fatalf("catalog during this year's vote: v%d %v, want v%d", got.Version, err, r.ed.Version)
			}
			if ed, _ := srv.Edition(ctx); ed.ID != r.ed.ID {
				t.Fatalf("the edition in force during the vote: %s", ed.ID)
			}
			if ed, _ := srv.EditionFor(ctx, election.ActSubmit); ed.ID != "krakow-next" {
				t.Fatalf("the edition taking proposals: %s", ed.ID)
			}
			late := k.vote(t, r.ed, 6) // cast now, uploaded after the vote closes

			// after this year's vote: kiosks follow next year's edition
			clk.Set(r.ed.Closes.Sub(time.Now()) + 48*time.Hour)
			got = wire.Catalog{}
			if err := pull.PullCatalog(ctx); err != nil || got.Version != v {
				t.Fatalf("catalog after this year's vote: v%d %v, want v%d", got.Version, err, v)
			}
			if n, err := pull.SyncOnce(ctx); n != 1 || err != nil {
				t.Fatalf("a late ballot of this year, %s: %d %v", late.ID, n, err)
			}
			if _, counted, _ := st.Counts(ctx); counted != 7 {
				t.Fatalf("counted %d, want 7", counted)
			}
			// this year's edition may be republished (a correction) after next year's
			fix := *r.ed
			if _, err := central.Publish(ctx, st, r.keys, encoded(t, &fix)); err != nil {
				t.Fatalf("republishing this year's edition: %v", err)
			}
			if held, _ := srv.Editions(ctx); len(held) != 2 || held[0].Edition.ID != r.ed.ID {
				t.Fatalf("held after the correction: %v", held)
			}
			// a renamed copy of this year's edition over its ballots is refused
			dup := *r.ed
			dup.ID = "krakow-copy"
			if _, err := central.Publish(ctx, st, r.keys, encoded(t, &dup)); !errors.Is(err, central.ErrNewEdition) {
				t.Fatalf("a renamed copy over the ballots: %v", err)
			}
		})
	}
}
