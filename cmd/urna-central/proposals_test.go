package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestProposalsCommand: list and export read the store; build writes the
// draft edition with the projects numbered from what passed, once.
func TestProposalsCommand(t *testing.T) {
	dir := t.TempDir()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	ed.Projects = []election.Project{}
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, ed); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, central.FileDraft), b.Bytes(), 0o644)
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 2, 20, 12, 0, 0, 0, time.UTC)
	for i, p := range []civic.Proposal{
		{ID: "W-A", Pool: "d01", Title: "Ławki", Summary: "Ławki na bulwarach.", Cost: 50_000_00, Status: civic.Accepted},
		{ID: "W-B", Pool: "d01", Title: "Drzewa", Summary: "Drzewa przy ulicy.", Cost: 80_000_00, Status: civic.Rejected},
		{ID: "W-C", Pool: "city", Title: "Rowery", Summary: "Stacje rowerowe.", Cost: 900_000_00, Status: civic.Restored},
	} {
		p.Edition, p.Lang = ed.ID, "pl"
		p.History = []civic.Event{{At: at.Add(time.Duration(i) * time.Minute), Kind: civic.EvSubmit, Actor: "applicant"}}
		if err := st.AddProposal(context.Background(), store.ProposalRecord{Proposal: p, Tracker: "T" + p.ID, SecretHash: []byte("h")}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	base := []string{"--data", dir}
	out, err := capture(t, func() error { return cmdProposals(append([]string{"list"}, base...)) })
	if err != nil || strings.Count(out, "\n") != 3 || !strings.Contains(out, "W-B\td01\trejected") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = capture(t, func() error { return cmdProposals(append([]string{"export", "--format", "json"}, base...)) })
	var open []proposals.Open
	if err != nil || json.Unmarshal([]byte(out), &open) != nil || len(open) != 3 {
		t.Fatalf("export: %v\n%s", err, out)
	}
	// a district's verification results, to print
	pdf := filepath.Join(t.TempDir(), "d01.pdf")
	if _, err := capture(t, func() error {
		return cmdProposals(append([]string{"results", "--pool", "d01", "--lang", "pl", "--out", pdf}, base...))
	}); err != nil {
		t.Fatalf("results: %v", err)
	}
	if text, err := exec.Command(needs.Tool(t, "pdftotext", "poppler-utils"), pdf, "-").Output(); err != nil ||
		!strings.Contains(string(text), "Dzielnica I Stare Miasto") || !strings.Contains(string(text), "W-B") || strings.Contains(string(text), "W-C") {
		t.Fatalf("results PDF: %v\n%s", err, text)
	}
	if _, err := capture(t, func() error { return cmdProposals(append([]string{"results", "--pool", "d99", "--out", pdf}, base...)) }); err == nil {
		t.Fatal("results of an unknown pool")
	}
	if out, err = capture(t, func() error { return cmdProposals(append([]string{"build"}, base...)) }); err != nil || !strings.Contains(out, "2 projects") {
		t.Fatalf("build: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, central.FileDraft))
	draft, err := election.DecodeEdition(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(draft.Projects) != 2 || draft.Project("W-A").Number != "BO.D1.1/25" || draft.Project("W-C").Number != "BO.OM.1/25" || len(draft.Phases) == 0 {
		t.Fatalf("draft after build: %+v", draft.Projects)
	}
	if _, err := capture(t, func() error { return cmdProposals(append([]string{"build"}, base...)) }); err == nil || !strings.Contains(err.Error(), "already been built") {
		t.Fatalf("second build: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".edition-*")); len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}
