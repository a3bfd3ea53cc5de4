package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// signedChain makes n chained ballots of one kiosk with the kiosk's key.
func signedChain(kiosk string, n int) ([]wire.SealedBallot, ed25519.PublicKey) {
	pub, key, _ := ed25519.GenerateKey(nil)
	var out []wire.SealedBallot
	prev := ""
	for i := range n {
		b := wire.SealedBallot{Kiosk: kiosk, Seq: uint64(i + 1), Prev: prev, CastAt: t0.Add(time.Duration(i) * time.Second), Edition: "e", Catalog: 1,
			District: "d1", VoterKey: election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByPESEL, Value: fmt.Sprint(kiosk, i)})}
		b.Seal(key)
		out = append(out, b)
		prev = b.ID
	}
	return out, pub
}

// boltWith200 makes a central store with one kiosk and its 200 ballots.
func boltWith200(t *testing.T) (string, []wire.SealedBallot) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	bs, pub := signedChain("k1", 200)
	if err := s.AddKiosk(ctx, Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: t0}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(bs); i += 50 {
		if _, err := s.AddBallots(ctx, bs[i:i+50], nil, t0); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	return path, bs
}

// copyStore copies the first n bytes of a store (the pages in use; bbolt
// grows files in zero-filled steps) with its marker, after edit.
func copyStore(t *testing.T, path string, n int, edit func([]byte) []byte) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "central.db")
	os.WriteFile(to, edit(raw[:min(n, len(raw))]), 0o600)
	marker, _ := os.ReadFile(path + boltfile.MarkerSuffix)
	os.WriteFile(to+boltfile.MarkerSuffix, marker, 0o600)
	return to
}

// TestBoltDamagedStoreNamed: a 0-byte, missing, truncated or flipped-byte
// central.db is refused with a damaged-store error, never served as a new,
// empty store and never a crash (SIGBUS, a panic inside bbolt).
func TestBoltDamagedStoreNamed(t *testing.T) {
	path, _ := boltWith200(t)
	if _, err := os.Stat(path + boltfile.MarkerSuffix); err != nil {
		t.Fatalf("no marker beside the store: %v", err)
	}
	const used = 1 << 20
	cases := map[string]func([]byte) []byte{
		"empty":     func([]byte) []byte { return nil },
		"truncated": func(b []byte) []byte { return b[:5*4096] },
	}
	for page := 2; page < 40; page += 3 {
		cases[fmt.Sprintf("flipped page %02d", page)] = func(b []byte) []byte {
			b[page*4096+8] ^= 0x07
			b[page*4096+900] ^= 0xff
			return b
		}
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := OpenBolt(copyStore(t, path, used, edit))
			if err == nil {
				defer s.Close()
				total, _, _ := s.Counts(context.Background())
				if total != 200 || !strings.HasPrefix(name, "flipped") {
					t.Fatalf("a damaged store opened with %d ballots", total)
				}
				return
			}
			var damaged *boltfile.DamagedError
			if !errors.As(err, &damaged) || damaged.Key == "" {
				t.Fatalf("open: %v, want a damaged store", err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		p := copyStore(t, path, used, func(b []byte) []byte { return b })
		os.Remove(p)
		if _, err := OpenBolt(p); !errors.Is(err, boltfile.ErrDamaged) {
			t.Fatalf("open: %v, want a damaged store", err)
		}
	})
}

// TestSalvageBolt copies what can be read and verified from damaged copies
// of a central store into a new one and reports what was lost.
func TestSalvageBolt(t *testing.T) {
	ctx := context.Background()
	path, bs := boltWith200(t)
	edPub, edKey, _ := ed25519.GenerateKey(nil)
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	c := wire.Catalog{Version: 1, Edition: []byte(`{"id":"e"}`)}
	c.Sign(edKey)
	s.PutCatalog(ctx, c)
	s.RevokeKiosk(ctx, "k1", t0.Add(time.Hour))
	s.Close()
	raw, _ := os.ReadFile(path)
	pages := len(raw) / 4096
	for name, tc := range map[string]struct {
		edit    func([]byte) []byte
		ballots int // -1: some, not all
	}{
		"branch pages damaged": {func(b []byte) []byte {
			n := 0
			for p := 2; p < min(pages, 256); p++ {
				if b[p*4096+8] == 0x01 {
					b[p*4096+8], n = 0x07, n+1
				}
			}
			if n == 0 {
				t.Fatal("no branch page")
			}
			return b
		}, 200},
		"one ballot edited": {func(b []byte) []byte {
			i := strings.Index(string(b), bs[17].ID+`","kiosk"`)
			if i < 0 {
				t.Fatal("ballot 18 not found")
			}
			j := strings.Index(string(b[i:]), `"district":"d1"`)
			b[i+j+13] = '2'
			return b
		}, 199},
		// cut short after the first page with a copy of the kiosk's record
		// (bbolt keeps the newest pages, the tree's top, at the end): the
		// ballots are verified with the older copy
		"truncated": {func(b []byte) []byte {
			i := strings.Index(string(b), `"publicKey"`)
			return b[:(i/4096+1)*4096]
		}, -1},
	} {
		t.Run(name, func(t *testing.T) {
			from := copyStore(t, path, 1<<20, tc.edit)
			if _, err := OpenBolt(from); !errors.Is(err, boltfile.ErrDamaged) && name != "one ballot edited" {
				t.Fatalf("the damaged copy: %v", err)
			}
			to := filepath.Join(t.TempDir(), "central.db")
			rep, err := SalvageBolt(ctx, from, to, edPub)
			if err != nil {
				t.Fatal(err)
			}
			ch := rep.Chains["k1"]
			switch {
			case tc.ballots >= 0 && rep.Ballots != tc.ballots:
				t.Fatalf("%d ballots salvaged, want %d: %+v", rep.Ballots, tc.ballots, rep)
			case tc.ballots < 0 && rep.Ballots == 0:
				t.Fatalf("%d ballots salvaged from a file cut short: %+v", rep.Ballots, rep)
			case rep.Kiosks != 1 && name != "truncated":
				t.Fatalf("kiosks: %+v", rep)
			}
			if rep.Kiosks == 1 && (ch.Count != rep.Ballots || (rep.Ballots < 200 && len(ch.Gaps) == 0 && ch.MaxSeq == 200)) {
				t.Fatalf("the chain does not show what was lost: %+v", ch)
			}
			if name == "one ballot edited" && (rep.Unverifiable != 1 || len(ch.Gaps) != 1 || ch.Gaps[0] != (Gap{From: 18, To: 18})) {
				t.Fatalf("edited ballot: %+v, chain %+v", rep, ch)
			}
			n, err := OpenBolt(to)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			if k, _ := n.Kiosk(ctx, "k1"); k.Revoked.IsZero() && len(rep.KiosksFromOldPages) == 0 {
				t.Fatal("the revocation was lost and the report does not say the record is old")
			}
			if total, counted, _ := n.Counts(ctx); total != rep.Ballots || counted != rep.Ballots {
				t.Fatalf("salvaged store counts %d/%d, report %d", total, counted, rep.Ballots)
			}
			if name == "branch pages damaged" && rep.Catalogs != 1 {
				t.Fatalf("catalogs: %+v", rep)
			}
		})
	}
}

// TestSalvageBoltReportsLostNumbers: 40 bytes flipped inside the page that
// holds a kiosk's 3 ballots. The store is refused at open (its tally index
// is intact, so it would count them), and salvage names every number it
// could not recover, known from the ballot records' keys and the kiosk's
// last heartbeat, rather than report nothing lost.
func TestSalvageBoltReportsLostNumbers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	bs, pub := signedChain("k1", 3)
	s.AddKiosk(ctx, Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: t0})
	if _, err := s.AddBallots(ctx, bs, nil, t0); err != nil {
		t.Fatal(err)
	}
	s.RecordHeartbeat(ctx, "k1", wire.Heartbeat{LastSeq: 3}, t0)
	s.Close()
	from := copyStore(t, path, 1<<20, func(b []byte) []byte {
		i := strings.Index(string(b), bs[0].ID+`","kiosk"`)
		if i < 0 {
			t.Fatal("ballot 1 not found")
		}
		page := i / 4096 * 4096
		rng := rand.New(rand.NewPCG(1, 2))
		for range 40 {
			b[page+64+rng.IntN(4096-64)] ^= byte(1 + rng.IntN(255))
		}
		return b
	})
	if st, err := OpenBolt(from); !errors.Is(err, boltfile.ErrDamaged) {
		if err == nil {
			st.Close()
		}
		t.Fatalf("the damaged store opened: %v", err)
	}
	rep, err := SalvageBolt(ctx, from, filepath.Join(t.TempDir(), "central.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := uint64(rep.Ballots) + rep.LostCount(); got != 3 || rep.LostCount() == 0 {
		t.Fatalf("%d ballots recovered, lost %v: every number 1-3 must be one or the other", rep.Ballots, rep.Lost)
	}
}

