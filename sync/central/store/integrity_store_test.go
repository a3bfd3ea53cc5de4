package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/wire"
)

// Known gap 1 (docs/protocol.md): a stolen kiosk committed, right after
// enrolling, to a high number with a made-up head; every ballot it then
// dated before a resident's counted one displaced it. A commitment now
// proves a time only once the central holds the ballot it names at its
// number and the chain up to it is whole; one whose head turns out to be
// another ballot is listed as forged.
func TestConformanceCommitmentProvesOnlyWhatIsHeld(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, k := range []string{"honest", "thief", "late", "partial"} {
			s.AddKiosk(ctx, Kiosk{ID: k, Venue: "v", PublicKey: []byte("pk"), Enrolled: t0.Add(-time.Hour)})
		}
		voter := func(i int) string {
			if i == 0 {
				return "resident"
			}
			return fmt.Sprint("other-", i)
		}
		at := func(i int) time.Time { return t0.Add(10*time.Minute + time.Duration(i)*time.Minute) }
		thief := chainOfBallots("thief", 50, voter, at)
		// the made-up commitment, before the resident votes
		if err := s.RecordHeartbeat(ctx, "thief", wire.Heartbeat{LastSeq: 50, HeadID: "made-up"}, t0); err != nil {
			t.Fatal(err)
		}
		honest := chainOfBallots("honest", 1, voter, func(int) time.Time { return t0.Add(2 * time.Hour) })
		if st, _ := s.AddBallots(ctx, honest, nil, t0.Add(2*time.Hour)); st[0] != wire.Accepted {
			t.Fatalf("honest: %v", st)
		}
		if st, err := s.AddBallots(ctx, thief[:1], nil, t0.Add(3*time.Hour)); err != nil || st[0] != wire.Contested {
			t.Fatalf("the thief's backdated ballot under a made-up commitment: %v %v", st, err)
		}
		if got, _ := s.Ballot(ctx, honest[0].ID); !got.Counted {
			t.Fatal("the resident's ballot was displaced")
		}
		if fs, _ := s.ForgedCommitments(ctx, "thief"); len(fs) != 0 {
			t.Fatalf("forged before the number arrived: %v", fs)
		}
		s.AddBallots(ctx, thief[1:], nil, t0.Add(3*time.Hour))
		if fs, err := s.ForgedCommitments(ctx, "thief"); err != nil || len(fs) != 1 || fs[0].Seq != 50 || fs[0].ID != "made-up" {
			t.Fatalf("forged commitments %v %v", fs, err)
		}
		if got, _ := s.Ballot(ctx, honest[0].ID); !got.Counted {
			t.Fatal("the resident's ballot was displaced once the chain arrived")
		}

		// A true commitment to number 3, made before the resident voted, and
		// the ballots 1-3 arriving late in one batch: it proves ballot 1.
		late := chainOfBallots("late", 3, voter, at)
		s.RecordHeartbeat(ctx, "late", wire.Heartbeat{LastSeq: 3, HeadID: late[2].ID}, t0.Add(time.Hour))
		// The same, but ballot 2 never arrives: the chain to the head is not
		// whole, so nothing is proven.
		partial := chainOfBallots("partial", 3, voter, at)
		s.RecordHeartbeat(ctx, "partial", wire.Heartbeat{LastSeq: 3, HeadID: partial[2].ID}, t0.Add(time.Hour))
		if st, _ := s.AddBallots(ctx, []wire.SealedBallot{partial[0], partial[2]}, nil, t0.Add(4*time.Hour)); st[0] != wire.Contested {
			t.Fatalf("a ballot under a commitment whose chain has a gap: %v", st)
		}
		if st, _ := s.AddBallots(ctx, late, nil, t0.Add(5*time.Hour)); st[0] != wire.Accepted {
			t.Fatalf("a late ballot proven by a whole chain to the committed head: %v", st)
		}
		if got, _ := s.Ballot(ctx, honest[0].ID); got.Counted {
			t.Fatal("the proven earlier ballot does not count")
		}
		if fs, _ := s.ForgedCommitments(ctx, "late"); len(fs) != 0 {
			t.Fatalf("a true commitment listed as forged: %v", fs)
		}
	})
}

