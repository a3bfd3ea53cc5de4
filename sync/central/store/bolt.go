package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

var (
	bKiosks   = []byte("kiosks")
	bCodes    = []byte("codes")
	bCatalogs = []byte("catalogs")
	bSessions = []byte("sessions") // token hash -> expires (unix ns, big-endian), user
	// Ballots are kept in each kiosk's order, so that a batch appends to
	// a few pages instead of rewriting a page per ballot; a small index
	// finds them by ID.
	bBallots = []byte("kiosk-ballots") // kiosk \x00 seq \x00 id -> uvarint len(prev), prev, Stored JSON
	bIDs     = []byte("ballot-ids")    // id -> kiosk \x00 seq: its key in bBallots without the id
	// The ballot that counts for each voter, with its choices (compact:
	// all a tally reads), in one entry so that a ballot costs one random
	// write here.
	bCounted = []byte("voters-counted") // voter key -> countedRef.entry
	// Ballots kept aside for review (few): id -> Hold.
	bHolds = []byte("ballot-holds")
	// Each kiosk's chain-head commitments, in time order:
	// kiosk \x00 at (unix ns, big-endian) -> seq (big-endian), id.
	bCommits = []byte("commitments")
	// Admission lists: list \x00 voter key -> nothing.
	bAdmitted = []byte("admitted")
	// Ballots whose answer was withheld from their kiosk: id -> nothing.
	bWithheld = []byte("ballot-withheld")

	// bOldLayout is a bucket only stores of the first layout have.
	bOldLayout = []byte("by-kiosk")
)

// ErrOldLayout: the file was written by an earlier development version.
var ErrOldLayout = errors.New("the central store was written by an earlier development version of Urna with another layout: export its ballots with that version (urna-central export ballots) and load them into a new store (urna-central import-ballots); demo data can simply be deleted")

// countedRef is the ballot that counts for a voter: its cast time and ID.
type countedRef struct {
	ID     string
	CastAt time.Time
}

// entry encodes the ref (cast time in unix nanoseconds big-endian, then
// the ID with its length) followed by the ballot's compact choices.
func (c countedRef) entry(b *wire.SealedBallot) []byte {
	out := binary.BigEndian.AppendUint64(make([]byte, 0, 160), uint64(c.CastAt.UnixNano()))
	out = binary.AppendUvarint(out, uint64(len(c.ID)))
	return appendChoices(append(out, c.ID...), b)
}

// parseCounted splits an entry of bCounted into the ref and the choices.
func parseCounted(raw []byte) (countedRef, []byte, bool) {
	if len(raw) < 9 {
		return countedRef{}, nil, false
	}
	n, k := binary.Uvarint(raw[8:])
	if k <= 0 || uint64(len(raw)-8-k) < n {
		return countedRef{}, nil, false
	}
	id := raw[8+k : 8+k+int(n)]
	return countedRef{CastAt: time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8]))).UTC(), ID: string(id)}, raw[8+k+int(n):], true
}

func getCounted(b *bolt.Bucket, voter []byte) (countedRef, bool) {
	c, _, ok := parseCounted(b.Get(voter))
	return c, ok
}

type boltCode struct {
	Venue   string    `json:"venue"`
	Expires time.Time `json:"expires"`
	Used    bool      `json:"used"`
}

// Bolt is the embedded store: one file, one process.
type Bolt struct {
	db *bolt.DB
	// One writer goroutine owns ballot writes: batches that arrive while
	// it commits go into its next transaction together (group commit).
	batches chan *batch
	stop    chan struct{}
	stopped chan struct{}
}

// batch is one AddBallots call on its way to the writer.
type batch struct {
	bs           []wire.SealedBallot
	holds        []Hold
	received     time.Time
	keys, values [][]byte
	out          []wire.Status
	done         chan error
}

// maxGroup bounds how many batches share a transaction.
const maxGroup = 8

// ErrBusy: another process holds the bbolt file.
var ErrBusy = errors.New("another process is using it (a running urna-central serve?): stop that process first, or keep the store in PostgreSQL, which several processes can share")

// ErrClosed: the store was closed.
var ErrClosed = errors.New("central store closed")

