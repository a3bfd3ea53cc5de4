package central

import (
	"context"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Finding is one integrity alert of the fleet page: its category (a
// dash.level. key), whether it is bad or a warning, and its sentence's
// translation key with arguments.
type Finding struct {
	Level, Class, Key string
	Args              []any
}

// KioskFindings checks one kiosk, revoked or not: its chain (gaps, breaks,
// ballots committed in a heartbeat but not stored), its pace (faster than a
// person, outside the venue's hours, a burst after silence), voter lookups
// beyond its budget, and whether its ballots are set aside.
func (s *Server) KioskFindings(ctx context.Context, k store.Kiosk, ed *election.Edition) ([]Finding, error) {
	var out []Finding
	add := func(level, class, key string, args ...any) {
		out = append(out, Finding{Level: level, Class: class, Key: key, Args: args})
	}
	ch, err := s.cfg.Store.Chain(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	if len(ch.Gaps) > 0 || len(ch.Breaks) > 0 {
		add("chain", "bad", "dash.alert.chain", "gaps", ch.Missing, "breaks", len(ch.Breaks))
	}
	cs, err := s.cfg.Store.Commitments(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	var committed uint64
	for _, c := range cs {
		committed = max(committed, c.Seq)
	}
	// pending at the kiosk is not missing: only what it no longer holds
	if pending := uint64(max(k.Heartbeat.QueueDepth, 0)); committed > ch.MaxSeq+pending {
		add("chain", "bad", "dash.alert.tail", "committed", committed, "max", ch.MaxSeq)
	}
	forged, err := s.cfg.Store.ForgedCommitments(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	if len(forged) > 0 {
		add("chain", "bad", "dash.alert.forged", "seq", forged[0].Seq, "n", len(forged))
	}
	times, err := s.cfg.Store.BallotTimes(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	var venue *election.Venue
	loc := time.UTC
	if ed != nil {
		venue, loc = ed.Venue(k.Venue), ed.Location()
	}
	// Nothing is cast before its kiosk exists: a ballot dated before the
	// enrollment (by the kiosk's clock, its skew read within
	// wire.MaxSkew) is read at it, so ballots spread over the clock
	// skew allowed before the enrollment show the pace they were cast at.
	floor := k.Enrolled.Add(min(max(k.Skew, -wire.MaxSkew), 0))
	for i := range times {
		if times[i].CastAt.Before(floor) {
			times[i].CastAt = floor
		}
	}
	p := PaceOfBallots(times, venue, loc) // pace.go: arrival as well as cast time
	if p.Inhuman() {
		add("pace", "bad", "dash.alert.pace", "n", p.MaxPerMinute)
	}
	if p.Future > 0 {
		add("pace", "bad", "dash.alert.future", "n", p.Future)
	}
	if p.OutsideHours > 0 {
		add("pace", "warn", "dash.alert.hours", "n", p.OutsideHours)
	}
	if p.Burst > 0 {
		add("pace", "warn", "dash.alert.burst", "n", p.Burst, "silence", p.Silence.Round(time.Minute))
	}
	if n := s.SeqTaken(k.ID); n > 0 {
		add("chain", "bad", "dash.alert.seq_taken", "n", n)
	}
	if n := s.Displaced(k.ID); n > 0 {
		add("chain", "bad", "dash.alert.displaced", "n", n, "limit", DisplaceLimit)
	}
	if n := s.Backdated(k.ID); n > 0 {
		add("chain", "bad", "dash.alert.backdated", "n", n)
	}
	if n := s.OverBudget()[k.ID]; n > 0 {
		add("lookups", "bad", "dash.alert.lookups", "n", n)
	}
	if !k.SetAside.IsZero() {
		add("review", "warn", "dash.state.set_aside", "at", k.SetAside.In(loc).Format("02.01 15:04"))
	}
	return out, nil
}

// CountsFinding is the store-wide alert when more voters count than
// ballots are stored (an index entry without its ballot): nil otherwise.
func CountsFinding(total, counted int) *Finding {
	if counted <= total {
		return nil
	}
	return &Finding{Level: "counts", Class: "bad", Key: "dash.alert.counts", Args: []any{"counted", counted, "stored", total}}
}
