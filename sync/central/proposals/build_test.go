package proposals

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestBuildRefuses: a unit's cost beyond the pool's limits is refused at the
// merit check; the ballot is not built while protests may still come or wait
// for the council; and a built edition that fails its checks is never saved.
func TestBuildRefuses(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenBolt(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ed := Year(t)
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, ed.Location()) }
	clk := &Clock{t: at(2, 20)}
	saves := 0
	d := New(Config{Store: s, Edition: func(context.Context) (*election.Edition, error) { return ed, nil },
		Clock: clk.Now, SaveDraft: func(*election.Edition) error { saves++; return nil }})
	var ids []string
	var rcs []Receipt
	for i, title := range []string{"Ławki przy Wiśle", "Plac zabaw"} {
		clk.Set(at(2, 20).Add(time.Duration(i) * time.Minute))
		rc, err := d.Submit(ctx, draft("d01", title, 50_000_00), "", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		ids, rcs = append(ids, rc.Proposal.ID), append(rcs, rc)
	}
	step := func(id string, kind civic.EventKind, reason, detail string) error {
		_, err := d.Staff(ctx, "anna", id, civic.Event{Kind: kind, Reason: reason, Detail: detail})
		return err
	}
	clk.Set(at(3, 15))
	for _, id := range ids {
		if err := step(id, civic.EvFormalPass, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(at(4, 10))
	// 45 000 zł typed as złoty where grosze were asked: 4 500 000 000 000 grosze
	for detail, want := range map[string]string{"4500000000000": civic.KeyCostHigh, "100": civic.KeyCostLow, "abc": civic.KeyCostText, "-5": civic.KeyCostText} {
		if err := step(ids[0], civic.EvMeritPass, "", detail); key(err) != want {
			t.Errorf("merit cost %q: %v, want %s", detail, err, want)
		}
	}
	if err := step(ids[0], civic.EvMeritPass, "", "4500000"); err != nil {
		t.Fatal(err)
	}
	if err := step(ids[1], civic.EvMeritReject, "poza kompetencjami", ""); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{at(4, 20), at(5, 2)} {
		clk.Set(now)
		if _, err := d.Build(ctx, "ewa"); key(err) != civic.KeyProtests {
			t.Errorf("build at %s: %v, want %s", now, err, civic.KeyProtests)
		}
	}
	clk.Set(at(5, 3))
	if _, err := d.Applicant(ctx, rcs[1].Tracker, rcs[1].Secret, "10.0.0.1", civic.EvProtest, "To jest zadanie gminy", nil); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(5, 12))
	if _, err := d.Build(ctx, "ewa"); key(err) != civic.KeyProtests {
		t.Errorf("build with a protest undecided: %v, want %s", err, civic.KeyProtests)
	}
	if err := step(ids[1], civic.EvUphold, "Zadanie nie należy do gminy", "2025-05-08"); err != nil {
		t.Fatal(err)
	}
	// an edition whose checks fail (a project's cost over its pool's budget) is refused and not saved
	ed.Pool("d01").Budget = 1_000_00
	if _, err := d.Build(ctx, "ewa"); err == nil || saves != 0 {
		t.Fatalf("a draft failing its checks: err %v, %d saves", err, saves)
	}
	if r, _ := d.Record(ctx, ids[0]); r.Proposal.Status == civic.OnBallot {
		t.Fatal("a refused build marked a proposal on the ballot")
	}
}