// OpenBolt opens (or creates) the store at path.
func OpenBolt(path string) (*Bolt, error) {
	// boltfile refuses a damaged file, or a missing one where a store was
	// set up, rather than crash on it or start a new one.
	db, err := boltfile.Open(path, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
		// address space only: growing within it needs no remap, which would
		// wait for every reader
		InitialMmapSize: 1 << 30})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open central store %s: %w", path, ErrBusy)
	}
	if errors.Is(err, boltfile.ErrDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("open central store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bOldLayout) != nil {
			return ErrOldLayout
		}
		for _, b := range [][]byte{bKiosks, bCodes, bCatalogs, bSessions, bBallots, bIDs, bCounted, bHolds, bCommits, bAdmitted, bWithheld} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open central store %s: %w", path, err)
	}
	if err := checkRecords(db, path); err != nil {
		db.Close()
		return nil, err
	}
	s := &Bolt{db: db, batches: make(chan *batch), stop: make(chan struct{}), stopped: make(chan struct{})}
	go s.writer()
	return s, nil
}

// Close implements Store.
func (s *Bolt) Close() error {
	close(s.stop)
	<-s.stopped
	return s.db.Close()
}

// writer commits the batches handed to it, as many together as wait.
func (s *Bolt) writer() {
	defer close(s.stopped)
	for {
		var group []*batch
		select {
		case b := <-s.batches:
			group = append(group, b)
		case <-s.stop:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case b := <-s.batches:
				group = append(group, b)
			default:
				break more
			}
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			for _, b := range group {
				if err := addBatch(tx, b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil && len(group) > 1 {
			// one batch's failure must not fail the others: each alone
			for _, b := range group {
				b.done <- s.db.Update(func(tx *bolt.Tx) error { return addBatch(tx, b) })
			}
			continue
		}
		for _, b := range group {
			b.done <- err
		}
	}
}

func put(b *bolt.Bucket, k []byte, v any) error {
	enc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, enc)
}

func get(b *bolt.Bucket, k []byte, v any) error {
	raw := b.Get(k)
	if raw == nil {
		return ErrNotFound
	}
	return json.Unmarshal(raw, v)
}

// AddEnrollCode implements Store.
func (s *Bolt) AddEnrollCode(_ context.Context, code, venue string, expires time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return put(tx.Bucket(bCodes), codeHash(code), boltCode{Venue: venue, Expires: expires})
	})
}

// UseEnrollCode implements Store.
func (s *Bolt) UseEnrollCode(_ context.Context, code string, now time.Time) (string, error) {
	var venue string
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCodes)
		var c boltCode
		if err := get(b, codeHash(code), &c); err != nil {
			return ErrCodeUsed
		}
		if c.Used || !now.Before(c.Expires) {
			return ErrCodeUsed
		}
		c.Used, venue = true, c.Venue
		return put(b, codeHash(code), c)
	})
	return venue, err
}

// AddKiosk implements Store.
func (s *Bolt) AddKiosk(_ context.Context, k Kiosk) error {
	return s.db.Update(func(tx *bolt.Tx) error { return put(tx.Bucket(bKiosks), []byte(k.ID), k) })
}

// Kiosk implements Store.
func (s *Bolt) Kiosk(_ context.Context, id string) (Kiosk, error) {
	var k Kiosk
	err := s.db.View(func(tx *bolt.Tx) error { return get(tx.Bucket(bKiosks), []byte(id), &k) })
	return k, err
}

// Kiosks implements Store.
func (s *Bolt) Kiosks(context.Context) ([]Kiosk, error) {
	var out []Kiosk
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bKiosks).ForEach(func(_, v []byte) error {
			var k Kiosk
			if err := json.Unmarshal(v, &k); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	})
	return out, err
}

// RecordHeartbeat implements Store.
func (s *Bolt) RecordHeartbeat(_ context.Context, id string, hb wire.Heartbeat, at time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKiosks)
		var k Kiosk
		if err := get(b, []byte(id), &k); err != nil {
			return err
		}
		k.Heartbeat, k.LastSeen = hb, at
		if !hb.KioskTime.IsZero() {
			k.Skew = hb.KioskTime.Sub(at)
		}
		if err := put(b, []byte(id), k); err != nil {
			return err
		}
		return commit(tx.Bucket(bCommits), id, hb, at)
	})
}

