package store

import (
	"context"
	"testing"

	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestConformanceImplementation: both stores keep implementation records
// by edition and project, a later one replacing the earlier (main kept
// none).
func TestConformanceImplementation(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if rs, err := s.ImplementationRecords(ctx); err != nil || len(rs) != 0 {
			t.Fatalf("empty store: %v %v", rs, err)
		}
		rec := func(ed, p string, stage civic.Stage) ImplementationRecord {
			return ImplementationRecord{Edition: ed, Title: election.Text{"pl": "Ławki – źródło " + p}, Cost: 100,
				Record: civic.Implementation{Project: p, Number: "BO." + p, Pool: "d1", Stage: stage,
					Milestones: []civic.Milestone{{Date: t0, Stage: stage, Note: "zażółć gęślą jaźń"}}}}
		}
		if err := s.PutImplementations(ctx, []ImplementationRecord{rec("e1", "p1", civic.Planned), rec("e1", "p2", civic.Planned), rec("e2", "p1", civic.Done)}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutImplementations(ctx, []ImplementationRecord{rec("e1", "p1", civic.Tendering)}); err != nil {
			t.Fatal(err)
		}
		rs, err := s.ImplementationRecords(ctx)
		if err != nil || len(rs) != 3 {
			t.Fatalf("%d records, %v", len(rs), err)
		}
		got := map[string]ImplementationRecord{}
		for _, r := range rs {
			got[r.Edition+"/"+r.Record.Project] = r
		}
		if r := got["e1/p1"]; r.Record.Stage != civic.Tendering || r.Title["pl"] != "Ławki – źródło p1" || r.Record.Milestones[0].Note != "zażółć gęślą jaźń" || !r.Record.Milestones[0].Date.Equal(t0) {
			t.Fatalf("replaced record: %+v", r)
		}
		if got["e2/p1"].Record.Stage != civic.Done {
			t.Fatal("another edition's record of the same project was replaced")
		}
	})
}
