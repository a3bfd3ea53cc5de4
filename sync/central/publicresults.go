package central

import (
	"context"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/store"
)

// PublicResults feeds the public results pages: the tally and its state
// (the audit included), computed at most once per every so often, so that
// a page anyone may open costs no more than a cached copy.
func PublicResults(st store.Store, clock func() time.Time, every time.Duration, audit AuditFunc) func(context.Context) (public.Results, error) {
	var mu sync.Mutex
	var last public.Results
	var at time.Time
	return func(ctx context.Context) (public.Results, error) {
		mu.Lock()
		defer mu.Unlock()
		now := clock()
		if last.Edition != nil && now.Sub(at) < every {
			return last, nil
		}
		ed, rs, err := Results(ctx, st, "")
		if err != nil {
			return public.Results{}, err
		}
		s, err := ResultsStatusWith(ctx, st, now, audit, false)
		if err != nil {
			return public.Results{}, err
		}
		total, counted, err := st.Counts(ctx)
		if err != nil {
			return public.Results{}, err
		}
		out := public.Results{Edition: ed, State: s.State, Problems: s.Problems, SetAside: total - counted}
		for _, r := range rs {
			out.Pools = append(out.Pools, public.PoolResult{Pool: r.Pool, Voters: r.Voters, Result: r.Result})
		}
		last, at = out, now
		return out, nil
	}
}
