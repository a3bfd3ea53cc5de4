package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestSalvageCommand: a central.db with damaged branch pages is refused by
// every command; urna-central salvage --replace puts a store with all its
// ballots in its place, each verified and counted again.
func TestSalvageCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := central.Init(data); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(data, "central.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := central.LoadKeys(data)
	if err != nil {
		t.Fatal(err)
	}
	cat := wire.Catalog{Version: 1, Edition: []byte(`{"id":"e"}`)}
	cat.Sign(keys.Edition)
	st.PutCatalog(ctx, cat)
	pub, key, _ := ed25519.GenerateKey(nil)
	st.AddKiosk(ctx, store.Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: time.Now()})
	var bs []wire.SealedBallot
	for i := range 300 {
		b := wire.SealedBallot{Kiosk: "k1", Seq: uint64(i + 1), CastAt: time.Now().UTC(), Edition: "e", Catalog: 1, District: "d1",
			VoterKey: election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByCode, Value: fmt.Sprint(i)})}
		b.Seal(key)
		bs = append(bs, b)
	}
	for i := 0; i < len(bs); i += 100 {
		if _, err := st.AddBallots(ctx, bs[i:i+100], nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	flag, n := make([]byte, 1), 0
	for p := int64(2); p < 256; p++ {
		f.ReadAt(flag, p*4096+8)
		if flag[0] == 0x01 { // a branch page
			f.WriteAt([]byte{0x07}, p*4096+8)
			n++
		}
	}
	f.Close()
	if n == 0 {
		t.Fatal("no branch page to damage")
	}
	c := common{data: data}
	if _, err := c.open(ctx); !errors.Is(err, boltfile.ErrDamaged) {
		t.Fatalf("the damaged store: %v", err)
	}
	if err := cmdSalvage([]string{"--data", data, "--replace"}); err != nil {
		t.Fatal(err)
	}
	c = common{data: data}
	s, err := c.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if total, counted, _ := s.Counts(ctx); total != 300 || counted != 300 {
		t.Fatalf("after salvage: %d stored, %d counted", total, counted)
	}
}

// salvageStore makes a data folder with keys, a published catalog, one
// kiosk and its 3 ballots (its last heartbeat says 3), and returns the
// folder and the ballots.
func salvageStore(t *testing.T) (string, []wire.SealedBallot) {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	if err := central.Init(data); err != nil {
		t.Fatal(err)
	}
	keys, err := central.LoadKeys(data)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenBolt(filepath.Join(data, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := wire.Catalog{Version: 1, Edition: []byte(`{"id":"e"}`)}
	c.Sign(keys.Edition)
	if err := st.PutCatalog(ctx, c); err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(nil)
	st.AddKiosk(ctx, store.Kiosk{ID: "k1", Venue: "v1", PublicKey: pub, Enrolled: time.Now()})
	var bs []wire.SealedBallot
	prev := ""
	for i := range 3 {
		b := wire.SealedBallot{Kiosk: "k1", Seq: uint64(i + 1), Prev: prev, CastAt: time.Now().UTC(), Edition: "e", Catalog: 1, District: "d1",
			VoterKey: election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByCode, Value: fmt.Sprint(i)})}
		b.Seal(key)
		bs, prev = append(bs, b), b.ID
	}
	if _, err := st.AddBallots(ctx, bs, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.RecordHeartbeat(ctx, "k1", wire.Heartbeat{LastSeq: 3}, time.Now())
	return data, bs
}

// TestSalvageCommandSaysWhatIsLost: salvage names what it could not
// recover and exits non-zero: the numbers of ballots on a damaged page
// (which the store refuses at open), and a catalog it could not find
// ("catalog lost: run catalog publish"); a catalog whose tree is lost
// (both meta pages damaged) is found on its page.
func TestSalvageCommandSaysWhatIsLost(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(t *testing.T, b []byte, bs []wire.SealedBallot) []byte
		key  string // of the command's error, "" for none
	}{
		"ballot page flipped": {func(t *testing.T, b []byte, bs []wire.SealedBallot) []byte {
			i := strings.Index(string(b), bs[0].ID+`","kiosk"`)
			if i < 0 {
				t.Fatal("ballot 1 not found")
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for range 40 {
				b[i/4096*4096+64+rng.IntN(4096-64)] ^= byte(1 + rng.IntN(255))
			}
			return b
		}, "salvage.ballots_lost"},
		"both meta pages damaged": {func(t *testing.T, b []byte, _ []wire.SealedBallot) []byte {
			for i := 16; i < 80; i++ {
				b[i], b[4096+i] = 0xff, 0xff
			}
			return b
		}, ""},
		"catalog page gone": {func(t *testing.T, b []byte, _ []wire.SealedBallot) []byte {
			n := 0
			for p := 0; p+4096 <= len(b); p += 4096 {
				if strings.Contains(string(b[p:p+4096]), `"edition":"eyJpZCI6ImUifQ=="`) {
					clear(b[p : p+4096])
					n++
				}
			}
			if n == 0 {
				t.Fatal("catalog not found")
			}
			return b
		}, "salvage.catalog_lost"},
	} {
		t.Run(name, func(t *testing.T) {
			data, bs := salvageStore(t)
			path := filepath.Join(data, "central.db")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, tc.edit(t, raw, bs), 0o600)
			c := common{data: data}
			if _, err := c.open(context.Background()); !errors.Is(err, boltfile.ErrDamaged) {
				t.Fatalf("the damaged store opened: %v", err)
			}
			err = cmdSalvage([]string{"--data", data})
			var s *said
			switch {
			case tc.key == "" && err != nil:
				t.Fatalf("salvage: %v", err)
			case tc.key != "" && (!errors.As(err, &s) || s.key != tc.key):
				t.Fatalf("salvage: %v, want %s", err, tc.key)
			}
			st, err := store.OpenBolt(path + ".salvaged")
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Catalog(context.Background()); (err == nil) != (tc.key != "salvage.catalog_lost") {
				t.Fatalf("catalog in the new store: %v", err)
			}
		})
	}
}