// commit keeps a heartbeat's chain head when it is beyond the last one
// kept: at most one entry per ballot, however often a kiosk reports.
func commit(b *bolt.Bucket, kiosk string, hb wire.Heartbeat, at time.Time) error {
	if hb.HeadID == "" || hb.LastSeq == 0 || len(hb.HeadID) > 128 {
		return nil
	}
	prefix := append([]byte(kiosk), 0)
	c := b.Cursor()
	k, v := c.Seek(append([]byte(kiosk), 1))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k != nil && strings.HasPrefix(string(k), string(prefix)) && len(v) >= 8 && binary.BigEndian.Uint64(v) >= hb.LastSeq {
		return nil
	}
	key := binary.BigEndian.AppendUint64(prefix, uint64(at.UnixNano()))
	if err := b.Put(key, append(binary.BigEndian.AppendUint64(nil, hb.LastSeq), hb.HeadID...)); err != nil {
		return err
	}
	// keep the latest MaxCommitments: drop the oldest beyond them
	var keys [][]byte
	c = b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
		keys = append(keys, k)
	}
	for _, k := range keys[:max(len(keys)-MaxCommitments, 0)] {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ForgedCommitments implements Store.
func (s *Bolt) ForgedCommitments(_ context.Context, kiosk string) ([]Commitment, error) {
	var out []Commitment
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bBallots).Cursor()
		for _, m := range commitmentsOf(tx.Bucket(bCommits), kiosk) {
			prefix := append(binary.BigEndian.AppendUint64(append([]byte(kiosk), 0), m.Seq), 0)
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if string(k[len(prefix):]) != m.ID {
					out = append(out, m)
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// chainProof reads what a proof of time needs of a kiosk in tx: its
// commitments and the whole part of its chain up to the highest of them.
func chainProof(tx *bolt.Tx, kiosk string) (cs []Commitment, ids []string, err error) {
	cs = commitmentsOf(tx.Bucket(bCommits), kiosk)
	top := maxCommitted(cs)
	prefix := append([]byte(kiosk), 0)
	var links []chainLink
	c := tx.Bucket(bBallots).Cursor()
	for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
		if len(k) < len(prefix)+9 {
			continue
		}
		seq := binary.BigEndian.Uint64(k[len(prefix):])
		if seq > top {
			break
		}
		prev, _, err := splitBallot(v)
		if err != nil {
			return nil, nil, err
		}
		links = append(links, chainLink{seq: seq, id: string(k[len(prefix)+9:]), prev: prev})
	}
	return cs, wholePrefix(links), nil
}

// commitmentsOf reads a kiosk's commitments, oldest first.
func commitmentsOf(b *bolt.Bucket, kiosk string) []Commitment {
	prefix := append([]byte(kiosk), 0)
	var out []Commitment
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
		if len(k) != len(prefix)+8 || len(v) < 8 {
			continue
		}
		out = append(out, Commitment{Seq: binary.BigEndian.Uint64(v), ID: string(v[8:]),
			At: time.Unix(0, int64(binary.BigEndian.Uint64(k[len(prefix):]))).UTC()})
	}
	return out
}

// Commitments implements Store.
func (s *Bolt) Commitments(_ context.Context, kiosk string) ([]Commitment, error) {
	var out []Commitment
	err := s.db.View(func(tx *bolt.Tx) error {
		out = commitmentsOf(tx.Bucket(bCommits), kiosk)
		return nil
	})
	return out, err
}

// LastSeq implements Store.
func (s *Bolt) LastSeq(_ context.Context, kiosk string) (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		seq = lastSeq(tx.Bucket(bBallots), kiosk)
		return nil
	})
	return seq, err
}

func lastSeq(b *bolt.Bucket, kiosk string) uint64 {
	prefix := append([]byte(kiosk), 0)
	c := b.Cursor()
	k, _ := c.Seek(append([]byte(kiosk), 1))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || len(k) < len(prefix)+8 || !strings.HasPrefix(string(k), string(prefix)) {
		return 0
	}
	return binary.BigEndian.Uint64(k[len(prefix):])
}

func admittedKey(list string, key []byte) []byte {
	return append(append([]byte(list), 0), key...)
}

// AddAdmitted implements Store.
func (s *Bolt) AddAdmitted(_ context.Context, list string, keys []election.VoterKey) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAdmitted)
		for _, k := range keys {
			if err := b.Put(admittedKey(list, k[:]), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Admitted implements Store.
func (s *Bolt) Admitted(_ context.Context, list string, key []byte) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bAdmitted).Get(admittedKey(list, key)) != nil
		return nil
	})
	return ok, err
}

