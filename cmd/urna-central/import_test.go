package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestImportBallotsSaysWhatHappened: ballots the store holds already are
// "already stored", not "accepted"; an empty file, a damaged line and a
// file none of whose ballots is stored end in a translated sentence and a
// non-zero exit, never silence or a Go error string.
func TestImportBallotsSaysWhatHappened(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := central.New(central.Config{Store: st})
	_, key, _ := ed25519.GenerateKey(nil)
	var bs []wire.SealedBallot
	for i := range 2 {
		b := wire.SealedBallot{Kiosk: "k1", Seq: uint64(i + 1), CastAt: time.Now().UTC(), Edition: "e", Catalog: 1, District: "d1",
			VoterKey: election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByCode, Value: fmt.Sprint(i)})}
		b.Seal(key)
		bs = append(bs, b)
	}
	if _, err := st.AddBallots(ctx, bs, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	file := func(lines ...string) string {
		p := filepath.Join(t.TempDir(), "ballots.jsonl")
		os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600)
		return p
	}
	line := func(b wire.SealedBallot) string { raw, _ := json.Marshal(b); return string(raw) }
	out, err := capture(t, func() error { return importBallots(ctx, st, srv, file(line(bs[0]), line(bs[1]))) })
	if err != nil || !strings.Contains(out, "already stored: 2") || strings.Contains(out, "accepted") {
		t.Fatalf("a second import: %q, %v", out, err)
	}
	other := bs[0]
	other.Kiosk = "nobody"
	other.Seal(key) // a new ID
	for name, tc := range map[string]struct {
		path, key string
	}{
		"empty":        {file(), "import.empty"},
		"damaged line": {file(line(bs[0]), `{"id":"x",`), "import.bad_line"},
		"none stored":  {file(line(other)), "import.none_stored"},
		"no such file": {filepath.Join(t.TempDir(), "nope.jsonl"), "import.no_file"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := capture(t, func() error { return importBallots(ctx, st, srv, tc.path) })
			var s *said
			if !errors.As(err, &s) || s.key != tc.key {
				t.Fatalf("import: %v, want %s", err, tc.key)
			}
		})
	}
}
