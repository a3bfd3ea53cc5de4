package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