// AdmittedCount implements Store.
func (s *Bolt) AdmittedCount(_ context.Context, list string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := append([]byte(list), 0)
		c := tx.Bucket(bAdmitted).Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// RevokeKiosk implements Store.
func (s *Bolt) RevokeKiosk(_ context.Context, id string, at time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKiosks)
		var k Kiosk
		if err := get(b, []byte(id), &k); err != nil {
			return err
		}
		if !k.Revoked.IsZero() {
			return nil
		}
		k.Revoked = at
		return put(b, []byte(id), k)
	})
}

// PutSession implements Store.
func (s *Bolt) PutSession(_ context.Context, tokenHash []byte, user string, expires time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSessions)
		now := time.Now().UnixNano()
		var expired [][]byte
		b.ForEach(func(k, v []byte) error {
			if len(v) < 8 || int64(binary.BigEndian.Uint64(v)) < now {
				expired = append(expired, k)
			}
			return nil
		})
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Put(tokenHash, append(binary.BigEndian.AppendUint64(nil, uint64(expires.UnixNano())), user...))
	})
}

// Session implements Store.
func (s *Bolt) Session(_ context.Context, tokenHash []byte, now time.Time) (string, error) {
	var user string
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bSessions).Get(tokenHash)
		if len(v) < 8 || int64(binary.BigEndian.Uint64(v)) <= now.UnixNano() {
			return ErrNotFound
		}
		user = string(v[8:])
		return nil
	})
	return user, err
}

// DeleteSession implements Store.
func (s *Bolt) DeleteSession(_ context.Context, tokenHash []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bSessions).Delete(tokenHash) })
}

func verKey(v int) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(v))
	return k[:]
}

// PutCatalog implements Store.
func (s *Bolt) PutCatalog(_ context.Context, c wire.Catalog) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCatalogs)
		last := 0
		if k, _ := b.Cursor().Last(); k != nil {
			last = int(binary.BigEndian.Uint64(k))
		}
		if c.Version != last+1 {
			return fmt.Errorf("%w: have %d, got %d", ErrCatalogVersion, last, c.Version)
		}
		return put(b, verKey(c.Version), c)
	})
}

// CatalogAt implements Store.
func (s *Bolt) CatalogAt(_ context.Context, version int) (wire.Catalog, error) {
	var c wire.Catalog
	err := s.db.View(func(tx *bolt.Tx) error {
		if version < 1 {
			return ErrNotFound
		}
		return get(tx.Bucket(bCatalogs), verKey(version), &c)
	})
	return c, err
}

// Catalog implements Store.
func (s *Bolt) Catalog(context.Context) (wire.Catalog, error) {
	var c wire.Catalog
	err := s.db.View(func(tx *bolt.Tx) error {
		k, v := tx.Bucket(bCatalogs).Cursor().Last()
		if k == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &c)
	})
	return c, err
}

func byKioskKey(kiosk string, seq uint64, id string) []byte {
	k := append([]byte(kiosk), 0)
	k = binary.BigEndian.AppendUint64(k, seq)
	return append(append(k, 0), id...)
}

