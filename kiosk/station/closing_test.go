package station

import (
	"context"
	"testing"

	"github.com/urna-kiosk/urna/sync/election"
)

// TestClosingReportSigned: closing the point keeps a closing report signed
// by the kiosk key, with the counts and chain head the paper shows (main
// printed the paper and kept nothing to send).
func TestClosingReportSigned(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	ctx := context.Background()
	if err := r.q.SetKioskID("k-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.OpenPolls(ctx, "pl"); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := r.cast(); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := r.q.Closing(); got != nil {
		t.Fatalf("a closing report before closing: %+v", got)
	}
	rep, err := r.st.ClosePolls(ctx, "pl")
	if err != nil {
		t.Fatal(err)
	}
	cr, err := r.q.Closing()
	if err != nil || cr == nil {
		t.Fatalf("closing report kept: %v %v", cr, err)
	}
	if cr.Kiosk != "k-1" || cr.Ballots != 4 || cr.LastSeq != 4 || cr.Head != rep.Head || cr.Today != 4 ||
		cr.Edition != r.st.Edition.ID || !cr.ClosedAt.Equal(rep.At) {
		t.Fatalf("closing report %+v, paper %+v", cr, rep)
	}
	if err := cr.Verify(r.q.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if sent, _ := r.q.ClosingSent(); sent {
		t.Fatal("the report counts as sent before the agent sent it")
	}
	cr.Ballots++
	if cr.Verify(r.q.PublicKey()) == nil {
		t.Fatal("a changed report verifies")
	}
}
