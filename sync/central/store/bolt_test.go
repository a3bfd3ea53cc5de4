package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestBoltRefusesOldLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bOldLayout); return err })
	db.Close()
	if _, err := OpenBolt(path); !errors.Is(err, ErrOldLayout) {
		t.Fatalf("open old layout: %v", err)
	}
}

func TestBoltClosed(t *testing.T) {
	s, err := OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	bs := chainOfBallots("A", 1, func(int) string { return "v" }, func(int) time.Time { return t0 })
	if _, err := s.AddBallots(context.Background(), bs, t0); !errors.Is(err, ErrClosed) {
		t.Fatalf("add after close: %v", err)
	}
}

// TestConformanceConcurrentBatches sends overlapping batches from many
// goroutines at once (the bbolt store commits them in groups): every
// ballot is stored once and each voter's earliest ballot counts.
func TestConformanceConcurrentBatches(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		const kiosks, per = 6, 120
		var wg sync.WaitGroup
		errs := make(chan error, kiosks*2)
		all := 0
		for k := range kiosks {
			// every kiosk sees the same 120 voters, kiosk k at minute k:
			// kiosk 0's ballots count
			c := chainOfBallots(fmt.Sprint("K", k), per, func(i int) string { return fmt.Sprint("voter", i) },
				func(i int) time.Time { return t0.Add(time.Duration(k)*time.Minute + time.Duration(i)*time.Millisecond) })
			all += len(c)
			for _, part := range [][]int{{0, 70}, {40, per}} { // overlapping: resent ballots
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := part[0]; i < part[1]; i += 10 {
						if _, err := s.AddBallots(ctx, c[i:i+10], t0); err != nil {
							errs <- err
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		total, counted, err := s.Counts(ctx)
		if err != nil || total != all || counted != per {
			t.Fatalf("stored %d of %d, counted %d of %d: %v", total, all, counted, per, err)
		}
		counts := map[string]int{}
		s.Ballots(ctx, func(st Stored) error {
			if st.Counted {
				counts[st.Ballot.Kiosk]++
			}
			return nil
		})
		if counts["K0"] != per || len(counts) != 1 {
			t.Fatalf("counted per kiosk: %v", counts)
		}
		for k := range kiosks {
			if c, _ := s.Chain(ctx, fmt.Sprint("K", k)); c.Count != per || len(c.Gaps)+len(c.Breaks) != 0 {
				t.Fatalf("chain K%d: %+v", k, c)
			}
		}
	})
}
