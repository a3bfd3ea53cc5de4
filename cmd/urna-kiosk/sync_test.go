package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestLatestKeepsNewest: the agent never blocks on the UI, and the UI gets
// the newest catalog installed.
func TestLatestKeepsNewest(t *testing.T) {
	ch := make(chan []byte, 1)
	for _, v := range []string{"v1", "v2", "v3"} {
		latest(ch, []byte(v))
	}
	if got := string(<-ch); got != "v3" {
		t.Fatalf("got %s, want v3", got)
	}
	select {
	case v := <-ch:
		t.Fatalf("%s left behind", v)
	default:
	}
}

// TestDemoCentralSurvivesOldData: demo data left by an earlier version (a
// central store of another layout), or a demo central whose data was
// deleted, do not stop `make run`: the demo central starts afresh and the
// enrolled kiosk syncs with it.
func TestDemoCentralSurvivesOldData(t *testing.T) {
	dir := t.TempDir()
	q, err := queue.Open(filepath.Join(dir, "kiosk.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	central := filepath.Join(dir, "central")
	start := func() agent.Enrollment {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		en, err := demoCentral(ctx, central, "bk-podgorze", q, log, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := catalogEdition(ctx, newAgent(en, q, printer.NewMemory(&printer.Profiles[0]), dir, log, func([]byte) {}, func([]byte) {}), q, en, true, log); err != nil {
			t.Fatal(err)
		}
		return en
	}
	ed := assets.MustDemoEdition()
	voter := byte(0)
	sync := func(en agent.Enrollment) {
		t.Helper()
		// one ballot, 3-2-1 in the city pool and the venue's district
		district := ed.Venue("bk-podgorze").District
		b := election.Ballot{Edition: ed.ID, District: district}
		for _, pool := range []string{"city", district} {
			ps := ed.ProjectsIn(pool)
			b.Selections = append(b.Selections, election.Selection{Pool: pool, Choices: []election.Choice{
				{Project: ps[0].ID, Points: 3}, {Project: ps[1].ID, Points: 2}, {Project: ps[2].ID, Points: 1}}})
		}
		voter++
		if _, err := q.Append(b, election.VoterKey{voter}, 1); err != nil {
			t.Fatal(err)
		}
		a := newAgent(en, q, printer.NewMemory(&printer.Profiles[0]), dir, log, func([]byte) {}, func([]byte) {})
		if n, err := a.SyncOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("synced %d: %v", n, err)
		}
	}
	sync(start())
	// an old layout: the store is moved aside and the kiosk known again
	os.Remove(filepath.Join(central, "central.db"))
	db, err := bolt.Open(filepath.Join(central, "central.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("by-kiosk")); return err })
	db.Close()
	sync(start())
	if _, err := os.Stat(filepath.Join(central, "central.db.old-layout")); err != nil {
		t.Fatal("the old store was not kept aside")
	}
}

// TestDemoPhaseAtTheKiosk: `urna-kiosk --demo --demo-phase submission`
// shows the submission phase: the demo central signs a timeline with that
// phase in force today, the kiosk verifies and keeps it, and a proposal
// submitted through the kiosk API reaches the demo central's desk.
func TestDemoPhaseAtTheKiosk(t *testing.T) {
	dir := t.TempDir()
	q, err := queue.Open(filepath.Join(dir, "kiosk.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	en, err := demoCentral(ctx, filepath.Join(dir, "central"), "bk-podgorze", q, log, election.PhaseSubmission)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	a := newAgent(en, q, printer.NewMemory(&printer.Profiles[0]), dir, log, func([]byte) {}, func(ed []byte) { got = ed })
	if err := a.PullTimeline(ctx); err != nil || got == nil {
		t.Fatalf("timeline: %v", err)
	}
	tl, ok, err := agent.InstalledTimeline(q, en.EditionKey)
	if !ok || err != nil {
		t.Fatalf("timeline not kept: %v", err)
	}
	year, err := election.DecodeEdition(bytes.NewReader(tl.Edition))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := year.PhaseAt(time.Now()); p.Kind != election.PhaseSubmission || !year.Allows(election.ActSubmit, time.Now()) {
		t.Fatalf("the demo's phase today: %q", p.Kind)
	}
	rc, err := a.SubmitProposal(ctx, wire.ProposalSubmit{Draft: wire.ProposalDraft{Pool: "d13", Lang: "pl", Title: "Ławki",
		Summary: "Ławki nad Wisłą.", Cost: 50_000_00}})
	if err != nil || rc.Tracker == "" {
		t.Fatalf("submit at the demo: %+v %v", rc, err)
	}
}
