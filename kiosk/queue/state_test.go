package queue

import (
	"path/filepath"
	"testing"
	"time"
)

// TestStateSurvivesReopen: the point's state, PIN tries and waiting reports
// are in the store, oldest report first, and gone once printed.
func TestStateSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	at := time.Date(2025, 6, 3, 6, 0, 0, 0, time.UTC)
	q, err := Open(path, Options{Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := q.Polls(); err != nil || p.Open {
		t.Fatalf("a new store is open: %+v %v", p, err)
	}
	q.SetPolls(Polls{Open: true, OpenedAt: at, OpenedSeq: 7, ClosedSeq: 7})
	q.SetPINLock("staff", 3, at.Add(time.Minute))
	q.AddReportDue([]byte("second"), at.Add(10*time.Second))
	q.AddReportDue([]byte("first"), at.Add(9*time.Second))
	q.Close()

	q, err = Open(path, Options{Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if p, _ := q.Polls(); !p.Open || !p.OpenedAt.Equal(at) || p.OpenedSeq != 7 {
		t.Fatalf("polls after reopen: %+v", p)
	}
	if f, until, _ := q.PINLock("staff"); f != 3 || !until.Equal(at.Add(time.Minute)) {
		t.Fatalf("PIN lock after reopen: %d until %v", f, until)
	}
	if f, _, _ := q.PINLock("technician"); f != 0 {
		t.Fatal("the technician shares the staff's tries")
	}
	due, _ := q.ReportsDue()
	if len(due) != 2 || string(due[0].Doc) != "first" || string(due[1].Doc) != "second" {
		t.Fatalf("reports due: %+v", due)
	}
	q.ReportPrinted(due[0].Key)
	if due, _ = q.ReportsDue(); len(due) != 1 || string(due[0].Doc) != "second" {
		t.Fatalf("after printing one: %+v", due)
	}
}
