package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// stores opens each implementation for the conformance suite.
var stores = map[string]func(t *testing.T) Store{
	"bolt": func(t *testing.T) Store {
		s, err := OpenBolt(filepath.Join(t.TempDir(), "central.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"postgres": func(t *testing.T) Store {
		s, err := OpenPostgres(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
}

func each(t *testing.T, f func(t *testing.T, s Store)) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			f(t, s)
		})
	}
}

var t0 = time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)

// chainOfBallots makes n sealed, chained ballots of one kiosk; voter(i)
// names each ballot's voter.
func chainOfBallots(kiosk string, n int, voter func(i int) string, at func(i int) time.Time) []wire.SealedBallot {
	_, key, _ := ed25519.GenerateKey(nil)
	var out []wire.SealedBallot
	prev := ""
	for i := range n {
		b := wire.SealedBallot{Kiosk: kiosk, Seq: uint64(i + 1), Prev: prev, CastAt: at(i), Edition: "e", Catalog: 1,
			District: "d1", VoterKey: election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByPESEL, Value: voter(i)})}
		b.Seal(key)
		out = append(out, b)
		prev = b.ID
	}
	return out
}

func TestConformanceEnrollment(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if err := s.AddEnrollCode(ctx, "ABCD-EFGH", "nck", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.AddEnrollCode(ctx, "OLD", "nck", t0.Add(-time.Second))
		if v, err := s.UseEnrollCode(ctx, "abcd efgh", t0); err != nil || v != "nck" {
			t.Fatalf("use = %q %v", v, err)
		}
		for _, c := range []string{"ABCD-EFGH", "OLD", "NONE"} {
			if _, err := s.UseEnrollCode(ctx, c, t0); !errors.Is(err, ErrCodeUsed) {
				t.Errorf("code %s: %v", c, err)
			}
		}
		k := Kiosk{ID: "k1", Venue: "nck", PublicKey: []byte("pk"), Enrolled: t0}
		if err := s.AddKiosk(ctx, k); err != nil {
			t.Fatal(err)
		}
		hb := wire.Heartbeat{QueueDepth: 3, Printer: "paper-out", KioskTime: t0.Add(90 * time.Second)}
		if err := s.RecordHeartbeat(ctx, "k1", hb, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Kiosk(ctx, "k1")
		if err != nil || got.Heartbeat.Printer != "paper-out" || got.Skew != 30*time.Second || !got.LastSeen.Equal(t0.Add(time.Minute)) {
			t.Fatalf("kiosk = %+v %v", got, err)
		}
		if _, err := s.Kiosk(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown kiosk: %v", err)
		}
		if err := s.RecordHeartbeat(ctx, "nope", hb, t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("heartbeat of unknown kiosk: %v", err)
		}
		ks, _ := s.Kiosks(ctx)
		if len(ks) != 1 || !ks[0].Revoked.IsZero() {
			t.Fatalf("%d kiosks: %+v", len(ks), ks)
		}
		// Revoking: the first time stays, heartbeats do not undo it.
		if err := s.RevokeKiosk(ctx, "k1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.RevokeKiosk(ctx, "k1", t0.Add(2*time.Hour))
		s.RecordHeartbeat(ctx, "k1", hb, t0.Add(3*time.Hour))
		if got, _ := s.Kiosk(ctx, "k1"); !got.Revoked.Equal(t0.Add(time.Hour)) {
			t.Fatalf("revoked at %v", got.Revoked)
		}
		if err := s.RevokeKiosk(ctx, "nope", t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke unknown kiosk: %v", err)
		}
	})
}

func TestConformanceCatalogs(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if _, err := s.Catalog(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("empty: %v", err)
		}
		for v := 1; v <= 3; v++ {
			if err := s.PutCatalog(ctx, wire.Catalog{Version: v, Edition: []byte(fmt.Sprint(v)), Sig: []byte("s")}); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range []int{3, 2, 5} {
			if err := s.PutCatalog(ctx, wire.Catalog{Version: v, Edition: []byte("x"), Sig: []byte("s")}); !errors.Is(err, ErrCatalogVersion) {
				t.Errorf("version %d after 3: %v", v, err)
			}
		}
		if c, err := s.Catalog(ctx); err != nil || c.Version != 3 || string(c.Edition) != "3" {
			t.Fatalf("latest = %+v %v", c, err)
		}
		if c, err := s.CatalogAt(ctx, 2); err != nil || c.Version != 2 || string(c.Edition) != "2" {
			t.Fatalf("version 2 = %+v %v", c, err)
		}
		for _, v := range []int{0, 4, -1} {
			if _, err := s.CatalogAt(ctx, v); !errors.Is(err, ErrNotFound) {
				t.Fatalf("version %d: %v", v, err)
			}
		}
	})
}

