// Package queue is the kiosk's durable store (bbolt): sealed ballots in a
// hash chain, their outbox state, the voter keys already seen, the audit
// log, settings and the kiosk's signing key. A ballot is on disk before
// Append returns.
package queue

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

var (
	bucketBallots = []byte("ballots") // seq -> SealedBallot JSON
	// The central's answers; a ballot without one is pending. Sealing a
	// ballot then writes to one bucket only: fewer pages per fsync.
	bucketOutbox   = []byte("outbox")   // seq -> Outbox JSON
	bucketAudit    = []byte("audit")    // n -> Event JSON
	bucketSettings = []byte("settings") // name -> value
	bucketMeta     = []byte("meta")     // key, kiosk id
)

var (
	metaKey   = []byte("ed25519-seed")
	metaKiosk = []byte("kiosk-id")
)

// Errors callers act on. ErrAlreadyVoted carries the translation key the
// kiosk shows.
var (
	ErrAlreadyVoted = election.Problem{Key: "queue.already_voted"}
	ErrLocked       = errors.New("the ballot store is in use by another process")
	// ErrSalvagedWithoutKey: the store was salvaged without the kiosk's
	// signing key; it holds ballots to export, and takes no new ones.
	ErrSalvagedWithoutKey = errors.New("this store was salvaged without the kiosk's signing key: export its ballots with urnactl export-ballots; it cannot take new ones")
)

// OutboxState is where a ballot stands with the central.
type OutboxState string

// Outbox states.
const (
	Pending  OutboxState = "pending"
	Accepted OutboxState = "accepted"
	Rejected OutboxState = "rejected"
)

// Outbox is a ballot's sync state.
type Outbox struct {
	State  OutboxState `json:"state"`
	Reason string      `json:"reason,omitempty"`
	At     time.Time   `json:"at,omitzero"`
}

// ChainError says where the stored chain breaks.
type ChainError struct {
	Seq    uint64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("ballot chain breaks at seq %d: %s", e.Seq, e.Reason)
}

// Options configure Open.
type Options struct {
	// Timeout bounds the wait for another process's lock on the file.
	Timeout time.Duration
	// Clock gives the cast time; time.Now when nil.
	Clock func() time.Time
	// Rand makes the kiosk's key on first open; crypto/rand when nil.
	Rand io.Reader
}

// Queue is the kiosk's ballot store. It is the one owner of its bbolt file.
type Queue struct {
	db    *bolt.DB
	key   ed25519.PrivateKey
	clock func() time.Time

	mu    sync.Mutex // guards the fields below between Append calls
	kiosk string
	seq   uint64
	head  string
	// voters holds the voter keys of the stored ballots, read from them
	// when the store opens (a second vote at this kiosk is refused).
	voters map[election.VoterKey]bool
	// unanswered is the lowest seq that may still be pending: Pending
	// starts looking there.
	unanswered uint64
}

// Open opens (or creates) the store at path, verifies its chain and
// returns an error that says where it breaks.
func Open(path string, opts Options) (*Queue, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	// boltfile refuses a damaged file, or a missing one where a store was
	// set up, rather than crash on it or start a new one.
	db, err := boltfile.Open(path, &bolt.Options{
		Timeout: opts.Timeout,
		// The freelist is rebuilt on open rather than written with every
		// commit, and the file grows in large steps: fewer pages per fsync.
		NoFreelistSync:  true,
		FreelistType:    bolt.FreelistMapType,
		InitialMmapSize: 64 << 20,
	})
	if err == nil {
		db.AllocSize = 16 << 20
	}
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open ballot store: %w", err)
	}
	q := &Queue{db: db, clock: opts.Clock}
	err = boltfile.Guard(path, func() error { return q.setUp(opts.Rand) })
	if err == nil {
		err = boltfile.Guard(path, q.Verify)
	}
	if err == nil {
		err = q.checkSalvaged()
	}
	if err != nil {
		db.Close()
		var damaged *boltfile.DamagedError
		var broken *ChainError
		if errors.As(err, &broken) && !errors.As(err, &damaged) {
			// an unreadable or edited ballot: staff read store.damaged
			return nil, &boltfile.DamagedError{Path: path, Key: boltfile.KeyDamaged, Reason: err.Error(), Err: err}
		}
		if errors.As(err, &damaged) || errors.Is(err, ErrSalvagedLost) {
			return nil, err
		}
		return nil, fmt.Errorf("open ballot store: %w", err)
	}
	if err := q.Log(Event{Name: EventQueueOpened, OK: true, Seq: q.seq}); err != nil {
		db.Close()
		return nil, err
	}
	return q, nil
}