// TestBoltBallotsDamagedRecord: a ballot record that reads as JSON but not
// as a ballot (a cast time that is no time) fails an export with the
// damaged-store error staff read translated, not a Go parsing error.
func TestBoltBallotsDamagedRecord(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	bs, pub := signedChain("k1", 3)
	s.AddKiosk(ctx, Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: t0})
	s.AddBallots(ctx, bs, nil, t0)
	s.Close()
	from := copyStore(t, path, 1<<20, func(b []byte) []byte {
		return []byte(strings.ReplaceAll(string(b), `"castAt":"2025-06-03T10:00:0`, `"castAt":"2025-06-03T10:00:x`))
	})
	st, err := OpenBolt(from)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Ballots(ctx, func(Stored) error { return nil })
	var damaged *boltfile.DamagedError
	if !errors.As(err, &damaged) || damaged.Key != boltfile.KeyDamaged {
		t.Fatalf("export of a damaged record: %v", err)
	}
}

// Attack 13.6: salvage named numbers the old store never held (a gap in
// the kiosk's chain, ballots still pending at the kiosk after its last
// heartbeat) as "could not be recovered". It now names only numbers the
// old store held.
func TestSalvageLostOnlyWhatWasHeld(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	bs, pub := signedChain("k1", 6)
	s.AddKiosk(ctx, Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: t0})
	// numbers 3 and 4 never arrived; the kiosk says it holds up to 9
	if _, err := s.AddBallots(ctx, []wire.SealedBallot{bs[0], bs[1], bs[4], bs[5]}, nil, t0); err != nil {
		t.Fatal(err)
	}
	s.RecordHeartbeat(ctx, "k1", wire.Heartbeat{LastSeq: 9}, t0)
	s.Close()
	rep, err := SalvageBolt(ctx, copyStore(t, path, 1<<20, func(b []byte) []byte { return b }), filepath.Join(t.TempDir(), "central.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ballots != 4 || rep.LostCount() != 0 {
		t.Fatalf("an undamaged store: %d ballots, lost %v; want 4 and none", rep.Ballots, rep.Lost)
	}
	if got := lostRanges(Chain{Count: 1, MaxSeq: 5, Gaps: []Gap{{2, 3}}}, []uint64{7, 1, 2, 3, 5, 6, 2}); !slices.Equal(got, []SeqRange{{2, 3}, {6, 7}}) {
		t.Fatalf("lostRanges: %v", got)
	}
}
