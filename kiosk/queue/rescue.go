package queue

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Rescue reads a store for a USB rescue without refusing a broken chain,
// read-only (the kiosk must be stopped): every ballot that is readable and
// verifies under the kiosk's key, in sequence order, and the breaks of the
// chain. A ballot that does not verify is left out and named as a break;
// a ballot after a break that verifies is kept (the central judges it).
func Rescue(path string, timeout time.Duration) ([]wire.SealedBallot, []ChainError, error) {
	db, err := boltfile.Open(path, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	var out []wire.SealedBallot
	var breaks []ChainError
	err = boltfile.Guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			meta, ballots := tx.Bucket(bucketMeta), tx.Bucket(bucketBallots)
			if meta == nil || ballots == nil {
				return ErrKeyLost
			}
			pub := ed25519.PublicKey(meta.Get(metaPublic))
			if seed := meta.Get(metaKey); len(seed) == ed25519.SeedSize {
				pub = metaKey2Pub(seed)
			}
			if len(pub) != ed25519.PublicKeySize {
				return ErrKeyLost
			}
			out, breaks = verifyEach(pub, func(fn func(k, v []byte)) {
				ballots.ForEach(func(k, v []byte) error { fn(k, v); return nil })
			})
			return nil
		})
	})
	return out, breaks, err
}

func metaKey2Pub(seed []byte) ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
}

// verifyEach walks stored ballots (seq key, JSON) in order and keeps the
// ones that verify; everything else is a break.
func verifyEach(pub ed25519.PublicKey, each func(func(k, v []byte))) ([]wire.SealedBallot, []ChainError) {
	var out []wire.SealedBallot
	var breaks []ChainError
	var last uint64
	head := ""
	each(func(k, v []byte) {
		if len(k) != 8 {
			breaks = append(breaks, ChainError{last + 1, "an entry with a malformed number"})
			return
		}
		seq := binary.BigEndian.Uint64(k)
		var s wire.SealedBallot
		switch err := json.Unmarshal(v, &s); {
		case err != nil:
			breaks = append(breaks, ChainError{seq, "unreadable (the record is damaged)"})
			return
		case s.Seq != seq:
			breaks = append(breaks, ChainError{seq, fmt.Sprintf("stored under %d but numbered %d", seq, s.Seq)})
			return
		}
		if err := s.Verify(pub); err != nil {
			breaks = append(breaks, ChainError{seq, err.Error()})
			return
		}
		switch {
		case seq > last+1 && (len(breaks) == 0 || breaks[len(breaks)-1].Seq != seq-1):
			breaks = append(breaks, ChainError{last + 1, fmt.Sprintf("missing (next readable is %d)", seq)})
		case seq == last+1 && s.Prev != head:
			breaks = append(breaks, ChainError{seq, "previous hash does not match"})
		}
		last, head = seq, s.ID
		out = append(out, s)
	})
	return out, breaks
}