func TestConformanceBallots(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		// Kiosk A: voters 0..9; kiosk B: voters 5..14, cast earlier for 5..7 and later for 8..9.
		a := chainOfBallots("A", 10, func(i int) string { return fmt.Sprint(i) }, func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) })
		b := chainOfBallots("B", 10, func(i int) string { return fmt.Sprint(i + 5) }, func(i int) time.Time {
			if i < 3 {
				return t0.Add(-time.Hour)
			}
			return t0.Add(time.Duration(i+60) * time.Minute)
		})
		// B had committed to its ten ballots (a heartbeat) before A's
		// arrived: its earlier-dated ones may displace A's.
		for _, k := range []string{"A", "B"} {
			if err := s.AddKiosk(ctx, Kiosk{ID: k, Venue: "v", PublicKey: []byte("pk"), Enrolled: t0.Add(-2 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordHeartbeat(ctx, "B", wire.Heartbeat{LastSeq: 10, HeadID: b[9].ID}, t0.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		st, err := s.AddBallots(ctx, a, nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range st {
			if x != wire.Accepted {
				t.Fatalf("A%d: %s", i, x)
			}
		}
		st, _ = s.AddBallots(ctx, b, nil, t0)
		for i, x := range st {
			want := wire.Accepted
			if i >= 3 && i < 5 { // voters 8, 9: A's were earlier
				want = wire.Duplicate
			}
			if x != want {
				t.Errorf("B%d (voter %d): %s, want %s", i, i+5, x, want)
			}
		}
		// A's ballots of voters 5..7 no longer count: B's earlier ones do.
		for i := range 10 {
			got, err := s.Ballot(ctx, a[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := i < 5 || i > 7; got.Counted != want {
				t.Errorf("A%d counted = %v, want %v", i, got.Counted, want)
			}
		}
		// Idempotent: the same batch again changes nothing.
		again, _ := s.AddBallots(ctx, a, nil, t0.Add(time.Hour))
		if again[5] != wire.Duplicate || again[0] != wire.Accepted {
			t.Fatalf("re-upload: %v", again)
		}
		total, counted, _ := s.Counts(ctx)
		if total != 20 || counted != 15 {
			t.Fatalf("counts %d/%d, want 20/15", total, counted)
		}
		n := 0
		s.Ballots(ctx, func(st Stored) error {
			if st.Counted {
				n++
			}
			return nil
		})
		if n != 15 {
			t.Fatalf("%d counted when listed", n)
		}
		ids := map[string]int{}
		s.Counted(ctx, func(ed, d string, _ []election.Selection) error { ids[ed+"/"+d]++; return nil })
		if ids["e/d1"] != 15 {
			t.Fatalf("tally index: %v", ids)
		}
		if ok, _ := s.VoterCounted(ctx, a[0].VoterKey[:]); !ok {
			t.Fatal("voter 0 not counted")
		}
		if c, _ := s.Chain(ctx, "A"); c.Count != 10 || c.MaxSeq != 10 || len(c.Gaps)+len(c.Breaks) != 0 {
			t.Fatalf("chain A = %+v", c)
		}
		if _, err := s.Ballot(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		if got, err := s.BallotByPrefix(ctx, a[3].ID[:20]); err != nil || got.Ballot.ID != a[3].ID {
			t.Fatalf("by prefix: %v %v", got.Ballot.ID, err)
		}
		for _, p := range []string{"", "zz", strings.Repeat("f", 20)} {
			if _, err := s.BallotByPrefix(ctx, p); !errors.Is(err, ErrNotFound) {
				t.Fatalf("prefix %q: %v", p, err)
			}
		}
	})
}

func TestConformanceChainGapsAndBreaks(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		c := chainOfBallots("C", 8, func(i int) string { return "c" + fmt.Sprint(i) }, func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) })
		// 3 and 6 never arrive; a forged 5 that does not chain arrives
		// first, and the real 5, a second ballot under its number, is refused.
		forged := chainOfBallots("C", 5, func(i int) string { return "f" + fmt.Sprint(i) }, func(int) time.Time { return t0 })[4]
		send := []wire.SealedBallot{c[0], c[1], c[3], forged, c[6], c[7]}
		if _, err := s.AddBallots(ctx, send, nil, t0); err != nil {
			t.Fatal(err)
		}
		if out, err := s.AddBallots(ctx, []wire.SealedBallot{c[4], c[4]}, nil, t0); err != nil || out[0] != wire.SeqTaken || out[1] != wire.SeqTaken {
			t.Fatalf("a second ballot 5: %v %v", out, err)
		}
		if total, counted, _ := s.Counts(ctx); total != 6 || counted != 6 {
			t.Fatalf("%d stored, %d counted", total, counted)
		}
		ch, err := s.Chain(ctx, "C")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ch.Gaps, []Gap{{3, 3}, {6, 6}}) || ch.Missing != 2 || !slices.Contains(ch.Breaks, 5) || ch.MaxSeq != 8 {
			t.Fatalf("chain = %+v", ch)
		}
	})
}

// A kiosk's chain report stays as small as the ballots it holds, whatever
// their numbers: one ballot numbered 2^62 used to make the report list
// every missing number (the central killed for lack of memory); the
// central refuses such numbers at ingest, and the store copes anyway.
func TestConformanceChainHugeSeq(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		_, key, _ := ed25519.GenerateKey(nil)
		b := wire.SealedBallot{Kiosk: "H", Seq: 1 << 62, CastAt: t0, Edition: "e", Catalog: 1, District: "d1"}
		b.Seal(key)
		first := chainOfBallots("H", 1, func(int) string { return "h" }, func(int) time.Time { return t0 })
		if _, err := s.AddBallots(ctx, append(first, b), nil, t0); err != nil {
			t.Fatal(err)
		}
		ch, err := s.Chain(ctx, "H")
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Gaps) != 1 || ch.Gaps[0] != (Gap{2, 1<<62 - 1}) || ch.Missing != 1<<62-2 || ch.MaxSeq != 1<<62 {
			t.Fatalf("chain = %+v", ch)
		}
		if n, err := s.LastSeq(ctx, "H"); err != nil || n != 1<<62 {
			t.Fatalf("last seq %d %v", n, err)
		}
		if n, _ := s.LastSeq(ctx, "nobody"); n != 0 {
			t.Fatalf("last seq of a kiosk without ballots: %d", n)
		}
	})
}

