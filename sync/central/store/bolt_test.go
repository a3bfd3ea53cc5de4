package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
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
	if _, err := s.AddBallots(context.Background(), bs, nil, t0); !errors.Is(err, ErrClosed) {
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
			// each kiosk committed to its chain (a heartbeat) before any
			// arrived: an earlier ballot may displace a later one
			if err := s.AddKiosk(ctx, Kiosk{ID: fmt.Sprint("K", k), Venue: "v", PublicKey: []byte("pk"), Enrolled: t0}); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordHeartbeat(ctx, fmt.Sprint("K", k), wire.Heartbeat{LastSeq: per, HeadID: c[per-1].ID}, t0.Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
			for _, part := range [][]int{{0, 70}, {40, per}} { // overlapping: resent ballots
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := part[0]; i < part[1]; i += 10 {
						if _, err := s.AddBallots(ctx, c[i:i+10], nil, t0); err != nil {
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

// TestBoltBadBatchFailsAlone: a batch bbolt cannot write (a key over its
// limit) fails on its own; batches committed in the same group succeed.
func TestBoltBadBatchFailsAlone(t *testing.T) {
	s, err := OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	good, bad := 0, 0
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kiosk := fmt.Sprint("K", g)
			if g%4 == 0 {
				kiosk = strings.Repeat("x", bolt.MaxKeySize) // no key can hold it
			}
			bs := chainOfBallots(kiosk, 20, func(i int) string { return fmt.Sprint(g, "-", i) }, func(int) time.Time { return t0 })
			_, err := s.AddBallots(ctx, bs, nil, t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				bad++
				if g%4 != 0 {
					t.Errorf("good batch %d failed: %v", g, err)
				}
			} else {
				good++
			}
		}()
	}
	wg.Wait()
	if total, _, _ := s.Counts(ctx); good != 12 || bad != 4 || total != 12*20 {
		t.Fatalf("%d good, %d bad batches, %d ballots stored", good, bad, total)
	}
}

// TestBoltCountedInBatches: the tally scan hands over entries in batches
// from a second goroutine; every counted ballot arrives once, and an error
// of the consumer stops the scan and comes back.
func TestBoltCountedInBatches(t *testing.T) {
	s, err := OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const n = 10000 // over two batches
	bs := chainOfBallots("A", n, func(i int) string { return fmt.Sprint("v", i) }, func(int) time.Time { return t0 })
	for i := 0; i < n; i += 500 {
		if _, err := s.AddBallots(ctx, bs[i:i+500], nil, t0); err != nil {
			t.Fatal(err)
		}
	}
	seen := 0
	if err := s.Counted(ctx, func(ed, d string, _ []election.Selection) error {
		if ed != "e" || d != "d1" {
			t.Fatalf("entry %d: %q %q", seen, ed, d)
		}
		seen++
		return nil
	}); err != nil || seen != n {
		t.Fatalf("%d of %d entries: %v", seen, n, err)
	}
	boom := errors.New("boom")
	seen = 0
	err = s.Counted(ctx, func(string, string, []election.Selection) error {
		seen++
		if seen == 5000 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || seen != 5000 {
		t.Fatalf("after an error at 5000: %d calls, %v", seen, err)
	}
}

// TestBoltBusy: a second process (here: a second open) gets a clear error.
func TestBoltBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := OpenBolt(path); !errors.Is(err, ErrBusy) {
		t.Fatalf("second open: %v", err)
	}
}

// TestBoltRefusesASecondBallotUnderOneNumber: a kiosk that numbers from 1
// again (its store salvaged with its ballots lost) sends a second,
// different ballot 1; the central refuses it instead of counting both.
func TestBoltRefusesASecondBallotUnderOneNumber(t *testing.T) {
	ctx := context.Background()
	s, err := OpenBolt(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, pub := signedChain("k1", 1)
	s.AddKiosk(ctx, Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: t0})
	if out, err := s.AddBallots(ctx, first, nil, t0); err != nil || out[0] != wire.Accepted {
		t.Fatalf("first ballot 1: %v %v", out, err)
	}
	again := first[0]
	again.VoterKey[0] ^= 1 // another voter, the same number
	again.ID = ""
	again.Seal(ed25519.NewKeyFromSeed(make([]byte, 32))) // the ID changes with the content
	out, err := s.AddBallots(ctx, []wire.SealedBallot{again, first[0]}, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != wire.SeqTaken || out[1] != wire.Accepted {
		t.Fatalf("a second ballot 1: %v", out)
	}
	if total, counted, _ := s.Counts(ctx); total != 1 || counted != 1 {
		t.Fatalf("%d stored, %d counted", total, counted)
	}
}