// AddBallots implements Store: the batch commits in one transaction (one
// fsync), shared with the batches that arrive meanwhile.
func (s *Bolt) AddBallots(ctx context.Context, bs []wire.SealedBallot, holds []Hold, received time.Time) ([]wire.Status, error) {
	if holds != nil && len(holds) != len(bs) {
		return nil, errors.New("store: one hold per ballot")
	}
	// Encode before handing over: the writer then only writes.
	b := &batch{bs: bs, holds: holds, received: received, keys: make([][]byte, len(bs)), values: make([][]byte, len(bs)),
		out: make([]wire.Status, len(bs)), done: make(chan error, 1)}
	for i := range bs {
		b.keys[i] = byKioskKey(bs[i].Kiosk, bs[i].Seq, bs[i].ID)
		v := binary.AppendUvarint(make([]byte, 0, 1024), uint64(len(bs[i].Prev)))
		v, err := appendStored(append(v, bs[i].Prev...), &bs[i], received)
		if err != nil {
			return nil, err
		}
		b.values[i] = v
	}
	select {
	case s.batches <- b:
	case <-s.stop:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// handed over: wait for the outcome whatever happens to ctx
	if err := <-b.done; err != nil {
		return nil, err
	}
	return b.out, nil
}

// addBatch writes one batch in the writer's transaction: first every new
// ballot of it, then who counts for each voter.
func addBatch(tx *bolt.Tx, bt *batch) error {
	ballots, ids, counted, holds := tx.Bucket(bBallots), tx.Bucket(bIDs), tx.Bucket(bCounted), tx.Bucket(bHolds)
	// a kiosk's ballots arrive in order: fill pages, as an append does
	ballots.FillPercent = 1
	fresh := make([]bool, len(bt.bs))
	for i, b := range bt.bs {
		if ids.Get([]byte(b.ID)) != nil {
			continue
		}
		// one ballot per number of a kiosk: a second, different one is refused
		if prefix := bt.keys[i][:len(bt.keys[i])-len(b.ID)]; hasPrefix(ballots.Cursor(), prefix) {
			bt.out[i] = wire.SeqTaken
			continue
		}
		if err := ballots.Put(bt.keys[i], bt.values[i]); err != nil {
			return err
		}
		if err := ids.Put([]byte(b.ID), bt.keys[i][:len(bt.keys[i])-len(b.ID)-1]); err != nil {
			return err
		}
		fresh[i] = true
	}
	type proof struct {
		cs  []Commitment
		ids []string
	}
	proofs := map[string]*proof{} // read once per kiosk, when needed
	for i, b := range bt.bs {
		if bt.out[i] == wire.SeqTaken {
			continue
		}
		var hold Hold
		if bt.holds != nil {
			hold = bt.holds[i]
		}
		cur, counts := getCounted(counted, b.VoterKey[:])
		if fresh[i] {
			if (hold == "" || hold == HoldSetAside) && counts && b.CastAt.Before(cur.CastAt) {
				// it would displace a counted ballot: only with valid proof
				// that the kiosk held it before that ballot arrived
				p := proofs[b.Kiosk]
				if p == nil {
					cs, ids, err := chainProof(tx, b.Kiosk)
					if err != nil {
						return err
					}
					p = &proof{cs, ids}
					proofs[b.Kiosk] = p
				}
				if at, ok := provenAt(p.cs, b.Seq, p.ids); !ok || at.After(receivedOf(tx, cur.ID)) {
					hold = HoldContested
				}
			}
			better := !counts || b.CastAt.Before(cur.CastAt)
			if counts && b.CastAt.Equal(cur.CastAt) {
				better = earlier(b.CastAt, bt.received, b.ID, cur.CastAt, receivedOf(tx, cur.ID), cur.ID)
			}
			switch {
			case hold != "":
				if err := holds.Put([]byte(b.ID), []byte(hold)); err != nil {
					return err
				}
			case better:
				cur = countedRef{ID: b.ID, CastAt: b.CastAt}
				if err := counted.Put(b.VoterKey[:], cur.entry(&b)); err != nil {
					return err
				}
			}
		} else {
			hold = Hold(holds.Get([]byte(b.ID)))
		}
		switch {
		case hold != "":
			bt.out[i] = wire.Contested
		case cur.ID == b.ID:
			bt.out[i] = wire.Accepted
		default:
			bt.out[i] = wire.Duplicate
		}
	}
	// A new ballot at or below a number its kiosk committed to may have
	// made that commitment valid (its head, or a gap in the chain below it,
	// arrived): the kiosk's contested ballots are judged again.
	again := map[string]bool{}
	for i, b := range bt.bs {
		if !fresh[i] || again[b.Kiosk] {
			continue
		}
		if c := lastCommitted(tx.Bucket(bCommits), b.Kiosk); c >= b.Seq {
			again[b.Kiosk] = true
		}
	}
	for kiosk := range again {
		if err := rejudge(tx, kiosk); err != nil {
			return err
		}
	}
	return nil
}

// lastCommitted is the number of a kiosk's latest commitment (0: none).
func lastCommitted(b *bolt.Bucket, kiosk string) uint64 {
	prefix := append([]byte(kiosk), 0)
	c := b.Cursor()
	k, v := c.Seek(append([]byte(kiosk), 1))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) || len(v) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// rejudge counts a kiosk's contested ballots that a valid commitment now
// proves in time (dated before their voter's counted ballot, proven no
// later than it arrived, or their voter has none): a commitment proves a
// time once the central holds its head and the chain below it, whenever
// that is. A kiosk set aside keeps its holds.
func rejudge(tx *bolt.Tx, kiosk string) error {
	holds, ids, ballots, counted := tx.Bucket(bHolds), tx.Bucket(bIDs), tx.Bucket(bBallots), tx.Bucket(bCounted)
	var k Kiosk
	if err := get(tx.Bucket(bKiosks), []byte(kiosk), &k); err != nil || !k.SetAside.IsZero() {
		return nil
	}
	prefix := append([]byte(kiosk), 0)
	var keys [][]byte // the contested ballots' keys in bBallots
	err := holds.ForEach(func(id, h []byte) error {
		if Hold(h) != HoldContested {
			return nil
		}
		if at := ids.Get(id); at != nil && bytes.HasPrefix(at, prefix) {
			keys = append(keys, append(append(append([]byte{}, at...), 0), id...))
		}
		return nil
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	cs, chain, err := chainProof(tx, kiosk)
	if err != nil {
		return err
	}
	for _, key := range keys {
		st, err := decodeStored(ballots.Get(key), counted, nil)
		if err != nil {
			return err
		}
		b := st.Ballot
		at, ok := provenAt(cs, b.Seq, chain)
		if !ok {
			continue
		}
		if cur, counts := getCounted(counted, b.VoterKey[:]); counts && (!b.CastAt.Before(cur.CastAt) || at.After(receivedOf(tx, cur.ID))) {
			continue
		}
		if err := holds.Delete([]byte(b.ID)); err != nil {
			return err
		}
		if err := counted.Put(b.VoterKey[:], countedRef{ID: b.ID, CastAt: b.CastAt}.entry(&b)); err != nil {
			return err
		}
	}
	return nil
}

// SetAside implements Store. It rereads every stored ballot of the voters
// concerned in one transaction: seconds for a million ballots, for an
// action the office takes rarely.
func (s *Bolt) SetAside(_ context.Context, kiosk string, aside bool, at time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		kb := tx.Bucket(bKiosks)
		var k Kiosk
		if err := get(kb, []byte(kiosk), &k); err != nil {
			return err
		}
		if aside == !k.SetAside.IsZero() {
			return nil
		}
		k.SetAside = time.Time{}
		if aside {
			k.SetAside = at
		}
		if err := put(kb, []byte(kiosk), k); err != nil {
			return err
		}
		holds, ballots := tx.Bucket(bHolds), tx.Bucket(bBallots)
		// the kiosk's ballots: hold or release them, note their voters
		voters := map[election.VoterKey]bool{}
		prefix := append([]byte(kiosk), 0)
		c := ballots.Cursor()
		for key, v := c.Seek(prefix); key != nil && strings.HasPrefix(string(key), string(prefix)); key, v = c.Next() {
			st, err := decodeStored(v, tx.Bucket(bCounted), nil)
			if err != nil {
				return err
			}
			voters[st.Ballot.VoterKey] = true
			id := []byte(st.Ballot.ID)
			switch h := Hold(holds.Get(id)); {
			case aside && h == "":
				if err := holds.Put(id, []byte(HoldSetAside)); err != nil {
					return err
				}
			case !aside && h == HoldSetAside:
				if err := holds.Delete(id); err != nil {
					return err
				}
			}
		}
		// count each of those voters again from their ballots not held
		best := map[election.VoterKey]*wire.SealedBallot{}
		received := map[election.VoterKey]time.Time{}
		err := ballots.ForEach(func(_, v []byte) error {
			st, err := decodeStored(v, tx.Bucket(bCounted), nil)
			if err != nil {
				return err
			}
			b := st.Ballot
			if !voters[b.VoterKey] || holds.Get([]byte(b.ID)) != nil {
				return nil
			}
			if cur := best[b.VoterKey]; cur == nil || earlier(b.CastAt, st.Received, b.ID, cur.CastAt, received[b.VoterKey], cur.ID) {
				best[b.VoterKey], received[b.VoterKey] = &b, st.Received
			}
			return nil
		})
		if err != nil {
			return err
		}
		counted := tx.Bucket(bCounted)
		for v := range voters {
			b := best[v]
			if b == nil {
				if err := counted.Delete(v[:]); err != nil {
					return err
				}
				continue
			}
			if err := counted.Put(v[:], countedRef{ID: b.ID, CastAt: b.CastAt}.entry(b)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CastTimes implements Store: the cast time is read from the stored JSON
// without decoding the rest.
func (s *Bolt) CastTimes(_ context.Context, kiosk string) ([]time.Time, error) {
	var out []time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := append([]byte(kiosk), 0)
		c := tx.Bucket(bBallots).Cursor()
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			_, raw, err := splitBallot(v)
			if err != nil {
				return err
			}
			at, err := castAtOf(raw)
			if err != nil {
				return err
			}
			out = append(out, at)
		}
		return nil
	})
	return out, err
}

// BallotTimes implements Store.
func (s *Bolt) BallotTimes(_ context.Context, kiosk string) ([]BallotTime, error) {
	var out []BallotTime
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := append([]byte(kiosk), 0)
		c := tx.Bucket(bBallots).Cursor()
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			_, raw, err := splitBallot(v)
			if err != nil {
				return err
			}
			at, err := castAtOf(raw)
			if err != nil {
				return err
			}
			bt := BallotTime{CastAt: at}
			// received follows the ballot in the stored JSON
			const field = `"received":"`
			if i := bytes.LastIndex(raw, []byte(field)); i >= 0 {
				rest := raw[i+len(field):]
				if j := bytes.IndexByte(rest, '"'); j > 0 {
					bt.Received, _ = time.Parse(time.RFC3339Nano, string(rest[:j]))
				}
			}
			out = append(out, bt)
		}
		return nil
	})
	return out, err
}

