package store_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/powercut"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

const powercutEnv = "URNA_CENTRAL_POWERCUT_CHILD"

// The child is started through init, before the package's TestMain.
func init() {
	if dir := os.Getenv(powercutEnv); dir != "" {
		powercutChild(dir)
		os.Exit(0)
	}
}

// powercutChild sets up a central's folder on the power-cut file system
// (keys, certificate, draft edition, bbolt store), checks every file and
// every acknowledged ballot, then ingests batches of ballots, acknowledging
// each accepted one once AddBallots has answered.
func powercutChild(mnt string) {
	fail := func(what string, err any) {
		fmt.Printf("fail %s: %v\n", what, err)
		os.Exit(3)
	}
	ctx := context.Background()
	dir := filepath.Join(mnt, "central")
	if err := central.Init(dir); err != nil && !errors.Is(err, central.ErrExists) {
		fail("init", err)
	}
	if _, err := central.LoadKeys(dir); err != nil {
		fail("keys", err)
	}
	if _, _, err := central.SelfSignedCert(dir, nil); err != nil {
		fail("certificate", err)
	}
	if raw, err := os.ReadFile(filepath.Join(dir, central.FileDraft)); err == nil {
		if _, err := election.DecodeEdition(bytes.NewReader(raw)); err != nil {
			fail("draft edition", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		fail("draft edition", err)
	}
	if os.Getenv("URNA_POWERCUT_VERIFY") == "" {
		// each round rewrites the draft edition (before the store opens,
		// as catalog import comes before serve): a replaced file must
		// never be half-written
		if _, err := central.ImportCatalog(dir, os.Getenv("URNA_POWERCUT_EDITION")); err != nil {
			os.Exit(4)
		}
	}
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		fail("open", err)
	}
	defer st.Close()
	if raw, err := os.ReadFile(os.Getenv("URNA_POWERCUT_ACKED")); err == nil {
		for _, id := range strings.Fields(string(raw)) {
			if _, err := st.Ballot(ctx, id); err != nil {
				fail("lost", fmt.Sprintf("acknowledged ballot %s: %v", id, err))
			}
		}
	}
	fmt.Println("ok")
	if os.Getenv("URNA_POWERCUT_VERIFY") != "" {
		return
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	if _, err := st.Kiosk(ctx, "k1"); errors.Is(err, store.ErrNotFound) {
		if err := st.AddKiosk(ctx, store.Kiosk{ID: "k1", Venue: "v1", PublicKey: key.Public().(ed25519.PublicKey), Enrolled: time.Now()}); err != nil {
			os.Exit(4)
		}
	}
	ch, err := st.Chain(ctx, "k1")
	if err != nil {
		os.Exit(4)
	}
	seq := ch.MaxSeq
	out := bufio.NewWriter(os.Stdout)
	for range 10 {
		var bs []wire.SealedBallot
		for range 5 {
			seq++
			b := wire.SealedBallot{Kiosk: "k1", Seq: seq, CastAt: time.Now().UTC(), Edition: "e", Catalog: 1, District: "d1"}
			rand.Read(b.VoterKey[:])
			b.Seal(key)
			bs = append(bs, b)
		}
		answers, err := st.AddBallots(ctx, bs, nil, time.Now())
		if err != nil {
			os.Exit(4) // the power is off
		}
		for i, a := range answers {
			if a == wire.Accepted {
				fmt.Fprintln(out, "ack", bs[i].ID)
			}
		}
		out.Flush()
	}
}

// TestBoltPowerCut cuts the power under a central (bbolt store, keys,
// certificate, draft edition) at a spread of points, on a file system that
// drops every write not fsync'd and every name whose folder was not
// fsync'd: every acknowledged ballot survives, the store opens, and no key,
// certificate or draft is left empty or half-written.
func TestBoltPowerCut(t *testing.T) {
	edition := filepath.Join(t.TempDir(), "edition.json")
	if err := os.WriteFile(edition, assets.DemoEdition(), 0o600); err != nil {
		t.Fatal(err)
	}
	res := powercut.Scenario{Cuts: 100, Step: 9, Child: func(mnt string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), powercutEnv+"="+mnt, "URNA_POWERCUT_EDITION="+edition)
		return cmd
	}}.Run(t)
	if res.Acked < 100 {
		t.Fatalf("%d acknowledged ballots: the test did not exercise ingest", res.Acked)
	}
	t.Logf("%d power cuts (up to %d operations a round), %d acknowledged ballots all kept, %v", res.Cuts, res.MaxOps, res.Acked, res.Took.Round(time.Millisecond))
}
