// Package store keeps the central's data: enrollment codes, kiosks and
// their heartbeats, signed catalogs, and ballots with the de-duplication
// rule (per voter key, the earliest-cast ballot counts; ties by ballot id).
// Two implementations share one conformance suite: bbolt, embedded, and
// PostgreSQL for several central replicas sharing one database.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Errors callers act on.
var (
	ErrNotFound       = errors.New("not found")
	ErrCodeUsed       = errors.New("enrollment code already used or expired")
	ErrCatalogVersion = errors.New("catalog version must be the last one plus one")
)

// Kiosk is an enrolled kiosk.
type Kiosk struct {
	ID        string         `json:"id"`
	Venue     string         `json:"venue"`
	PublicKey []byte         `json:"publicKey"`
	Enrolled  time.Time      `json:"enrolled"`
	LastSeen  time.Time      `json:"lastSeen,omitzero"`
	Heartbeat wire.Heartbeat `json:"heartbeat"`
	// Skew is the kiosk's clock minus the central's at the last heartbeat.
	Skew time.Duration `json:"skew"`
	// Revoked is when the city office revoked the kiosk (a stolen or lost
	// one); from then on the central refuses its requests and ballots.
	Revoked time.Time `json:"revoked,omitzero"`
	// SetAside is when the city office set the kiosk's ballots aside for
	// review (zero: they count): it still votes and syncs, but none of its
	// ballots count until released.
	SetAside time.Time `json:"setAside,omitzero"`
}

// Stored is a ballot as the central keeps it.
type Stored struct {
	Ballot   wire.SealedBallot `json:"ballot"`
	Received time.Time         `json:"received"`
	Counted  bool              `json:"counted"` // it is the voter's counted ballot
	// Hold is why the ballot is kept aside for review instead of counting.
	Hold Hold `json:"hold,omitempty"`
	// Withheld: the answer to the kiosk that sent it was withheld (beyond
	// its voter-lookup budget), so no answer about it may tell whether its
	// voter had voted before, until the voting window has closed.
	Withheld bool `json:"withheld,omitempty"`
}

// Hold is why a stored ballot does not count until the city office has
// reviewed it (docs/protocol.md, "Time a kiosk cannot forge backwards").
type Hold string

// Holds.
const (
	// HoldContested: dated before the voter's counted ballot, but the
	// central had not seen its place in its kiosk's chain committed before
	// that ballot arrived: never swapped in automatically.
	HoldContested Hold = "contested"
	// HoldBackdated: cast before its kiosk's enrollment, before its
	// kiosk's own signed commitment to an earlier chain head, or before its
	// predecessor in the kiosk's chain.
	HoldBackdated Hold = "backdated"
	// HoldFuture: dated more than the clock skew after it arrived.
	HoldFuture Hold = "future"
	// HoldUnregistered: the voter key is not in the edition's register.
	HoldUnregistered Hold = "unregistered"
	// HoldSetAside: its kiosk's ballots are set aside for review; lifted
	// when the office releases the kiosk (the other holds stay).
	HoldSetAside Hold = "set-aside"
)

// Gap is a run of sequence numbers never received, From to To inclusive.
type Gap struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// Chain is what the central knows of one kiosk's sequence and hash chain.
// Its size is bounded by the ballots stored, never by their numbers.
type Chain struct {
	Count  int    `json:"count"`
	MaxSeq uint64 `json:"maxSeq"`
	// Gaps are the runs of numbers below MaxSeq never received, Missing
	// how many numbers they hold together.
	Gaps    []Gap    `json:"gaps,omitempty"`
	Missing uint64   `json:"missing,omitempty"`
	Breaks  []uint64 `json:"breaks,omitempty"` // ballots whose Prev is not the ID of the one before, or two ballots with one number
}

// Commitment is a kiosk's signed heartbeat naming its chain head: from At
// on, the central knows the kiosk held ballots up to Seq.
type Commitment struct {
	Seq uint64    `json:"seq"`
	ID  string    `json:"id"`
	At  time.Time `json:"at"`
}

// Admission lists of voter keys.
const (
	ListIssuedCodes = "issued-codes" // keys of the voter codes the central issued
	ListRegister    = "register"     // keys of the city's register
)