// setUp makes the buckets and the kiosk's key on first open and reads them.
func (q *Queue) setUp(random io.Reader) error {
	return q.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketBallots, bucketOutbox, bucketAudit, bucketSettings, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		seed := meta.Get(metaKey)
		if seed == nil && meta.Get(metaPublic) != nil {
			return ErrSalvagedWithoutKey
		}
		if seed == nil {
			seed = make([]byte, ed25519.SeedSize)
			if _, err := io.ReadFull(random, seed); err != nil {
				return err
			}
			if err := meta.Put(metaKey, seed); err != nil {
				return err
			}
		}
		q.key = ed25519.NewKeyFromSeed(seed)
		q.kiosk = string(meta.Get(metaKiosk))
		return nil
	})
}

// Close closes the file.
func (q *Queue) Close() error { return q.db.Close() }

// PublicKey is the kiosk's ballot-signing key, sent at enrollment.
func (q *Queue) PublicKey() ed25519.PublicKey { return q.key.Public().(ed25519.PublicKey) }

// Sign signs msg with the kiosk's key (requests to the central).
func (q *Queue) Sign(msg []byte) []byte { return ed25519.Sign(q.key, msg) }

// KioskID is the id the central gave at enrollment ("" before).
func (q *Queue) KioskID() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.kiosk
}

// SetKioskID records the enrollment. Ballots sealed before it carry "".
func (q *Queue) SetKioskID(id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	err := q.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaKiosk, []byte(id)) })
	if err == nil {
		q.kiosk = id
	}
	return err
}

func seqKey(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// Append seals b for the voter and commits it, with its outbox entry, the
// voter key and an audit event, in one fsync'd transaction. It returns only
// once the ballot is on disk. A voter seen before gets ErrAlreadyVoted.
func (q *Queue) Append(b election.Ballot, voter election.VoterKey, catalog int) (wire.SealedBallot, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.voters[voter] {
		q.Log(Event{Name: EventVoteRefused, OK: true})
		return wire.SealedBallot{}, ErrAlreadyVoted
	}
	s := wire.SealedBallot{
		Kiosk: q.kiosk, Seq: q.seq + 1, Prev: q.head, CastAt: q.clock(),
		Edition: b.Edition, Catalog: catalog, District: b.District,
		VoterKey: voter, Selections: b.Selections,
	}
	s.Seal(q.key)
	enc, err := json.Marshal(&s)
	if err == nil {
		// The ballot is its own record: its outbox state (pending) is the
		// absence of an answer, its voter key is in it, and it is signed
		// and chained, which an audit event would only repeat.
		err = q.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketBallots).Put(seqKey(s.Seq), enc)
		})
	}
	if err != nil {
		return wire.SealedBallot{}, fmt.Errorf("commit ballot: %w", err)
	}
	q.seq, q.head = s.Seq, s.ID
	q.voters[voter] = true
	return s, nil
}

// Seen reports whether this kiosk already holds a ballot of voter.
func (q *Queue) Seen(voter election.VoterKey) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.voters[voter], nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	enc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, enc)
}

func appendEvent(tx *bolt.Tx, ev Event) error {
	b := tx.Bucket(bucketAudit)
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	ev.At = ev.At.UTC()
	return putJSON(b, seqKey(n), ev)
}

// Log appends an audit event.
func (q *Queue) Log(ev Event) error {
	if ev.At.IsZero() {
		ev.At = q.clock()
	}
	return q.db.Update(func(tx *bolt.Tx) error { return appendEvent(tx, ev) })
}

// Events returns the audit log in order.
func (q *Queue) Events() ([]Event, error) {
	var out []Event
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAudit).ForEach(func(_, v []byte) error {
			var ev Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return err
			}
			out = append(out, ev)
			return nil
		})
	})
	return out, err
}

// Verify walks the whole chain: sequence numbers 1, 2, 3 …, each ballot's
// Prev equal to the previous ID, each ID the hash of its content, each
// signature valid under the kiosk key, and no voter twice. It returns a
// *ChainError naming the first break, and rebuilds the set of voters seen.
func (q *Queue) Verify() error {
	pub := q.PublicKey()
	var last uint64
	var head string
	voters := map[election.VoterKey]bool{}
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBallots).ForEach(func(k, v []byte) error {
			seq := binary.BigEndian.Uint64(k)
			var s wire.SealedBallot
			if err := json.Unmarshal(v, &s); err != nil {
				return &ChainError{seq, "unreadable: " + err.Error()}
			}
			switch {
			case seq != last+1:
				return &ChainError{last + 1, fmt.Sprintf("missing (next stored is %d)", seq)}
			case s.Seq != seq:
				return &ChainError{seq, fmt.Sprintf("stored under %d but numbered %d", seq, s.Seq)}
			case s.Prev != head:
				return &ChainError{seq, "previous hash does not match"}
			case voters[s.VoterKey]:
				return &ChainError{seq, "a second ballot of one voter"}
			}
			if err := s.Verify(pub); err != nil {
				return &ChainError{seq, err.Error()}
			}
			last, head = seq, s.ID
			voters[s.VoterKey] = true
			return nil
		})
	})
	if err != nil {
		return err
	}
	q.mu.Lock()
	q.seq, q.head, q.voters = last, head, voters
	q.mu.Unlock()
	return nil
}