// A ballot dated before a voter's counted ballot, from a kiosk that had
// not committed to it before that ballot arrived, is contested: stored,
// answered Contested, never swapped in. With a commitment in time (the
// honest kiosk that was offline) it counts.
func TestConformanceContested(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, k := range []string{"honest", "thief", "late"} {
			if err := s.AddKiosk(ctx, Kiosk{ID: k, Venue: "v", PublicKey: []byte("pk"), Enrolled: t0.Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		voter := func(int) string { return "resident" }
		honest := chainOfBallots("honest", 1, voter, func(int) time.Time { return t0.Add(time.Hour) })
		thief := chainOfBallots("thief", 1, voter, func(int) time.Time { return t0 })
		late := chainOfBallots("late", 1, voter, func(int) time.Time { return t0.Add(30 * time.Minute) })
		// the offline kiosk "late" committed to its ballot before the honest one arrived
		if err := s.RecordHeartbeat(ctx, "late", wire.Heartbeat{LastSeq: 1, HeadID: late[0].ID}, t0.Add(31*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if st, err := s.AddBallots(ctx, honest, nil, t0.Add(time.Hour)); err != nil || st[0] != wire.Accepted {
			t.Fatalf("honest: %v %v", st, err)
		}
		// the thief's heartbeat comes after the honest ballot: no proof
		s.RecordHeartbeat(ctx, "thief", wire.Heartbeat{LastSeq: 5, HeadID: "x"}, t0.Add(2*time.Hour))
		for range 2 { // a repeat answers the same
			if st, err := s.AddBallots(ctx, thief, nil, t0.Add(2*time.Hour)); err != nil || st[0] != wire.Contested {
				t.Fatalf("thief: %v %v", st, err)
			}
		}
		if got, _ := s.Ballot(ctx, thief[0].ID); got.Counted || got.Hold != HoldContested {
			t.Fatalf("thief's ballot: counted %v, hold %q", got.Counted, got.Hold)
		}
		if got, _ := s.Ballot(ctx, honest[0].ID); !got.Counted {
			t.Fatal("the honest ballot was displaced")
		}
		if st, err := s.AddBallots(ctx, late, nil, t0.Add(3*time.Hour)); err != nil || st[0] != wire.Accepted {
			t.Fatalf("late USB ballot with a commitment in time: %v %v", st, err)
		}
		// A hold the caller decided keeps a ballot out of the count.
		other := chainOfBallots("another", 1, func(int) string { return "someone" }, func(int) time.Time { return t0 })
		if st, _ := s.AddBallots(ctx, other, []Hold{HoldBackdated}, t0); st[0] != wire.Contested {
			t.Fatalf("held: %v", st)
		}
		if got, _ := s.Ballot(ctx, other[0].ID); got.Counted || got.Hold != HoldBackdated {
			t.Fatalf("held ballot: counted %v, hold %q", got.Counted, got.Hold)
		}
		if total, counted, _ := s.Counts(ctx); total != 4 || counted != 1 {
			t.Fatalf("counts %d/%d", total, counted)
		}
	})
}

// Heartbeats keep a kiosk's chain head as commitments, one per new head.
func TestConformanceCommitments(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		s.AddKiosk(ctx, Kiosk{ID: "k", Venue: "v", PublicKey: []byte("pk"), Enrolled: t0})
		for i, hb := range []wire.Heartbeat{{LastSeq: 1, HeadID: "a"}, {LastSeq: 1, HeadID: "a"}, {}, {LastSeq: 3, HeadID: "c"}, {LastSeq: 2, HeadID: "b"}} {
			if err := s.RecordHeartbeat(ctx, "k", hb, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := s.Commitments(ctx, "k")
		want := []Commitment{{1, "a", t0}, {3, "c", t0.Add(3 * time.Minute)}}
		if err != nil || len(cs) != 2 || cs[0] != want[0] || cs[1].Seq != 3 || !cs[1].At.Equal(want[1].At) {
			t.Fatalf("commitments = %+v %v", cs, err)
		}
	})
}

// Admission lists hold keyed hashes, nothing else.
func TestConformanceAdmitted(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		k1, k2 := election.VoterKey{1}, election.VoterKey{2}
		if err := s.AddAdmitted(ctx, ListIssuedCodes, []election.VoterKey{k1, k1}); err != nil {
			t.Fatal(err)
		}
		s.AddAdmitted(ctx, ListRegister, []election.VoterKey{k2})
		for _, c := range []struct {
			list string
			key  election.VoterKey
			want bool
		}{{ListIssuedCodes, k1, true}, {ListIssuedCodes, k2, false}, {ListRegister, k2, true}, {ListRegister, k1, false}} {
			if ok, err := s.Admitted(ctx, c.list, c.key[:]); err != nil || ok != c.want {
				t.Errorf("%s %x: %v %v", c.list, c.key[:1], ok, err)
			}
		}
		if n, _ := s.AdmittedCount(ctx, ListIssuedCodes); n != 1 {
			t.Fatalf("%d issued", n)
		}
	})
}

// The same voter at two kiosks at the same moment, stored concurrently
// (for PostgreSQL through two separate connection pools, as two replicas
// would): exactly one ballot counts.
func TestConformanceConcurrentVoter(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var s1, s2 Store
			if name == "postgres" {
				dsn := pgtest.DSN(t)
				var err error
				if s1, err = OpenPostgres(ctx, dsn); err != nil {
					t.Fatal(err)
				}
				if s2, err = OpenPostgres(ctx, dsn); err != nil {
					t.Fatal(err)
				}
				defer s2.Close()
			} else {
				s1 = open(t)
				s2 = s1
			}
			defer s1.Close()
			for round := range 30 {
				voter := fmt.Sprint("same-", round)
				at := func(int) time.Time { return t0 } // the same millisecond
				x := chainOfBallots(fmt.Sprint("X", round), 1, func(int) string { return voter }, at)
				y := chainOfBallots(fmt.Sprint("Y", round), 1, func(int) string { return voter }, at)
				var wg sync.WaitGroup
				var sx, sy []wire.Status
				var ex, ey error
				wg.Add(2)
				go func() { defer wg.Done(); sx, ex = s1.AddBallots(ctx, x, nil, t0) }()
				go func() { defer wg.Done(); sy, ey = s2.AddBallots(ctx, y, nil, t0) }()
				wg.Wait()
				if ex != nil || ey != nil {
					t.Fatal(ex, ey)
				}
				bx, _ := s1.Ballot(ctx, x[0].ID)
				by, _ := s1.Ballot(ctx, y[0].ID)
				if bx.Counted == by.Counted {
					t.Fatalf("round %d: counted x=%v y=%v (answers %v %v)", round, bx.Counted, by.Counted, sx, sy)
				}
				// The rule is deterministic: the smaller id wins the tie.
				if bx.Counted != (x[0].ID < y[0].ID) {
					t.Fatalf("round %d: the tie was not broken by id", round)
				}
			}
			if _, counted, _ := s1.Counts(ctx); counted != 30 {
				t.Fatalf("%d voters counted, want 30", counted)
			}
		})
	}
}

