package wire

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func sampleBatch(t testing.TB, n int) []byte {
	_, key, _ := ed25519.GenerateKey(nil)
	var b BallotBatch
	for i := range n {
		s := SealedBallot{Kiosk: "k", Seq: uint64(i + 1), CastAt: time.Unix(1700000000, 0), Edition: "e"}
		s.Seal(key)
		b.Ballots = append(b.Ballots, s)
	}
	out, _ := json.Marshal(b)
	return out
}

func TestDecodeBatch(t *testing.T) {
	if b, err := DecodeBatch(bytes.NewReader(sampleBatch(t, 3))); err != nil || len(b.Ballots) != 3 {
		t.Fatal(err)
	}
	tests := map[string]struct {
		body string
		want error
	}{
		"empty":         {"", ErrMalformed},
		"not json":      {"hello", ErrMalformed},
		"unknown field": {`{"ballots":[],"x":1}`, ErrMalformed},
		"trailing":      {`{"ballots":[{"id":"a"}]} {}`, ErrMalformed},
		"no ballots":    {`{"ballots":[]}`, ErrBatchSize},
		"too large":     {`{"ballots":["` + strings.Repeat("a", MaxBodyBytes) + `"]}`, ErrTooLarge},
		"wrong type":    {`{"ballots":[{"seq":"one"}]}`, ErrMalformed},
	}
	for name, tc := range tests {
		if _, err := DecodeBatch(strings.NewReader(tc.body)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	var big BallotBatch
	big.Ballots = make([]SealedBallot, MaxBatch+1)
	raw, _ := json.Marshal(big)
	if _, err := DecodeBatch(bytes.NewReader(raw)); !errors.Is(err, ErrBatchSize) {
		t.Errorf("501 ballots: %v", err)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(sampleBatch(f, 2))
	f.Add([]byte(`{"ballots":[{"id":"x","seq":1}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := DecodeBatch(bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrBatchSize) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(b.Ballots) == 0 || len(b.Ballots) > MaxBatch {
			t.Fatal("accepted a batch of the wrong size")
		}
		for _, s := range b.Ballots {
			s.Verify(nil) // must not panic
			TrackerOf(s.ID)
		}
	})
}

func TestTrackerAndCatalog(t *testing.T) {
	id := strings.Repeat("ab", 32)
	tr := TrackerOf(id)
	if len(tr) != 19 || NormalizeTracker(strings.ToLower(strings.ReplaceAll(tr, "-", " "))) != tr {
		t.Fatalf("tracker %q", tr)
	}
	if NormalizeTracker("ABCD-EFGH-IJKL-MNOP") != "" { // I and O are not in the alphabet
		t.Fatal("accepted letters outside the alphabet")
	}
	pub, key, _ := ed25519.GenerateKey(nil)
	c := Catalog{Version: 3, Edition: []byte(`{"id":"e"}`)}
	c.Sign(key)
	if err := c.Verify(pub, 3); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(pub, 4); !errors.Is(err, ErrCatalogRollback) {
		t.Fatalf("rollback: %v", err)
	}
	c.Edition = []byte(`{"id":"f"}`)
	if err := c.Verify(pub, 1); !errors.Is(err, ErrCatalogSignature) {
		t.Fatalf("tampered: %v", err)
	}
}
