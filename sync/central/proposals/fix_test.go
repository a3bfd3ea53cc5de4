package proposals

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestFixModerated: a correction that adds many links, or takes another
// proposal's title, is held back like a submission; an ordinary one is not.
func TestFixModerated(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ed := Year(t)
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, ed.Location()) }
	clk := &Clock{t: at(2, 20)}
	d := New(Config{Store: s, Edition: func(context.Context) (*election.Edition, error) { return ed, nil }, Clock: clk.Now})
	var rcs []Receipt
	for _, title := range []string{"Ławki", "Drzewa", "Kwiaty", "Plac"} {
		rc, err := d.Submit(ctx, draft("d01", title, 50_000_00), "", "1")
		if err != nil {
			t.Fatal(err)
		}
		rcs = append(rcs, rc)
	}
	clk.Set(at(3, 12))
	for _, rc := range rcs[1:] {
		if _, err := d.Staff(ctx, "v", rc.Proposal.ID, civic.Event{Kind: civic.EvFormalFix, Reason: "Brak mapy."}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(at(3, 14))
	fix := func(rc Receipt, edit func(*civic.Draft)) string {
		dr := draft("d01", rc.Proposal.Title, 50_000_00)
		edit(&dr)
		if _, err := d.Applicant(ctx, rc.Tracker, rc.Secret, "1", civic.EvFixed, "", &dr); err != nil {
			t.Fatal(err)
		}
		r, _ := d.Record(ctx, rc.Proposal.ID)
		return r.Held
	}
	if held := fix(rcs[1], func(dr *civic.Draft) { dr.Summary = "https://a.example https://b.example www.c.example" }); held != HeldLinks {
		t.Errorf("a fix with many links: held %q", held)
	}
	if held := fix(rcs[2], func(dr *civic.Draft) { dr.Title = "Ławki" }); held != HeldDuplicate {
		t.Errorf("a fix taking another's title: held %q", held)
	}
	if held := fix(rcs[3], func(dr *civic.Draft) { dr.Location = "ul. Krótka 2" }); held != "" {
		t.Errorf("an ordinary fix: held %q", held)
	}
}

// TestFixMovesPool: the fix form's pool selector moves the proposal to the
// pool chosen, checked against that pool's cost limits, and the history
// names the pool as changed; a fix without a pool keeps its own.
func TestFixMovesPool(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ed := Year(t)
	ed.Proposals.CostLimits[election.CityWide] = election.CostLimit{Min: 400_000_00, Max: 4_000_000_00}
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, ed.Location()) }
	clk := &Clock{t: at(2, 20)}
	d := New(Config{Store: s, Edition: func(context.Context) (*election.Edition, error) { return ed, nil }, Clock: clk.Now})
	rc, err := d.Submit(ctx, draft("d01", "Rowery", 500_000_00), "", "1")
	if err == nil {
		t.Fatal("a district proposal above the district's limit was taken")
	}
	rc, err = d.Submit(ctx, draft("d01", "Rowery", 300_000_00), "", "1")
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(at(3, 12))
	if _, err := d.Staff(ctx, "v", rc.Proposal.ID, civic.Event{Kind: civic.EvFormalFix, Reason: "To projekt ogólnomiejski."}); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(3, 14))
	low := draft("city", "Rowery", 300_000_00)
	if _, err := d.Applicant(ctx, rc.Tracker, rc.Secret, "1", civic.EvFixed, "", &low); err == nil {
		t.Fatal("a city-wide fix below the city-wide minimum was taken")
	}
	fix := draft("city", "Rowery", 500_000_00)
	p, err := d.Applicant(ctx, rc.Tracker, rc.Secret, "1", civic.EvFixed, "Przeniesione.", &fix)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pool != "city" || p.Cost != 500_000_00 {
		t.Fatalf("after the fix: pool %q cost %d", p.Pool, p.Cost)
	}
	if last := p.History[len(p.History)-1]; last.Kind != civic.EvFixed || !strings.Contains(last.Detail, "pool") {
		t.Fatalf("the fix's record: %+v", last)
	}
	r, _ := d.Record(ctx, rc.Proposal.ID)
	if r.Proposal.Pool != "city" || r.Held != "" {
		t.Fatalf("stored: pool %q held %q", r.Proposal.Pool, r.Held)
	}
}