func TestConformanceSessions(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		now := time.Now()
		a, b := []byte("hash-of-token-a"), []byte("hash-of-token-b")
		if err := s.PutSession(ctx, a, "anna", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.PutSession(ctx, b, "bartek", now.Add(-time.Second)) // already over
		if u, err := s.Session(ctx, a, now); err != nil || u != "anna" {
			t.Fatalf("session a = %q %v", u, err)
		}
		if _, err := s.Session(ctx, b, now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if _, err := s.Session(ctx, a, now.Add(2*time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session after it expired: %v", err)
		}
		if err := s.DeleteSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, a, now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session after sign-out: %v", err)
		}
	})
}

// TestConformanceLimits: both stores keep token buckets (limit.Backend)
// and forget the ones full again.
func TestConformanceLimits(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		b := s.(limit.Backend)
		rule := limit.Rule{Rate: 0.5, Burst: 3}
		take := func(key string, cost float64, at time.Time) bool {
			t.Helper()
			ok, err := b.TakeToken(ctx, key, rule, cost, at)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for i := range 3 {
			if !take("login-user:anna", 1, t0) {
				t.Fatalf("token %d of 3 refused", i+1)
			}
		}
		if take("login-user:anna", 1, t0) || take("login-user:anna", 0, t0.Add(time.Second)) {
			t.Fatal("an empty bucket gave a token")
		}
		if !take("login-user:bartek", 1, t0) {
			t.Fatal("another key is limited by the first")
		}
		if !take("login-user:anna", 0, t0.Add(2*time.Second)) || !take("login-user:anna", 1, t0.Add(2*time.Second)) || take("login-user:anna", 1, t0.Add(2*time.Second)) {
			t.Fatal("two seconds at 0.5/s refill one token")
		}
		for i := range 50 {
			take(fmt.Sprintf("check:10.0.0.%d", i), 1, t0)
		}
		type keyCounter interface {
			LimitKeys(context.Context) (int, error)
		}
		// bartek's bucket was full again after 2 s, and forgotten
		if n, _ := s.(keyCounter).LimitKeys(ctx); n != 51 {
			t.Fatalf("%d keys, want 51", n)
		}
		later := t0.Add(time.Hour)
		take("check:192.0.2.1", 1, later)
		take("check:192.0.2.1", 1, later)
		if n, _ := s.(keyCounter).LimitKeys(ctx); n != 1 {
			t.Fatalf("%d keys kept an hour later, want 1", n)
		}
		if _, err := b.TakeToken(ctx, "x", limit.Rule{}, 1, t0); err == nil {
			t.Fatal("a rule without a rate accepted")
		}
	})
}