// Store is the central's persistence.
type Store interface {
	AddEnrollCode(ctx context.Context, code, venue string, expires time.Time) error
	// UseEnrollCode spends a code once, before it expires, and returns its venue.
	UseEnrollCode(ctx context.Context, code string, now time.Time) (venue string, err error)
	AddKiosk(ctx context.Context, k Kiosk) error
	Kiosk(ctx context.Context, id string) (Kiosk, error)
	Kiosks(ctx context.Context) ([]Kiosk, error)
	// RecordHeartbeat keeps a kiosk's last heartbeat and, when it names a
	// chain head beyond the last one committed, a Commitment at at (the
	// oldest beyond MaxCommitments are dropped).
	RecordHeartbeat(ctx context.Context, id string, hb wire.Heartbeat, at time.Time) error

	// PutCatalog stores the next catalog version (last + 1).
	PutCatalog(ctx context.Context, c wire.Catalog) error
	// RevokeKiosk revokes a kiosk at at; revoking it again keeps the
	// first time. ErrNotFound for an unknown kiosk.
	RevokeKiosk(ctx context.Context, id string, at time.Time) error
	// PutSession keeps a dashboard sign-in, shared by every replica: the
	// SHA-256 of its token (never the token), the user, when it expires.
	// Expired sign-ins are dropped on the way.
	PutSession(ctx context.Context, tokenHash []byte, user string, expires time.Time) error
	// Session returns the user of a sign-in that has not expired at now;
	// ErrNotFound otherwise.
	Session(ctx context.Context, tokenHash []byte, now time.Time) (string, error)
	// DeleteSession ends a sign-in.
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// Catalog returns the latest catalog.
	Catalog(ctx context.Context) (wire.Catalog, error)
	// CatalogAt returns the catalog of one version; ErrNotFound when that
	// version was never published.
	CatalogAt(ctx context.Context, version int) (wire.Catalog, error)

	// AddBallots stores verified ballots, idempotently by ID, and answers
	// Accepted (it counts for its voter now), Duplicate (an earlier one
	// does, or one with the same cast time that arrived first) or
	// Contested (kept aside: holds[i] when set, or HoldContested when it
	// is dated before the voter's counted ballot but no valid commitment,
	// provenAt, showed its place in its kiosk's chain before that ballot
	// arrived). The batch's ballots are stored before any is judged, so a
	// commitment the batch itself completes counts; when a batch makes a
	// commitment valid, the kiosk's contested ballots it proves in time
	// count (rejudge).
	// holds may be nil.
	AddBallots(ctx context.Context, bs []wire.SealedBallot, holds []Hold, received time.Time) ([]wire.Status, error)
	// SetAside sets a kiosk's ballots aside for review (aside) or releases
	// them: each voter of the kiosk's ballots is counted again from the
	// ballots that are not held. ErrNotFound for an unknown kiosk.
	SetAside(ctx context.Context, kiosk string, aside bool, at time.Time) error
	// MarkWithheld keeps the mark that the answers about the stored
	// ballots ids were withheld from their kiosk (Stored.Withheld); ids not
	// stored are ignored, a mark is never lifted.
	MarkWithheld(ctx context.Context, ids []string) error
	// CastTimes returns the cast times of a kiosk's ballots in its order.
	CastTimes(ctx context.Context, kiosk string) ([]time.Time, error)
	// BallotTimes returns the cast and arrival times of a kiosk's ballots
	// in its order.
	BallotTimes(ctx context.Context, kiosk string) ([]BallotTime, error)
	// LastSeq returns the highest sequence number stored for a kiosk (0: none).
	LastSeq(ctx context.Context, kiosk string) (uint64, error)
	// Commitments returns a kiosk's chain-head commitments, oldest first
	// (at most MaxCommitments: the latest).
	Commitments(ctx context.Context, kiosk string) ([]Commitment, error)
	// ForgedCommitments returns the kiosk's commitments whose number holds
	// another ballot than the head they named: the kiosk signed a head it
	// never had (a forgery, docs/protocol.md).
	ForgedCommitments(ctx context.Context, kiosk string) ([]Commitment, error)
	// AddAdmitted adds voter keys to an admission list (ListIssuedCodes,
	// ListRegister); adding one again changes nothing.
	AddAdmitted(ctx context.Context, list string, keys []election.VoterKey) error
	// Admitted reports whether a voter key is on an admission list.
	Admitted(ctx context.Context, list string, key []byte) (bool, error)
	// AdmittedCount returns how many keys an admission list holds.
	AdmittedCount(ctx context.Context, list string) (int, error)
	// Ballot returns one ballot by ID.
	Ballot(ctx context.Context, id string) (Stored, error)
	// BallotByPrefix returns the ballot whose ID starts with prefix (the
	// public check looks ballots up by tracker, which holds the ID's first
	// 80 bits); ErrNotFound when there is none.
	BallotByPrefix(ctx context.Context, prefix string) (Stored, error)
	// VoterCounted reports whether a voter key has a counted ballot.
	VoterCounted(ctx context.Context, voter []byte) (bool, error)
	// Chain reports a kiosk's sequence gaps and chain breaks.
	Chain(ctx context.Context, kiosk string) (Chain, error)
	// Ballots calls fn for every ballot, in no particular order.
	Ballots(ctx context.Context, fn func(Stored) error) error
	// Counted calls fn with each counted ballot's choices (one per voter):
	// what a tally reads, and nothing more. sels is valid only during the
	// call: a store may reuse it for the next ballot.
	Counted(ctx context.Context, fn func(edition, district string, sels []election.Selection) error) error
	// Counts returns how many ballots are stored and how many count.
	Counts(ctx context.Context) (total, counted int, err error)
	Reconciliation
	Published
	Implementations
	Evaluations
	Close() error
}