// castAtOf finds the ballot's cast time in its stored JSON.
func castAtOf(raw []byte) (time.Time, error) {
	const field = `"castAt":"`
	i := bytes.Index(raw, []byte(field))
	if i >= 0 {
		rest := raw[i+len(field):]
		if j := bytes.IndexByte(rest, '"'); j > 0 {
			return time.Parse(time.RFC3339Nano, string(rest[:j]))
		}
	}
	var st Stored
	err := json.Unmarshal(raw, &st)
	return st.Ballot.CastAt, err
}

// receivedOf returns when a stored ballot arrived; the zero time (before
// every commitment) when it cannot be read.
func receivedOf(tx *bolt.Tx, id string) time.Time {
	at := tx.Bucket(bIDs).Get([]byte(id))
	if at == nil {
		return time.Time{}
	}
	v := tx.Bucket(bBallots).Get(append(append(append([]byte{}, at...), 0), id...))
	_, raw, err := splitBallot(v)
	if err != nil {
		return time.Time{}
	}
	var st struct {
		Received time.Time `json:"received"`
	}
	if json.Unmarshal(raw, &st) != nil {
		return time.Time{}
	}
	return st.Received
}

// splitBallot parses a value of bBallots into the previous ID and the
// Stored JSON.
func splitBallot(v []byte) (prev string, stored []byte, err error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return "", nil, errors.New("corrupt ballot entry")
	}
	return string(v[k : k+int(n)]), v[k+int(n):], nil
}