// The office sets a kiosk's ballots aside without revoking it: none of
// them counts, each voter's other ballot counts instead; released, they
// count again by the earliest rule.
func TestConformanceSetAside(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, k := range []string{"X", "Y"} {
			s.AddKiosk(ctx, Kiosk{ID: k, Venue: "v", PublicKey: []byte("pk"), Enrolled: t0})
		}
		x := chainOfBallots("X", 3, func(i int) string { return fmt.Sprint("v", i+1) }, func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) })
		y := chainOfBallots("Y", 2, func(i int) string { return fmt.Sprint("v", i+2) }, func(i int) time.Time { return t0.Add(time.Hour + time.Duration(i)*time.Minute) })
		s.AddBallots(ctx, x[:2], nil, t0.Add(time.Minute))
		s.AddBallots(ctx, y, nil, t0.Add(2*time.Hour))
		counted := func() map[string]bool {
			out := map[string]bool{}
			s.Ballots(ctx, func(st Stored) error {
				if st.Counted {
					out[st.Ballot.ID] = true
				}
				return nil
			})
			return out
		}
		if c := counted(); !c[x[0].ID] || !c[x[1].ID] || c[y[0].ID] || !c[y[1].ID] {
			t.Fatalf("before: %v", c)
		}
		if err := s.SetAside(ctx, "X", true, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if k, _ := s.Kiosk(ctx, "X"); !k.SetAside.Equal(t0.Add(3 * time.Hour)) {
			t.Fatalf("kiosk %+v", k)
		}
		if st, _ := s.AddBallots(ctx, x[2:], []Hold{HoldSetAside}, t0.Add(4*time.Hour)); st[0] != wire.Contested {
			t.Fatalf("ballot of a set-aside kiosk: %v", st)
		}
		if c := counted(); len(c) != 2 || !c[y[0].ID] || !c[y[1].ID] {
			t.Fatalf("set aside: %v", c)
		}
		if st, _ := s.Ballot(ctx, x[0].ID); st.Hold != HoldSetAside || st.Counted {
			t.Fatalf("held ballot %+v", st)
		}
		if _, n, _ := s.Counts(ctx); n != 2 {
			t.Fatalf("%d counted while set aside", n)
		}
		if err := s.SetAside(ctx, "X", false, t0.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// x[2] came while aside, dated before voter 3's counted ballot and
		// never committed: it stays contested after the release
		if c := counted(); len(c) != 3 || !c[x[0].ID] || !c[x[1].ID] || !c[y[1].ID] {
			t.Fatalf("released: %v", c)
		}
		if st, _ := s.Ballot(ctx, x[2].ID); st.Hold != HoldContested {
			t.Fatalf("x[2] after the release: %+v", st)
		}
		if err := s.SetAside(ctx, "nobody", true, t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown kiosk: %v", err)
		}
		ts, err := s.CastTimes(ctx, "X")
		if err != nil || len(ts) != 3 || !ts[0].Equal(t0) || !ts[2].Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("cast times %v %v", ts, err)
		}
	})
}
