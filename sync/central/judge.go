package central

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// BackdateTolerance is how far a ballot's cast time may fall before its
// predecessor's in the kiosk's chain (a clock stepped back by NTP) before
// the ballot is held as backdated.
const BackdateTolerance = time.Minute

// judge applies the rules that need the store to the ballots check found
// valid (Status ""): numbers far ahead of the kiosk's last one are
// refused, voters the edition does not admit are refused or held, and cast
// times before the kiosk's enrollment or its chain predecessor are held.
// It returns the hold of each ballot (nil when none is held).
func (s *Server) judge(ctx context.Context, k store.Kiosk, ed *election.Edition, bs []wire.SealedBallot, results []wire.Result) ([]store.Hold, error) {
	// Sequence numbers: in order, each within MaxSeqAhead of the highest
	// stored or accepted before it, so no ballot can make the gap report
	// or any scan grow out of proportion to what was sent.
	last, err := s.cfg.Store.LastSeq(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	order := make([]int, 0, len(bs))
	for i := range bs {
		if results[i].Status == "" {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case bs[a].Seq < bs[b].Seq:
			return -1
		case bs[a].Seq > bs[b].Seq:
			return 1
		}
		return 0
	})
	for _, i := range order {
		switch seq := bs[i].Seq; {
		case seq == 0:
			results[i].Status, results[i].Reason = wire.Invalid, "seq"
		case seq > last && seq-last > wire.MaxSeqAhead:
			results[i].Status, results[i].Reason = wire.SeqAhead, "seq-ahead"
		default:
			last = max(last, seq)
		}
	}
	var holds []store.Hold
	hold := func(i int, h store.Hold) {
		if holds == nil {
			holds = make([]store.Hold, len(bs))
		}
		if holds[i] == "" {
			holds[i] = h
		}
	}
	// The kiosk's own commitments: a ballot numbered above a committed
	// head was made after that heartbeat, by the kiosk's own clock.
	commits, err := s.cfg.Store.Commitments(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock()
	inBatch := map[string]*wire.SealedBallot{}
	for i := range bs {
		if results[i].Status == "" {
			inBatch[bs[i].ID] = &bs[i]
		}
	}
	for i := range bs {
		if results[i].Status != "" {
			continue
		}
		b := &bs[i]
		if !k.SetAside.IsZero() {
			// the office set this kiosk's ballots aside: kept, not counted
			hold(i, store.HoldSetAside)
		}
		// Who may cast: the running edition's policy (not the one of an
		// older catalog version the ballot may name, which a thief could pick).
		switch ed.AdmissionPolicy() {
		case election.IssuedCodes:
			ok, err := s.cfg.Store.Admitted(ctx, store.ListIssuedCodes, b.VoterKey[:])
			if err != nil {
				return nil, err
			}
			if !ok {
				results[i].Status, results[i].Reason = wire.NotAdmitted, "not-admitted"
				continue
			}
		case election.Register:
			ok, err := s.cfg.Store.Admitted(ctx, store.ListRegister, b.VoterKey[:])
			if err != nil {
				return nil, err
			}
			if !ok {
				hold(i, store.HoldUnregistered)
			}
		}
		// Time a kiosk cannot forge forwards: no later than its arrival
		// (and the skew of a clock that still syncs).
		if b.CastAt.After(now.Add(FutureSkew)) {
			hold(i, store.HoldFuture)
			continue
		}
		// Time a kiosk cannot forge backwards: not before the kiosk was
		// enrolled, not before its own commitment to an earlier head, not
		// before the ballot it chains to.
		if b.CastAt.Before(k.Enrolled.Add(-s.cfg.CastSkew)) || b.CastAt.Before(committedBefore(commits, b.Seq, k.Skew)) {
			hold(i, store.HoldBackdated)
			s.watch.addBackdated(k.ID)
			continue
		}
		if b.Prev == "" {
			continue
		}
		var prevAt time.Time
		if p, ok := inBatch[b.Prev]; ok {
			prevAt = frontier(p.CastAt, now)
		} else if p, err := s.cfg.Store.Ballot(ctx, b.Prev); err == nil {
			// a future-dated predecessor is read at its arrival: it must
			// not make the kiosk's honest ballots after it backdated
			prevAt = frontier(p.Ballot.CastAt, p.Received)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if !prevAt.IsZero() && b.CastAt.Before(prevAt.Add(-BackdateTolerance)) {
			hold(i, store.HoldBackdated)
			s.watch.addBackdated(k.ID)
		}
	}
	if holds != nil {
		for i, h := range holds {
			if h != "" {
				results[i].Reason = string(h)
			}
		}
	}
	return holds, nil
}

// frontier is the time after which a kiosk's next ballot is cast: its
// predecessor's cast time, or its arrival when it was held as dated in
// the future.
func frontier(castAt, received time.Time) time.Time {
	if castAt.After(received.Add(FutureSkew)) {
		return received
	}
	return castAt
}

// committedBefore is the earliest cast time a ballot numbered seq can
// honestly have (zero when none is known): the kiosk's own clock when it
// committed to the latest head below seq (the central's time of the
// commitment plus the kiosk's clock skew, at most wire.MaxSkew either
// way: a request further off is refused), less BackdateTolerance.
func committedBefore(cs []store.Commitment, seq uint64, skew time.Duration) time.Time {
	var at time.Time
	for _, c := range cs {
		if c.Seq < seq && c.At.After(at) {
			at = c.At
		}
	}
	if at.IsZero() {
		return at
	}
	return at.Add(min(max(skew, -wire.MaxSkew), wire.MaxSkew) - BackdateTolerance)
}

// DisplaceLimit is how many counted ballots of residents one kiosk's
// ballots may displace (dated earlier, with a valid commitment) before
// the kiosk is set aside for review: an honest kiosk displaces one only
// when a resident voted there offline and again elsewhere before its
// ballots arrived, which happens rarely; a stolen kiosk that pre-cast,
// committed and withheld ballots displaces one per resident it takes over.
const DisplaceLimit = 3

// mayDisplace reports, for each ballot about to be stored, whether it is
// new, not held, at or below a head its kiosk committed to (only such a
// ballot can take over a counted one: store.provenAt) and of a voter
// who has a counted ballot: if it is then accepted, it displaced that one.
func (s *Server) mayDisplace(ctx context.Context, k store.Kiosk, bs []wire.SealedBallot, holds []store.Hold) ([]bool, error) {
	out := make([]bool, len(bs))
	cs, err := s.cfg.Store.Commitments(ctx, k.ID)
	if err != nil || len(cs) == 0 {
		return out, err
	}
	var top uint64
	for _, c := range cs {
		top = max(top, c.Seq)
	}
	for j := range bs {
		b := &bs[j]
		if b.Seq > top || (holds != nil && holds[j] != "") {
			continue
		}
		if _, err := s.cfg.Store.Ballot(ctx, b.ID); err == nil {
			continue // a repeat: it displaces nothing
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if out[j], err = s.cfg.Store.VoterCounted(ctx, b.VoterKey[:]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// flagDisplaced counts n counted ballots displaced by the kiosk's ballots
// for the fleet page and sets the kiosk aside for review once it has
// displaced more than DisplaceLimit (per process, once: the office that
// released it has looked).
func (s *Server) flagDisplaced(ctx context.Context, k store.Kiosk, n int) error {
	if n == 0 {
		return nil
	}
	s.watch.mu.Lock()
	if s.watch.displaced == nil {
		s.watch.displaced = map[string]int{}
	}
	was := s.watch.displaced[k.ID]
	s.watch.displaced[k.ID] += n
	s.watch.mu.Unlock()
	s.cfg.Log.Warn("counted-ballots-displaced", "kiosk", k.ID, "n", n, "total", was+n)
	if was > DisplaceLimit || was+n <= DisplaceLimit || !k.SetAside.IsZero() {
		return nil
	}
	s.cfg.Log.Warn("kiosk-set-aside-for-displacing", "kiosk", k.ID, "total", was+n)
	return s.cfg.Store.SetAside(ctx, k.ID, true, s.cfg.Clock())
}

// Displaced returns how many counted ballots the kiosk's ballots
// displaced since this process started.
func (s *Server) Displaced(kiosk string) int {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	return s.watch.displaced[kiosk]
}

// flagForged sets a kiosk's ballots aside for review when one of its
// commitments to a number in seqs named a head other than the ballot the
// central holds at that number: the kiosk signed a chain head it never had
// (docs/protocol.md). Such a commitment proves nothing (store.provenAt).
// Each forgery sets the kiosk aside once (per process): once the office
// has looked and released it, a repeat of the same heartbeat or ballot
// does not set it aside again.
func (s *Server) flagForged(ctx context.Context, k store.Kiosk, seqs map[uint64]bool) error {
	fs, err := s.cfg.Store.ForgedCommitments(ctx, k.ID)
	if err != nil {
		return err
	}
	for _, c := range fs {
		if !seqs[c.Seq] || !s.watch.firstForgery(k.ID, c.Seq) {
			continue
		}
		s.cfg.Log.Warn("commitment-forged", "kiosk", k.ID, "seq", c.Seq)
		if !k.SetAside.IsZero() {
			return nil
		}
		return s.cfg.Store.SetAside(ctx, k.ID, true, s.cfg.Clock())
	}
	return nil
}

// watch is what this process counts of the kiosks for the fleet page: the
// ballots refused as seq-taken (another ballot under their number: a kiosk
// that numbered again after losing its store, or one signing two ballots
// for one place in its chain), and the forgeries already acted on.
type watch struct {
	mu        sync.Mutex
	seqTaken  map[string]int
	backdated map[string]int
	displaced map[string]int
	forged    map[string]map[uint64]bool
}

func (c *watch) add(kiosk string, results []wire.Result) {
	n := 0
	for _, r := range results {
		if r.Status == wire.SeqTaken {
			n++
		}
	}
	if n == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seqTaken == nil {
		c.seqTaken = map[string]int{}
	}
	c.seqTaken[kiosk] += n
}

// addBackdated counts a ballot of the kiosk held as backdated.
func (c *watch) addBackdated(kiosk string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backdated == nil {
		c.backdated = map[string]int{}
	}
	c.backdated[kiosk]++
}

// Backdated returns how many of a kiosk's ballots were held as
// backdated since this process started.
func (s *Server) Backdated(kiosk string) int {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	return s.watch.backdated[kiosk]
}

// firstForgery reports whether a forgery at seq is new for the kiosk.
func (c *watch) firstForgery(kiosk string, seq uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.forged == nil {
		c.forged = map[string]map[uint64]bool{}
	}
	if c.forged[kiosk] == nil {
		c.forged[kiosk] = map[uint64]bool{}
	}
	if c.forged[kiosk][seq] {
		return false
	}
	c.forged[kiosk][seq] = true
	return true
}

// SeqTaken returns how many of a kiosk's ballots were refused as
// seq-taken since this process started.
func (s *Server) SeqTaken(kiosk string) int {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	return s.watch.seqTaken[kiosk]
}