// codeHash is what a store keeps of an enrollment code.
func codeHash(code string) []byte {
	h := sha256.Sum256([]byte(strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))))
	return h[:]
}

// earlier reports whether ballot 1 goes before ballot 2 for their voter:
// cast earlier; on equal cast times the one received first (a later
// arrival never takes a tie); then the smaller id, so that every store and
// replica picks the same.
func earlier(t1, r1 time.Time, id1 string, t2, r2 time.Time, id2 string) bool {
	if !t1.Equal(t2) {
		return t1.Before(t2)
	}
	if !r1.Equal(r2) {
		return r1.Before(r2)
	}
	return id1 < id2
}

// chainOf computes a kiosk's chain report from its ballots in seq order.
func chainOf(bs []chainLink) Chain {
	slices.SortFunc(bs, func(a, b chainLink) int {
		if a.seq != b.seq {
			if a.seq < b.seq {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	var c Chain
	c.Count = len(bs)
	var prevSeq uint64
	prevID := ""
	for i, b := range bs {
		if i > 0 && b.seq == bs[i-1].seq {
			c.Breaks = append(c.Breaks, b.seq) // two ballots with one number
			continue
		}
		if b.seq > prevSeq+1 {
			c.Gaps = append(c.Gaps, Gap{From: prevSeq + 1, To: b.seq - 1})
			c.Missing += b.seq - 1 - prevSeq
		}
		if b.seq == prevSeq+1 && (b.seq > 1 || prevID != "") && b.prev != prevID {
			c.Breaks = append(c.Breaks, b.seq)
		}
		if b.seq == 1 && b.prev != "" {
			c.Breaks = append(c.Breaks, b.seq)
		}
		prevSeq, prevID = b.seq, b.id
		c.MaxSeq = b.seq
	}
	return c
}

type chainLink struct {
	seq      uint64
	id, prev string
}

// MaxCommitments is how many chain-head commitments a store keeps per
// kiosk: the latest ones. Dropping an older one only makes a proof of time
// later (a newer commitment to a higher number covers what it covered),
// never wrong, and a flood of heartbeats cannot grow the store.
const MaxCommitments = 64

// wholePrefix returns the ids of a kiosk's ballots 1, 2, … for as long as
// each is stored and chains to the one before (links in seq order): the
// part of the chain a commitment can vouch for.
func wholePrefix(links []chainLink) []string {
	var ids []string
	for _, l := range links {
		want := uint64(len(ids)) + 1
		if l.seq < want { // two ballots with one number: the chain breaks there
			return ids[:l.seq-1]
		}
		prev := ""
		if len(ids) > 0 {
			prev = ids[len(ids)-1]
		}
		if l.seq != want || l.prev != prev {
			break
		}
		ids = append(ids, l.id)
	}
	return ids
}

// provenAt returns when the central first held valid proof that the kiosk
// had cast its ballot at seq: the earliest commitment (cs oldest first) to
// seq or a later number whose head is the very ballot the central holds at
// that number, with the chain whole from the kiosk's first ballot up to it
// (ids, from wholePrefix). A commitment whose head the central does not
// hold (yet, or ever) proves nothing.
func provenAt(cs []Commitment, seq uint64, ids []string) (time.Time, bool) {
	for _, c := range cs {
		if c.Seq >= seq && c.Seq <= uint64(len(ids)) && ids[c.Seq-1] == c.ID {
			return c.At, true
		}
	}
	return time.Time{}, false
}

// maxCommitted is the highest number among commitments.
func maxCommitted(cs []Commitment) uint64 {
	var m uint64
	for _, c := range cs {
		m = max(m, c.Seq)
	}
	return m
}

// BallotTime is when a ballot says it was cast and when it arrived.
type BallotTime struct {
	CastAt, Received time.Time
}

// encodeChoices packs a ballot's choices compactly for the tally index:
// length-prefixed strings and varints.
func encodeChoices(b *wire.SealedBallot) []byte { return appendChoices(make([]byte, 0, 128), b) }

// appendChoices appends the encoding of encodeChoices to out.
func appendChoices(out []byte, b *wire.SealedBallot) []byte {
	str := func(s string) {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	str(b.Edition)
	str(b.District)
	out = binary.AppendUvarint(out, uint64(len(b.Selections)))
	for _, s := range b.Selections {
		str(s.Pool)
		out = binary.AppendUvarint(out, uint64(len(s.Choices)))
		for _, c := range s.Choices {
			str(c.Project)
			out = binary.AppendUvarint(out, uint64(c.Points))
		}
	}
	return out
}

// interner returns one string for equal byte sequences: a scan of a
// million ballots then allocates each id once, not once a ballot.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// errCorrupt: an index entry does not decode.
var errCorrupt = errors.New("corrupt tally index entry")

// decodeChoices is the inverse of encodeChoices.
func decodeChoices(raw []byte, in interner) (edition, district string, sels []election.Selection, err error) {
	d := choicesDecoder{in: in}
	return d.decode(raw)
}

// choicesDecoder decodes entry after entry of a scan. It reuses its
// selections' backing arrays, and a string equal to the one decoded at the
// same place in the entry before is taken from there: a scan of a million
// entries allocates nothing per entry and mostly skips the interner.
type choicesDecoder struct {
	in                interner
	edition, district string
	sels              []election.Selection
}

// decode decodes one entry; what it returns is valid until the next call.
func (d *choicesDecoder) decode(raw []byte) (edition, district string, sels []election.Selection, err error) {
	edition, district, d.sels, err = d.decodeInto(raw, d.sels)
	return edition, district, d.sels, err
}

// decodeInto decodes one entry into sels, reusing its backing arrays; a
// string equal to the one there before is kept.
func (d *choicesDecoder) decodeInto(raw []byte, sels []election.Selection) (edition, district string, _ []election.Selection, err error) {
	bad := errCorrupt
	num := func() uint64 {
		v, n := binary.Uvarint(raw)
		if n <= 0 {
			err = bad
			return 0
		}
		raw = raw[n:]
		return v
	}
	str := func(before string) string {
		l := num()
		if err != nil || uint64(len(raw)) < l {
			err = bad
			return ""
		}
		b := raw[:l]
		raw = raw[l:]
		switch {
		case string(b) == before: // no allocation for the comparison
			return before
		case d.in != nil:
			return d.in.get(b)
		}
		return string(b)
	}
	d.edition, d.district = str(d.edition), str(d.district)
	ns := num()
	if ns > uint64(len(raw)) {
		return "", "", nil, bad
	}
	sels = sels[:0]
	for i := uint64(0); i < ns && err == nil; i++ {
		if len(sels) < cap(sels) {
			sels = sels[:len(sels)+1]
		} else {
			sels = append(sels, election.Selection{})
		}
		s := &sels[len(sels)-1]
		s.Pool = str(s.Pool)
		nc := num()
		if nc > uint64(len(raw)) {
			return "", "", nil, bad
		}
		prev := s.Choices[:cap(s.Choices)]
		s.Choices = s.Choices[:0]
		for j := uint64(0); j < nc && err == nil; j++ {
			before := ""
			if j < uint64(len(prev)) {
				before = prev[j].Project
			}
			s.Choices = append(s.Choices, election.Choice{Project: str(before), Points: int(num())})
		}
	}
	return d.edition, d.district, sels, err
}