// decodeStored decodes a value of bBallots; holds is nil when no ballot
// is held; dec, when set, reads the JSON without reflection.
func decodeStored(v []byte, counted, holds *bolt.Bucket, dec ...*storedDecoder) (Stored, error) {
	var st Stored
	_, raw, err := splitBallot(v)
	if err != nil {
		return st, err
	}
	if len(dec) == 0 || !dec[0].decode(raw, &st) {
		st = Stored{}
		if err := json.Unmarshal(raw, &st); err != nil {
			return st, err
		}
	}
	cur, _ := getCounted(counted, st.Ballot.VoterKey[:])
	st.Counted = cur.ID == st.Ballot.ID
	if holds != nil {
		st.Hold = Hold(holds.Get([]byte(st.Ballot.ID)))
	}
	return st, nil
}

// holdsOf returns the holds bucket, or nil when it is empty.
func holdsOf(tx *bolt.Tx) *bolt.Bucket {
	b := tx.Bucket(bHolds)
	if k, _ := b.Cursor().First(); k == nil {
		return nil
	}
	return b
}

// Ballot implements Store.
func (s *Bolt) Ballot(_ context.Context, id string) (Stored, error) {
	var st Stored
	err := s.db.View(func(tx *bolt.Tx) error {
		at := tx.Bucket(bIDs).Get([]byte(id))
		if at == nil {
			return ErrNotFound
		}
		v := tx.Bucket(bBallots).Get(append(append(append([]byte{}, at...), 0), id...))
		if v == nil {
			return ErrNotFound
		}
		var err error
		st, err = decodeStored(v, tx.Bucket(bCounted), holdsOf(tx))
		st.Withheld = withheld(tx, id)
		return err
	})
	return st, err
}

// withheld reports whether the answer about ballot id was withheld.
func withheld(tx *bolt.Tx, id string) bool {
	b := tx.Bucket(bWithheld)
	return b != nil && b.Get([]byte(id)) != nil
}

