package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestTrackingCommands: the city's tracking sheet is imported from the
// command line (a sheet with a wrong row is refused, translated, and saves
// nothing), and what the winning projects became is signed with the
// edition key for the kiosks (main had neither).
func TestTrackingCommands(t *testing.T) {
	data := t.TempDir()
	if err := central.Init(data); err != nil {
		t.Fatal(err)
	}
	path, _, _ := openDataStore(t)
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := central.Implementation(context.Background(), st)
	st.Close()
	if err != nil || len(recs) == 0 {
		t.Fatalf("winners: %d %v", len(recs), err)
	}
	var number string
	for _, im := range recs {
		number = im.Number
		break
	}
	db := []string{"--data", data, "--db", "bolt:" + path}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("number;stage;date\n"+number+";w realizacji;2025-10-01\nBO.NIE/25;przetarg;2025-10-02\n"), 0o644)
	if _, err := capture(t, func() error { return cmdTracking(append([]string{"import", bad}, db...)) }); err == nil || !strings.Contains(err.Error(), "Arkusza nie wczytano") {
		t.Fatalf("a sheet with a wrong row: %v", err)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("\xef\xbb\xbfnumber,unit,stage,date,note\n"+number+",ZZM,w realizacji,01.10.2025,Plac budowy przekazany\n"), 0o644)
	out, err := capture(t, func() error { return cmdTracking(append([]string{"import", good, "--lang", "en"}, db...)) })
	if err != nil || !strings.Contains(out, "The sheet was imported. New milestones: 1.") {
		t.Fatalf("import: %q %v", out, err)
	}
	file := filepath.Join(dir, "built.json")
	if _, err := capture(t, func() error { return cmdTracking(append([]string{"sign", "--out", file}, db...)) }); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	var s wire.SignedBuilt
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	keys, _ := central.LoadKeys(data)
	if err := s.Verify(keys.Edition.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s.Projects), `"stage":"in-progress"`) || !strings.Contains(string(s.Projects), "Plac budowy przekazany") {
		t.Fatalf("signed: %s", s.Projects)
	}
}
