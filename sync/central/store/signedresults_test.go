package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestConformanceSignedResults: both stores keep every signed results
// document byte for byte and give back the latest (main kept none: the
// server could not serve the signed results).
func TestConformanceSignedResults(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if _, err := s.LatestSignedResults(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("before any: %v", err)
		}
		first := SignedResults{At: t0, State: "final", File: []byte("{\"a\": 1}\n")}
		if err := s.PutSignedResults(ctx, first); err != nil {
			t.Fatal(err)
		}
		second := SignedResults{At: t0.Add(-time.Hour), State: "final", Reason: "a late USB stick", File: []byte("{\"b\": 2}\n")}
		if err := s.PutSignedResults(ctx, second); err != nil {
			t.Fatal(err)
		}
		got, err := s.LatestSignedResults(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// the latest signed, not the latest time: order of signing decides
		if string(got.File) != string(second.File) || got.Reason != second.Reason || got.State != "final" || !got.At.Equal(second.At) {
			t.Fatalf("latest = %+v", got)
		}
	})
}