// MarkWithheld implements Store.
func (s *Bolt) MarkWithheld(_ context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		w, known := tx.Bucket(bWithheld), tx.Bucket(bIDs)
		for _, id := range ids {
			if known.Get([]byte(id)) == nil {
				continue
			}
			if err := w.Put([]byte(id), []byte{}); err != nil {
				return err
			}
		}
		return nil
	})
}

// BallotByPrefix implements Store.
func (s *Bolt) BallotByPrefix(ctx context.Context, prefix string) (Stored, error) {
	var id string
	s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bIDs).Cursor().Seek([]byte(prefix))
		if k != nil && strings.HasPrefix(string(k), prefix) {
			id = string(k)
		}
		return nil
	})
	if id == "" || prefix == "" {
		return Stored{}, ErrNotFound
	}
	return s.Ballot(ctx, id)
}

// VoterCounted implements Store.
func (s *Bolt) VoterCounted(_ context.Context, voter []byte) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bCounted).Get(voter) != nil
		return nil
	})
	return ok, err
}

// Chain implements Store.
func (s *Bolt) Chain(_ context.Context, kiosk string) (Chain, error) {
	var links []chainLink
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bBallots).Cursor()
		prefix := append([]byte(kiosk), 0)
		for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix)+9 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			prev, _, err := splitBallot(v)
			if err != nil {
				return err
			}
			links = append(links, chainLink{seq: binary.BigEndian.Uint64(rest[:8]), id: string(rest[9:]), prev: prev})
		}
		return nil
	})
	return chainOf(links), err
}

// Ballots implements Store.
func (s *Bolt) Ballots(_ context.Context, fn func(Stored) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		counted, holds := tx.Bucket(bCounted), holdsOf(tx)
		dec := &storedDecoder{in: interner{}}
		return tx.Bucket(bBallots).ForEach(func(_, v []byte) error {
			st, err := decodeStored(v, counted, holds, dec)
			if err != nil {
				// damage open did not catch (a field that reads as JSON but not as its type)
				return &boltfile.DamagedError{Path: s.db.Path(), Key: boltfile.KeyDamaged, Reason: "a ballot record cannot be read: " + err.Error()}
			}
			st.Withheld = withheld(tx, st.Ballot.ID)
			return fn(st)
		})
	})
}

// Counted implements Store: a scan of the compact tally index. One
// goroutine reads and decodes entries in batches while fn takes the
// batch before: a tally uses two cores.
func (s *Bolt) Counted(_ context.Context, fn func(edition, district string, sels []election.Selection) error) error {
	const batchSize, buffers = 4096, 3
	type entry struct {
		edition, district string
		sels              []election.Selection
	}
	return s.db.View(func(tx *bolt.Tx) error {
		full, free := make(chan []entry, buffers), make(chan []entry, buffers)
		for range buffers - 1 {
			free <- make([]entry, 0, batchSize)
		}
		stop := make(chan struct{})
		var readErr error
		go func() { // the only user of tx while it runs; nothing it hands over points into the file
			defer close(full)
			dec := choicesDecoder{in: interner{}}
			buf := make([]entry, 0, batchSize)
			readErr = tx.Bucket(bCounted).ForEach(func(_, v []byte) error {
				_, choices, ok := parseCounted(v)
				if !ok {
					return errCorrupt
				}
				if len(buf) == cap(buf) {
					select {
					case full <- buf:
					case <-stop:
						return errStopped
					}
					select {
					case b := <-free:
						buf = b[:0]
					case <-stop:
						return errStopped
					}
				}
				buf = buf[:len(buf)+1]
				e := &buf[len(buf)-1]
				var err error
				e.edition, e.district, e.sels, err = dec.decodeInto(choices, e.sels)
				return err
			})
			if readErr == nil && len(buf) > 0 {
				full <- buf
			}
		}()
		var fnErr error
		for b := range full {
			for i := 0; i < len(b) && fnErr == nil; i++ {
				if fnErr = fn(b[i].edition, b[i].district, b[i].sels); fnErr != nil {
					close(stop)
				}
			}
			free <- b
		}
		if fnErr != nil {
			return fnErr
		}
		return readErr
	})
}

// errStopped: the reader of a scan stopped because its consumer failed.
var errStopped = errors.New("scan stopped")

// Counts implements Store.
func (s *Bolt) Counts(context.Context) (total, counted int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		total, counted = tx.Bucket(bIDs).Stats().KeyN, tx.Bucket(bCounted).Stats().KeyN
		return nil
	})
	return
}
