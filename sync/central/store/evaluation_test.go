package store

import (
	"context"
	"errors"
	"testing"
)

// TestConformanceEvaluations: both stores count answers per venue and
// score, refuse anything but 1–5, and keep nothing else: no time and no
// order of answers (main counted none).
func TestConformanceEvaluations(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, a := range []struct {
			venue string
			score int
		}{{"nck", 5}, {"nck", 5}, {"nck", 2}, {"", 4}, {"bk-podgorze", 1}} {
			if err := s.AddEvaluation(ctx, a.venue, a.score); err != nil {
				t.Fatal(err)
			}
		}
		for _, bad := range []int{0, 6, -1} {
			if err := s.AddEvaluation(ctx, "nck", bad); !errors.Is(err, ErrScore) {
				t.Errorf("score %d: %v", bad, err)
			}
		}
		got, err := s.EvaluationCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][5]int{"nck": {0, 1, 0, 0, 2}, "": {0, 0, 0, 1, 0}, "bk-podgorze": {1, 0, 0, 0, 0}}
		if len(got) != len(want) {
			t.Fatalf("counts %v", got)
		}
		for v, n := range want {
			if got[v] != n {
				t.Errorf("%q: %v, want %v", v, got[v], n)
			}
		}
	})
}