// Head returns the last sequence number and the chain head (its ballot ID).
func (q *Queue) Head() (uint64, string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.seq, q.head
}

// Pending returns up to limit ballots the central has not acknowledged, in
// sequence order.
func (q *Queue) Pending(limit int) ([]wire.SealedBallot, error) {
	q.mu.Lock()
	from := q.unanswered
	q.mu.Unlock()
	var out []wire.SealedBallot
	first := uint64(0) // the first pending seq seen
	err := q.db.View(func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketBallots).Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && len(out) < limit; k, v = c.Next() {
			state, err := stateOf(outbox, k)
			if err != nil {
				return err
			}
			if state != Pending {
				continue
			}
			var s wire.SealedBallot
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			if first == 0 {
				first = s.Seq
			}
			out = append(out, s)
		}
		return nil
	})
	if err == nil && first > from {
		// nothing before first is pending; answers never go back to pending
		q.mu.Lock()
		q.unanswered = max(q.unanswered, first)
		q.mu.Unlock()
	}
	return out, err
}

// stateOf reads a ballot's outbox state: Pending when there is no answer.
func stateOf(outbox *bolt.Bucket, k []byte) (OutboxState, error) {
	raw := outbox.Get(k)
	if raw == nil {
		return Pending, nil
	}
	var o Outbox
	if err := json.Unmarshal(raw, &o); err != nil {
		return "", err
	}
	return o.State, nil
}

// Ballots returns every sealed ballot in sequence order (USB export).
func (q *Queue) Ballots() ([]wire.SealedBallot, error) {
	var out []wire.SealedBallot
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBallots).ForEach(func(_, v []byte) error {
			var s wire.SealedBallot
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
	})
	return out, err
}

// Mark records the central's answer for ballots by sequence number. Only
// a ballot the central acknowledged leaves the pending state; nothing is
// ever deleted.
func (q *Queue) Mark(state OutboxState, reason string, seqs ...uint64) error {
	if state == Pending {
		return errors.New("mark: an answered ballot cannot become pending again")
	}
	now := q.clock().UTC()
	return q.db.Update(func(tx *bolt.Tx) error {
		b, ballots := tx.Bucket(bucketOutbox), tx.Bucket(bucketBallots)
		for _, seq := range seqs {
			if ballots.Get(seqKey(seq)) == nil {
				return fmt.Errorf("mark: no ballot %d", seq)
			}
			if err := putJSON(b, seqKey(seq), Outbox{State: state, Reason: reason, At: now}); err != nil {
				return err
			}
		}
		name, detail := EventBallotsSynced, fmt.Sprint(len(seqs))
		if state == Rejected {
			name, detail = EventBallotRejected, reason
		}
		return appendEvent(tx, Event{Name: name, At: now, OK: state == Accepted, Detail: detail})
	})
}

// Stats are the counts reports and heartbeats show.
type Stats struct {
	Total, Pending, Accepted, Rejected int
	Today                              int       // cast since the start of the day passed to Stats
	OldestPending                      time.Time // zero when nothing is pending
	LastSeq                            uint64
	Head                               string
}

// Stats counts ballots; dayStart marks the start of "today" for reports.
func (q *Queue) Stats(dayStart time.Time) (Stats, error) {
	var st Stats
	err := q.db.View(func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		return tx.Bucket(bucketBallots).ForEach(func(k, v []byte) error {
			state, err := stateOf(outbox, k)
			if err != nil {
				return err
			}
			var s struct {
				CastAt time.Time `json:"castAt"`
			}
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			st.Total++
			if !s.CastAt.Before(dayStart) {
				st.Today++
			}
			switch state {
			case Pending:
				st.Pending++
				if st.OldestPending.IsZero() || s.CastAt.Before(st.OldestPending) {
					st.OldestPending = s.CastAt
				}
			case Accepted:
				st.Accepted++
			case Rejected:
				st.Rejected++
			}
			return nil
		})
	})
	st.LastSeq, st.Head = q.Head()
	return st, err
}

// Setting returns a stored setting ("" if unset).
func (q *Queue) Setting(name string) (string, error) {
	var v string
	err := q.db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketSettings).Get([]byte(name)))
		return nil
	})
	return v, err
}

// SetSetting stores a setting.
func (q *Queue) SetSetting(name, value string) error {
	return q.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put([]byte(name), []byte(value))
	})
}

// Check runs bbolt's own consistency check over the whole file.
func (q *Queue) Check() error {
	return q.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}
