package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
		if _, err := s.AddBallots(ctx, bs[i:i+50], t0); err != nil {
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
