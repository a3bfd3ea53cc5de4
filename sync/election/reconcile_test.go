package election

import "testing"

func TestReconcile(t *testing.T) {
	r := &ClosingReport{Kiosk: "k1", Ballots: 30, LastSeq: 30, Head: "h30"}
	cases := map[string]struct {
		r       *ClosingReport
		got     Received
		want    PointState
		pending int
	}{
		"agrees":                   {r, Received{Ballots: 30, LastSeq: 30, HeadAt: "h30"}, Reconciled, 0},
		"ballots still coming":     {r, Received{Ballots: 22, LastSeq: 22}, Pending, 8},
		"more than the report":     {r, Received{Ballots: 31, LastSeq: 31, HeadAt: "h30"}, Differing, 0},
		"another head":             {r, Received{Ballots: 30, LastSeq: 30, HeadAt: "evil"}, Differing, 0},
		"a broken chain":           {r, Received{Ballots: 30, LastSeq: 30, HeadAt: "h30", Breaks: 1}, Differing, 0},
		"no report yet":            {nil, Received{Ballots: 30, LastSeq: 30}, NoReport, 0},
		"all numbers, wrong count": {r, Received{Ballots: 30, LastSeq: 29}, Differing, 0},
	}
	for name, c := range cases {
		st, n := Reconcile(c.r, c.got)
		if st != c.want || n != c.pending {
			t.Errorf("%s: %s %d, want %s %d", name, st, n, c.want, c.pending)
		}
	}
}

func TestResultsStatus(t *testing.T) {
	all := ResultsInputs{PollsClosed: true, Points: map[string]PointState{"k1": Reconciled, "k2": Reconciled},
		AuditRun: true, AuditAgrees: true, Signed: true}
	if st, why := ResultsStatus(all); st != Final || len(why) != 0 {
		t.Fatalf("all done: %s %v", st, why)
	}
	open := all
	open.PollsClosed = false
	if st, _ := ResultsStatus(open); st != Provisional {
		t.Fatalf("polls open: %s", st)
	}
	pending := all
	pending.Points = map[string]PointState{"k1": Reconciled, "k2": Pending}
	if st, why := ResultsStatus(pending); st != Provisional || len(why) != 1 || why[0].Key != "results.point_pending" {
		t.Fatalf("a point pending: %s %v", st, why)
	}
	pending.SignedOff = map[string]string{"k2": "Kiosk skradziony; protokół papierowy sprawdzony."}
	if st, _ := ResultsStatus(pending); st != Final {
		t.Fatalf("signed off: %s", st)
	}
	pending.SignedOff = map[string]string{"k2": ""}
	if st, _ := ResultsStatus(pending); st != Provisional {
		t.Fatal("a sign-off without a reason counted")
	}
	differs := all
	differs.AuditAgrees = false
	if st, _ := ResultsStatus(differs); st != Unverified {
		t.Fatalf("audit differs: %s", st)
	}
	unsigned := all
	unsigned.Signed = false
	if st, _ := ResultsStatus(unsigned); st != Provisional {
		t.Fatalf("unsigned: %s", st)
	}
}
