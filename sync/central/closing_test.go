package central_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestClosingReportRefused: the central keeps only a kiosk's own closing
// report, signed by its key, for the running edition (main had no
// closing endpoint).
func TestClosingReportRefused(t *testing.T) {
	r := newRig(t, bolt(t))
	k, other := r.kiosk(""), r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	seq, head := k.q.Head()
	report := func(kiosk, edition string) wire.ClosingReport {
		return wire.ClosingReport{ClosingReport: election.ClosingReport{Kiosk: kiosk, Ballots: 3, LastSeq: seq, Head: head},
			Edition: edition, ClosedAt: time.Now(), Today: 3}
	}
	_, otherKey, _ := ed25519.GenerateKey(nil)
	forged := report(k.q.KioskID(), r.ed.ID)
	forged.Sign(otherKey)
	ofOther := report(other.q.KioskID(), r.ed.ID)
	ofOther.Sign(otherKey)
	for name, rep := range map[string]wire.ClosingReport{"another key": forged, "another kiosk": ofOther} {
		body, _ := json.Marshal(rep)
		if resp, _ := post(t, r.http.URL, wire.PathClosing, k.q.KioskID(), k.q.Sign, body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s", name, resp.Status)
		}
	}
	wrongEdition := report(k.q.KioskID(), "other-edition")
	if err := k.q.KeepClosing(&wrongEdition); err != nil {
		t.Fatal(err)
	}
	// refused for good: the agent does not send it again and again
	if sent, err := k.a.SendClosing(context.Background()); sent || err != nil {
		t.Errorf("a report of another edition: sent %v, %v", sent, err)
	}
	if again, _ := k.q.ClosingSent(); !again {
		t.Error("a refused report would be sent again")
	}
	if cs, _ := r.st.Closings(context.Background()); len(cs) != 0 {
		t.Fatalf("kept %d refused reports", len(cs))
	}
	good := report(k.q.KioskID(), r.ed.ID)
	if err := k.q.KeepClosing(&good); err != nil {
		t.Fatal(err)
	}
	if sent, err := k.a.SendClosing(context.Background()); err != nil || !sent {
		t.Fatalf("own report: %v %v", sent, err)
	}
	if cs, _ := r.st.Closings(context.Background()); cs[k.q.KioskID()].Report.Head != head {
		t.Fatalf("kept %+v", cs)
	}
}

// TestCachedAudit: the pages' audit runs again once the store's counts
// change, and finds a counted ballot its kiosk did not sign.
func TestCachedAudit(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	ctx := context.Background()
	k.a.SyncOnce(ctx)
	if ok, err := r.srv.CachedAudit(ctx, r.st); err != nil || !ok {
		t.Fatalf("clean store: %v %v", ok, err)
	}
	// a ballot in the kiosk's name, signed by another key, written past ingest
	_, other, _ := ed25519.GenerateKey(nil)
	bs, _ := k.q.Ballots()
	forged := bs[0]
	forged.Seq, forged.Prev, forged.VoterKey = 4, bs[2].ID, election.VoterKey{9}
	forged.Seal(other)
	if _, err := r.st.AddBallots(ctx, []wire.SealedBallot{forged}, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.srv.CachedAudit(ctx, r.st); err != nil || ok {
		t.Fatalf("forged ballot: audit agrees %v %v", ok, err)
	}
}
