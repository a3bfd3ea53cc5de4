package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

var (
	bKiosks   = []byte("kiosks")
	bCodes    = []byte("codes")
	bCatalogs = []byte("catalogs")
	bBallots  = []byte("ballots")
	bByKiosk  = []byte("by-kiosk") // kiosk \x00 seq \x00 id -> prev
	bCounted  = []byte("counted")  // voter key -> countedRef
	bTally    = []byte("tally")    // voter key -> the counted ballot's choices, compact
)

// countedRef is the ballot that counts for a voter: its cast time (unix
// nanoseconds, big-endian) and its ID.
type countedRef struct {
	ID     string
	CastAt time.Time
}

func (c countedRef) bytes() []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(c.CastAt.UnixNano())), c.ID...)
}

func getCounted(b *bolt.Bucket, voter []byte) (countedRef, bool) {
	raw := b.Get(voter)
	if len(raw) < 8 {
		return countedRef{}, false
	}
	return countedRef{CastAt: time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8]))).UTC(), ID: string(raw[8:])}, true
}

type boltCode struct {
	Venue   string    `json:"venue"`
	Expires time.Time `json:"expires"`
	Used    bool      `json:"used"`
}

// Bolt is the embedded store: one file, one process.
type Bolt struct{ db *bolt.DB }

// OpenBolt opens (or creates) the store at path.
func OpenBolt(path string) (*Bolt, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("open central store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bKiosks, bCodes, bCatalogs, bBallots, bByKiosk, bCounted, bTally} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Bolt{db: db}, nil
}

// Close implements Store.
func (s *Bolt) Close() error { return s.db.Close() }

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
		return put(b, []byte(id), k)
	})
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

// AddBallots implements Store: one transaction (one fsync) for the batch.
func (s *Bolt) AddBallots(_ context.Context, bs []wire.SealedBallot, received time.Time) ([]wire.Status, error) {
	out := make([]wire.Status, len(bs))
	// Encode before taking the write lock: concurrent batches then wait
	// for each other only while they write.
	encoded := make([][]byte, len(bs))
	for i := range bs {
		enc, err := json.Marshal(Stored{Ballot: bs[i], Received: received})
		if err != nil {
			return nil, err
		}
		encoded[i] = enc
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		ballots, byKiosk, counted, tally := tx.Bucket(bBallots), tx.Bucket(bByKiosk), tx.Bucket(bCounted), tx.Bucket(bTally)
		for i, b := range bs {
			if ballots.Get([]byte(b.ID)) == nil {
				if err := ballots.Put([]byte(b.ID), encoded[i]); err != nil {
					return err
				}
				if err := byKiosk.Put(byKioskKey(b.Kiosk, b.Seq, b.ID), []byte(b.Prev)); err != nil {
					return err
				}
				if cur, ok := getCounted(counted, b.VoterKey[:]); !ok || earlier(b.CastAt, b.ID, cur.CastAt, cur.ID) {
					if err := counted.Put(b.VoterKey[:], countedRef{ID: b.ID, CastAt: b.CastAt}.bytes()); err != nil {
						return err
					}
					if err := tally.Put(b.VoterKey[:], encodeChoices(&b)); err != nil {
						return err
					}
				}
			}
			cur, _ := getCounted(counted, b.VoterKey[:])
			out[i] = wire.Duplicate
			if cur.ID == b.ID {
				out[i] = wire.Accepted
			}
		}
		return nil
	})
	return out, err
}

// Ballot implements Store.
func (s *Bolt) Ballot(_ context.Context, id string) (Stored, error) {
	var st Stored
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := get(tx.Bucket(bBallots), []byte(id), &st); err != nil {
			return err
		}
		cur, _ := getCounted(tx.Bucket(bCounted), st.Ballot.VoterKey[:])
		st.Counted = cur.ID == id
		return nil
	})
	return st, err
}

// BallotByPrefix implements Store.
func (s *Bolt) BallotByPrefix(ctx context.Context, prefix string) (Stored, error) {
	var id string
	s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bBallots).Cursor().Seek([]byte(prefix))
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
		c := tx.Bucket(bByKiosk).Cursor()
		prefix := append([]byte(kiosk), 0)
		for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix)+9 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			links = append(links, chainLink{seq: binary.BigEndian.Uint64(rest[:8]), id: string(rest[9:]), prev: string(v)})
		}
		return nil
	})
	return chainOf(links), err
}

// Ballots implements Store.
func (s *Bolt) Ballots(_ context.Context, fn func(Stored) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		counted := tx.Bucket(bCounted)
		return tx.Bucket(bBallots).ForEach(func(_, v []byte) error {
			var st Stored
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			cur, _ := getCounted(counted, st.Ballot.VoterKey[:])
			st.Counted = cur.ID == st.Ballot.ID
			return fn(st)
		})
	})
}

// Counted implements Store: a scan of the compact tally index.
func (s *Bolt) Counted(_ context.Context, fn func(edition, district string, sels []election.Selection) error) error {
	in := interner{}
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bTally).ForEach(func(_, v []byte) error {
			ed, d, sels, err := decodeChoices(v, in)
			if err != nil {
				return err
			}
			return fn(ed, d, sels)
		})
	})
}

// Counts implements Store.
func (s *Bolt) Counts(context.Context) (total, counted int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		total, counted = tx.Bucket(bBallots).Stats().KeyN, tx.Bucket(bCounted).Stats().KeyN
		return nil
	})
	return
}