// Known gap 2: a ballot with exactly the counted ballot's cast time and a
// smaller id used to win without any commitment. A tie now goes to the
// ballot received first, also when the voters are counted again.
func TestConformanceTieGoesToFirstReceived(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, k := range []string{"A", "B"} {
			s.AddKiosk(ctx, Kiosk{ID: k, Venue: "v", PublicKey: []byte("pk"), Enrolled: t0.Add(-time.Hour)})
		}
		same := func(int) time.Time { return t0 }
		voter := func(int) string { return "resident" }
		first, second := chainOfBallots("A", 1, voter, same)[0], chainOfBallots("B", 1, voter, same)[0]
		for first.ID < second.ID { // the later arrival has the smaller id
			second = chainOfBallots("B", 1, voter, same)[0]
		}
		if st, _ := s.AddBallots(ctx, []wire.SealedBallot{first}, nil, t0.Add(time.Minute)); st[0] != wire.Accepted {
			t.Fatalf("first: %v", st)
		}
		if st, _ := s.AddBallots(ctx, []wire.SealedBallot{second}, nil, t0.Add(time.Hour)); st[0] != wire.Duplicate {
			t.Fatalf("the later arrival with the same cast time: %v, want duplicate", st)
		}
		// counting the voter again (set B aside and release it) picks the same
		s.SetAside(ctx, "B", true, t0.Add(2*time.Hour))
		s.SetAside(ctx, "B", false, t0.Add(3*time.Hour))
		if got, _ := s.Ballot(ctx, first.ID); !got.Counted {
			t.Fatal("the first received no longer counts after a recount")
		}
		if got, _ := s.Ballot(ctx, second.ID); got.Counted {
			t.Fatal("the later arrival counts after a recount")
		}
	})
}

// Known gap 7: every heartbeat with a new head added a commitment, without
// limit. A store keeps the latest MaxCommitments of a kiosk.
func TestConformanceCommitmentsBounded(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		s.AddKiosk(ctx, Kiosk{ID: "k", Venue: "v", PublicKey: []byte("pk"), Enrolled: t0})
		const n = 3 * MaxCommitments
		for i := 1; i <= n; i++ {
			if err := s.RecordHeartbeat(ctx, "k", wire.Heartbeat{LastSeq: uint64(i), HeadID: fmt.Sprint("h", i)}, t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := s.Commitments(ctx, "k")
		if err != nil || len(cs) != MaxCommitments || cs[len(cs)-1].Seq != n || cs[0].Seq != n-MaxCommitments+1 {
			t.Fatalf("%d commitments kept (%v), want the latest %d", len(cs), err, MaxCommitments)
		}
	})
}

// BallotTimes gives each ballot's cast and arrival time, for the pace flags.
func TestConformanceBallotTimes(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		s.AddKiosk(ctx, Kiosk{ID: "k", Venue: "v", PublicKey: []byte("pk"), Enrolled: t0})
		bs := chainOfBallots("k", 2, func(i int) string { return fmt.Sprint(i) }, func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) })
		s.AddBallots(ctx, bs[:1], nil, t0.Add(time.Minute))
		s.AddBallots(ctx, bs[1:], nil, t0.Add(time.Minute+time.Second))
		ts, err := s.BallotTimes(ctx, "k")
		if err != nil || len(ts) != 2 || !ts[0].CastAt.Equal(t0) || !ts[0].Received.Equal(t0.Add(time.Minute)) ||
			!ts[1].CastAt.Equal(t0.Add(time.Hour)) || !ts[1].Received.Equal(t0.Add(time.Minute+time.Second)) {
			t.Fatalf("times %v %v", ts, err)
		}
	})
}

// A contested ballot counts once its proof arrives: the kiosk committed,
// in time, to a head the central receives only later (another batch, a
// second USB file), and the chain up to it is then whole.
func TestConformanceContestedCountsOnceProven(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, k := range []string{"honest", "late"} {
			s.AddKiosk(ctx, Kiosk{ID: k, Venue: "v", PublicKey: []byte("pk"), Enrolled: t0.Add(-time.Hour)})
		}
		voter := func(i int) string { return fmt.Sprint("voter-", i) }
		late := chainOfBallots("late", 3, voter, func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) })
		s.RecordHeartbeat(ctx, "late", wire.Heartbeat{LastSeq: 3, HeadID: late[2].ID}, t0.Add(time.Hour))
		honest := chainOfBallots("honest", 1, voter, func(int) time.Time { return t0.Add(2 * time.Hour) })
		if st, _ := s.AddBallots(ctx, honest, nil, t0.Add(2*time.Hour)); st[0] != wire.Accepted {
			t.Fatalf("honest: %v", st)
		}
		if st, _ := s.AddBallots(ctx, late[:1], nil, t0.Add(3*time.Hour)); st[0] != wire.Contested {
			t.Fatalf("before its committed head arrived: %v", st)
		}
		if st, _ := s.AddBallots(ctx, late[1:], nil, t0.Add(4*time.Hour)); st[0] != wire.Accepted || st[1] != wire.Accepted {
			t.Fatalf("the rest of the chain: %v", st)
		}
		if got, _ := s.Ballot(ctx, late[0].ID); !got.Counted || got.Hold != "" {
			t.Fatalf("the proven ballot: counted %v, hold %q", got.Counted, got.Hold)
		}
		if got, _ := s.Ballot(ctx, honest[0].ID); got.Counted {
			t.Fatal("the later-dated ballot still counts")
		}
		if _, n, _ := s.Counts(ctx); n != 3 {
			t.Fatalf("%d counted", n)
		}
	})
}
