package station

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
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

// TestEditionKeyFingerprintOnPaper: the opening and closing reports and
// the posters print the edition key's fingerprint, which the server
// cannot change afterwards (main printed none).
func TestEditionKeyFingerprintOnPaper(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	pub, _, _ := ed25519.GenerateKey(nil)
	r.st.EditionKey = pub
	fp := wire.KeyFingerprint(pub)
	ctx := context.Background()
	if _, err := r.st.OpenPolls(ctx, "pl"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.ClosePolls(ctx, "uk"); err != nil {
		t.Fatal(err)
	}
	docs := r.mem.Docs()
	look(t, "fingerprint-reports", docs)
	for i, want := range []string{"Klucz edycji:", "Ключ випуску:"} {
		text := strings.ReplaceAll(transcript(docs[len(docs)-2+i]), "\n", " ")
		if !strings.Contains(text, want) || !strings.Contains(text, fp) {
			t.Errorf("report %d lacks %q %q:\n%s", i, want, fp, text)
		}
	}
	stick := usbStick(t, r.st)
	for _, f := range []poster.Format{poster.A4, poster.Flyer} {
		name, err := r.st.SavePosterUSB(f, "en")
		if err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, filepath.Join(stick, name)); !strings.Contains(text, "Edition key: "+fp) {
			t.Errorf("%s poster lacks the fingerprint: %s", f, text)
		}
	}
}
