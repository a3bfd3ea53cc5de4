package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
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
	// Capture standard output.
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	err := cmdReplay([]string{path, "--format", "json"})
	w.Close()
	os.Stdout = old
	if err != nil {
		t.Fatal(err)
	}
	var out replayed
	if err := json.NewDecoder(r).Decode(&out); err != nil {
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
