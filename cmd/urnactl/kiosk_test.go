package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func TestEnrollExportImport(t *testing.T) {
	ctx := context.Background()
	cdir := t.TempDir()
	central.Init(cdir)
	keys, _ := central.LoadKeys(cdir)
	st, err := store.OpenBolt(filepath.Join(cdir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	var eb bytes.Buffer
	election.EncodeEdition(&eb, ed)
	if _, err := central.Publish(ctx, st, keys, eb.Bytes()); err != nil {
		t.Fatal(err)
	}
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret})
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	code, _ := central.NewEnrollCode(ctx, st, "nck", time.Hour, time.Now())

	data := t.TempDir()
	if err := cmdEnroll([]string{"--server", h.URL, "--code", code, "--data", data}); err != nil {
		t.Fatal(err)
	}
	if err := cmdEnroll([]string{"--server", "https://x.example", "--code", "c", "--data", data}); err == nil {
		t.Error("https without a pin accepted")
	}
	// Ten votes sync online; then the same ballots arrive again by USB.
	q, err := openQueue(data)
	if err != nil {
		t.Fatal(err)
	}
	en, _ := agent.LoadEnrollment(q)
	if agent.CatalogVersion(q) != 1 {
		t.Fatalf("catalog %d after enrolling", agent.CatalogVersion(q))
	}
	b := election.Ballot{Edition: ed.ID, District: "d18"}
	for _, pool := range []string{"city", "d18"} {
		ps := ed.ProjectsIn(pool)
		b.Selections = append(b.Selections, election.Selection{Pool: pool, Choices: []election.Choice{
			{Project: ps[0].ID, Points: 3}, {Project: ps[1].ID, Points: 2}, {Project: ps[2].ID, Points: 1}}})
	}
	for i := range 10 {
		if _, err := q.Append(b, election.NewVoterKey(en.VoterSecret, election.Identity{Kind: election.ByCode, Value: string(rune('A' + i))}), 1); err != nil {
			t.Fatal(err)
		}
	}
	a := agent.New(agent.Config{URL: h.URL, Queue: q, EditionKey: en.EditionKey, Batch: 5})
	if _, err := a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	q.Close()
	usb := filepath.Join(t.TempDir(), "ballots.jsonl")
	if err := cmdExportBallots([]string{"--data", data, "--out", usb}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(usb)
	if n := strings.Count(string(raw), "\n"); n != 10 {
		t.Fatalf("%d lines exported", n)
	}
	counts, err := srv.ImportBallots(ctx, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if counts[wire.Accepted] != 10 {
		t.Fatalf("import: %v", counts)
	}
	total, counted, _ := st.Counts(ctx)
	if total != 10 || counted != 10 {
		t.Fatalf("central %d/%d after USB import on top of online sync", total, counted)
	}
	// twice is the same as once
	srv.ImportBallots(ctx, bytes.NewReader(raw))
	if total, _, _ := st.Counts(ctx); total != 10 {
		t.Fatalf("second import: %d", total)
	}
	if err := cmdStatus([]string{"--data", data, "--json"}); err != nil {
		t.Fatal(err)
	}
	if err := cmdPINHash([]string{"2468"}); err != nil {
		t.Fatal(err)
	}
}
