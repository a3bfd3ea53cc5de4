package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/pabulib"
)

func TestReplayCommand(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "testdata", "pabulib", "Poland_Krakow_2024_Bienczyce.pb")
	if _, err := os.Stat(path); err != nil {
		needs.Missing(t, "real Pabulib files (from pabulib.org) are expected in ../shared/testdata/pabulib/")
	}
	raw, _ := os.ReadFile(path)
	f, _ := pabulib.Read(bytes.NewReader(raw))
	var want []string
	for _, p := range f.Projects {
		if p.Selected == 1 {
			want = append(want, p.ID)
		}
	}
	text, err := capture(t, func() error { return cmdReplay([]string{path, "--format", "json"}) })
	if err != nil {
		t.Fatal(err)
	}
	var out replayed
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(out.Winners))
	slices.Sort(want)
	if !slices.Equal(got, want) || len(out.Projects) != len(f.Projects) || len(out.ScoreChecks) != 0 {
		t.Fatalf("winners %v, official %v; %d projects; mismatches %v", got, want, len(out.Projects), out.ScoreChecks)
	}
	if err := cmdReplay([]string{path, "--rule", "borda"}); err == nil {
		t.Fatal("unknown rule accepted")
	}
	if err := cmdReplay([]string{"/nonexistent.pb"}); err == nil {
		t.Fatal("missing file accepted")
	}
}

// capture runs f with standard output captured.
func capture(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	read := make(chan string)
	go func() { // read as it comes: a full pipe would block f
		var b bytes.Buffer
		b.ReadFrom(r)
		read <- b.String()
	}()
	err := f()
	w.Close()
	os.Stdout = old
	return <-read, err
}

func TestKioskCommand(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.AddKiosk(context.Background(), store.Kiosk{ID: "k-0a1b2c3d4e5f", Venue: "nck", PublicKey: []byte("pk"), Enrolled: time.Now()})
	st.Close()

	out, err := capture(t, func() error { return cmdKiosk([]string{"list", "--data", dir}) })
	if err != nil || !strings.Contains(out, "k-0a1b2c3d4e5f") || !strings.Contains(out, "enrolled") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = capture(t, func() error { return cmdKiosk([]string{"revoke", "--data", dir, "k-0a1b2c3d4e5f"}) })
	if err != nil || !strings.Contains(out, "revoked at") {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	out, _ = capture(t, func() error { return cmdKiosk([]string{"list", "--data", dir}) })
	if !strings.Contains(out, "revoked 20") {
		t.Fatalf("list after revoking:\n%s", out)
	}
	if err := cmdKiosk([]string{"revoke", "--data", dir, "k-nobody"}); err == nil || !strings.Contains(err.Error(), "kiosk list") {
		t.Fatalf("revoking an unknown kiosk: %v", err)
	}
	for _, args := range [][]string{nil, {"revoke", "--data", dir}, {"list", "--data", dir, "extra"}, {"drop"}} {
		if err := cmdKiosk(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestManualPage: the manual page describes every command.
func TestManualPage(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", "packaging", "man", "urna-central.1"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.Contains(string(page), ".B "+name) && !strings.Contains(string(page), ".BI \""+name) {
			t.Errorf("urna-central.1 does not describe %q", name)
		}
	}
}

// TestReplayReportsTies replays the small tie case: the file's order
// decides (the official outcome), replay names the tie and its projects,
// and --tie more-voters shows the other outcome.
func TestReplayReportsTies(t *testing.T) {
	path := filepath.Join("..", "..", "sync", "pabulib", "testdata", "tie.pb")
	run := func(args ...string) replayed {
		t.Helper()
		text, err := capture(t, func() error { return cmdReplay(append([]string{path}, args...)) })
		if err != nil {
			t.Fatal(err)
		}
		var out replayed
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := run()
	if !slices.Equal(out.Winners, []string{"T.1/24", "T.4/24", "T.2/24"}) || out.TieRule != "catalog-order" {
		t.Fatalf("winners %v by %s", out.Winners, out.TieRule)
	}
	if len(out.Ties) != 1 || out.Ties[0].Left != 400 || len(out.Ties[0].Projects) != 2 ||
		out.Ties[0].Projects[0].ID != "T.2/24" || out.Ties[0].Projects[1].Score != 7 || out.Ties[0].Projects[1].Funded {
		t.Fatalf("ties %+v", out.Ties)
	}
	if byVoters := run("--tie", "more-voters"); !slices.Contains(byVoters.Winners, "T.3/24") || byVoters.Ties[0].By != "more-voters" {
		t.Fatalf("by voters %+v", byVoters)
	}
	text, err := capture(t, func() error { return cmdReplay([]string{path, "--format", "csv"}) })
	if err != nil || !strings.Contains(text, "T.3/24,4,7,400,false,1:catalog-order") {
		t.Fatalf("csv: %v\n%s", err, text)
	}
	if err := cmdReplay([]string{path, "--tie", "age"}); err == nil {
		t.Fatal("unknown tie rule accepted")
	}
}
