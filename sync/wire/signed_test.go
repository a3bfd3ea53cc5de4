package wire

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

func TestClosingReportSigned(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	r := ClosingReport{ClosingReport: election.ClosingReport{Kiosk: "k1", Ballots: 30, LastSeq: 30, Head: "abc"},
		Edition: "krakow-2025", ClosedAt: time.Date(2025, 6, 14, 20, 0, 0, 0, time.UTC), Today: 12}
	r.Sign(priv)
	b, _ := json.Marshal(r)
	var back ClosingReport
	if err := json.Unmarshal(b, &back); err != nil || back.Verify(pub) != nil {
		t.Fatalf("round trip: %v %v", err, back.Verify(pub))
	}
	for name, edit := range map[string]func(*ClosingReport){
		"count": func(r *ClosingReport) { r.Ballots-- },
		"head":  func(r *ClosingReport) { r.Head = "abd" },
		"time":  func(r *ClosingReport) { r.ClosedAt = r.ClosedAt.Add(time.Second) },
		"today": func(r *ClosingReport) { r.Today = 0 },
	} {
		c := back
		edit(&c)
		if c.Verify(pub) == nil {
			t.Errorf("a report with its %s changed verifies", name)
		}
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if back.Verify(other) == nil {
		t.Error("verifies with another kiosk's key")
	}
}

func TestSignedResults(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	s := SignedResults{Edition: "krakow-2025", Catalog: 3, At: time.Now(), State: string(election.Final), Results: []byte(`{"pools":[]}`)}
	s.Sign(priv)
	if err := s.Verify(pub); err != nil {
		t.Fatal(err)
	}
	s.Results = []byte(`{"pools":[1]}`)
	if s.Verify(pub) == nil {
		t.Fatal("altered results verify")
	}
	fp := KeyFingerprint(pub)
	if len(strings.Fields(fp)) != 8 || len(fp) != 39 {
		t.Fatalf("fingerprint %q", fp)
	}
}
