package central

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// PublicResults feeds the public results pages: the tally and its state
// (the audit included), computed at most once per every so often, so that
// a page anyone may open costs no more than a cached copy. The results
// are final only when the store keeps a signed final document whose
// results are the ones tallied now; each change of state is logged
// (results-state) when a page computes it.
func PublicResults(st store.Store, clock func() time.Time, every time.Duration, audit AuditFunc, log *slog.Logger) func(context.Context) (public.Results, error) {
	var mu sync.Mutex
	var last public.Results
	var at time.Time
	var state election.ResultsState
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
		s, kept, current, err := statusWithKept(ctx, st, now, audit, ed, rs, log)
		if err != nil {
			return public.Results{}, err
		}
		total, counted, err := st.Counts(ctx)
		if err != nil {
			return public.Results{}, err
		}
		out := public.Results{Edition: ed, State: s.State, Problems: s.Problems, SetAside: total - counted}
		if kept != nil {
			out.Signed = &public.Signed{At: kept.File.At, Fingerprint: wire.KeyFingerprint(kept.File.EditionKey), Current: current}
		}
		for _, r := range rs {
			out.Pools = append(out.Pools, public.PoolResult{Pool: r.Pool, Voters: r.Voters, Result: r.Result})
		}
		if s.State != state {
			log.Info("results-state", "from", state, "to", s.State, "why", problemKeys(s.Problems), "signed", kept != nil, "current", current)
			state = s.State
		}
		last, at = out, now
		return out, nil
	}
}

// SignedDocument returns the kept signed results document as signed, for
// the public download (nil when none is kept).
func SignedDocument(st store.Store) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		k, err := KeptResults(ctx, st)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return k.Raw, nil
	}
}

// statusWithKept is the results' state at now, signed when the store
// keeps a signed final document of the results tallied now (rs), with
// that document (nil when none is kept or it does not check).
func statusWithKept(ctx context.Context, st store.Store, now time.Time, audit AuditFunc, ed *election.Edition, rs []PoolResult, log *slog.Logger) (Status, *Kept, bool, error) {
	kept, err := KeptResults(ctx, st)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		log.Warn("results-kept-unreadable", "err", err)
		kept = nil
	}
	current := kept.Current(ed, rs)
	s, err := ResultsStatusWith(ctx, st, now, audit, current)
	return s, kept, current, err
}
