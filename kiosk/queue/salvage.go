package queue

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/wire"
)

// SalvageReport says what Salvage recovered and what was lost.
type SalvageReport struct {
	Recovered    int      // ballots copied, each verified under the kiosk's key
	Highest      uint64   // the highest number among them
	Missing      []uint64 // numbers below Highest not recovered
	Unverifiable int      // ballot records found that did not verify (left out)
	Outbox       int      // recovered ballots whose central answer was recovered too; the others are pending again (re-sending is harmless)
	Problems     []string // the damage the walk of the old file met
	KeyLost      bool     // the kiosk's signing key was lost: the new store is for export only
	// Known is the highest ballot number the old file shows (ballot
	// records good or bad, central answers, the audit log's opens). When
	// it is above Highest, the numbers between are in Missing and the new
	// store takes no new ballots: numbering again from Highest+1 would
	// give a second, different ballot a number the central may hold.
	Known uint64
	// RecordsLost are the kinds of records of an enrolled kiosk that could
	// not be recovered: "kiosk-id", "enrollment", "catalog".
	RecordsLost []string
}

// metaSalvagedKnown holds SalvageReport.Known in a salvaged store.
var metaSalvagedKnown = []byte("salvaged-known-seq")

// ErrSalvagedLost: a salvaged store lost its last ballots.
var ErrSalvagedLost = errors.New("this store was salvaged and lost its last ballots: export its ballots with urnactl export-ballots; it takes no new ones (their numbers would repeat lost ones)")

// ErrKeyLost: the kiosk's signing key is not in the store.
var ErrKeyLost = errors.New("the kiosk's signing key cannot be read from the store: give the kiosk's public key (from the central) to verify its ballots")

// metaPublic holds the public key of a store salvaged without its signing key.
var metaPublic = []byte("ed25519-public")

// Salvage copies everything that can still be read from a damaged store
// at from into a new store at to (which must not exist): the kiosk's key
// and id, its settings (enrollment, catalog), the audit log, and every
// ballot that verifies under the kiosk's key, found through the file's
// tree or, where its branch pages are lost, by scanning every leaf page.
// The old file is only read. Ballots after the last one recovered cannot
// be known from the file: compare Highest with the closing report or the
// central's count.
//
// When the kiosk's key cannot be read (a file cut short loses the newest
// pages, where bbolt keeps it), pub, the kiosk's public key as the central
// holds it, verifies the ballots; the new store then has no signing key
// and refuses to open for voting: its ballots are for export-ballots.
func Salvage(from, to string, pub ed25519.PublicKey) (SalvageReport, error) {
	var rep SalvageReport
	if _, err := os.Stat(to); err == nil {
		return rep, fmt.Errorf("%s exists: salvage writes a new store", to)
	}
	buckets := map[string]map[string][]byte{}
	problems, err := boltfile.Walk(from, func(bucket []string, k, v []byte) {
		if len(bucket) != 1 {
			return
		}
		if buckets[bucket[0]] == nil {
			buckets[bucket[0]] = map[string][]byte{}
		}
		buckets[bucket[0]][string(k)] = v
	})
	// a file without a usable meta page is scanned page by page
	if err != nil {
		problems = append(problems, err)
	}
	for _, p := range problems {
		rep.Problems = append(rep.Problems, p.Error())
	}
	meta := buckets[string(bucketMeta)]
	var candidates [][2][]byte
	for k, v := range buckets[string(bucketBallots)] {
		candidates = append(candidates, [2][]byte{[]byte(k), v})
	}
	scanErr := boltfile.ScanLeaves(from, func(_ []string, k, v []byte) {
		switch {
		case string(k) == string(metaKey) && len(v) == ed25519.SeedSize && meta[string(metaKey)] == nil:
			if meta == nil {
				meta = map[string][]byte{}
			}
			meta[string(metaKey)] = v
		case string(k) == string(metaKiosk) && meta[string(metaKiosk)] == nil && meta != nil:
			meta[string(metaKiosk)] = v
		case len(k) == 8 && bytes.HasPrefix(v, []byte(`{"id":`)):
			candidates = append(candidates, [2][]byte{k, v})
		case (string(k) == "enrollment" || string(k) == "catalog" || string(k) == "catalog.version") && len(v) > 0:
			// settings the tree lost, from an older copy of their page
			if buckets[string(bucketSettings)] == nil {
				buckets[string(bucketSettings)] = map[string][]byte{}
			}
			if buckets[string(bucketSettings)][string(k)] == nil {
				buckets[string(bucketSettings)][string(k)] = v
			}
		}
	})
	if scanErr != nil {
		return rep, scanErr
	}
	seed := meta[string(metaKey)]
	switch {
	case len(seed) == ed25519.SeedSize:
		pub = ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	case len(pub) == ed25519.PublicKeySize:
		rep.KeyLost = true
		delete(meta, string(metaKey))
		if meta == nil {
			meta = map[string][]byte{}
		}
		meta[string(metaPublic)] = pub
	default:
		return rep, ErrKeyLost
	}
	good := map[uint64][]byte{}
	bad := map[string]bool{}
	for _, c := range candidates {
		seq := binary.BigEndian.Uint64(c[0])
		if good[seq] != nil {
			continue
		}
		var s wire.SealedBallot
		if json.Unmarshal(c[1], &s) != nil || s.Seq != seq || s.Verify(pub) != nil {
			bad[string(c[1])] = true
			continue
		}
		good[seq] = c[1]
	}
	rep.Unverifiable = len(bad)
	for _, c := range candidates {
		rep.Known = max(rep.Known, binary.BigEndian.Uint64(c[0]))
	}
	for k := range buckets[string(bucketOutbox)] {
		if len(k) == 8 {
			rep.Known = max(rep.Known, binary.BigEndian.Uint64([]byte(k)))
		}
	}
	for _, v := range buckets[string(bucketAudit)] {
		var ev Event
		if json.Unmarshal(v, &ev) == nil {
			rep.Known = max(rep.Known, ev.Seq)
		}
	}
	seqs := make([]uint64, 0, len(good))
	for seq := range good {
		seqs = append(seqs, seq)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	rep.Recovered = len(seqs)
	if len(seqs) > 0 {
		rep.Highest = seqs[len(seqs)-1]
	}
	next := uint64(1)
	for _, seq := range seqs {
		for ; next < seq; next++ {
			rep.Missing = append(rep.Missing, next)
		}
		next = seq + 1
	}
	for ; next <= rep.Known; next++ {
		rep.Missing = append(rep.Missing, next)
	}
	if rep.Known > rep.Highest {
		if meta == nil {
			meta = map[string][]byte{}
		}
		meta[string(metaSalvagedKnown)] = seqKey(rep.Known)
	}

	enrolled := len(meta[string(metaKiosk)]) > 0
	for _, seq := range seqs {
		var s wire.SealedBallot
		if json.Unmarshal(good[seq], &s) == nil && s.Kiosk != "" {
			enrolled = true
			break
		}
	}
	if enrolled {
		if len(meta[string(metaKiosk)]) == 0 {
			rep.RecordsLost = append(rep.RecordsLost, "kiosk-id")
		}
		for _, name := range []string{"enrollment", "catalog"} {
			if buckets[string(bucketSettings)][name] == nil {
				rep.RecordsLost = append(rep.RecordsLost, name)
			}
		}
	}

	db, err := boltfile.Open(to, &bolt.Options{Timeout: time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return rep, err
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		made := map[string]*bolt.Bucket{}
		for _, name := range [][]byte{bucketBallots, bucketOutbox, bucketAudit, bucketSettings, bucketMeta} {
			b, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			made[string(name)] = b
		}
		for _, name := range []string{string(bucketMeta), string(bucketSettings), string(bucketAudit)} {
			src := buckets[name]
			if name == string(bucketMeta) {
				src = meta
			}
			for k, v := range src {
				if err := made[name].Put([]byte(k), v); err != nil {
					return err
				}
			}
		}
		audit := made[string(bucketAudit)]
		if n, _ := audit.Cursor().Last(); len(n) == 8 {
			audit.SetSequence(binary.BigEndian.Uint64(n))
		}
		for _, seq := range seqs {
			if err := made[string(bucketBallots)].Put(seqKey(seq), good[seq]); err != nil {
				return err
			}
			if o := buckets[string(bucketOutbox)][string(seqKey(seq))]; o != nil {
				rep.Outbox++
				if err := made[string(bucketOutbox)].Put(seqKey(seq), o); err != nil {
					return err
				}
			}
		}
		return appendEvent(tx, Event{Name: EventStoreSalvaged, OK: len(rep.Missing) == 0,
			Detail: fmt.Sprintf("%d ballots recovered, %d missing, %d unverifiable", rep.Recovered, len(rep.Missing), rep.Unverifiable)})
	})
	return rep, err
}

// checkSalvaged refuses a salvaged store whose chain ends below the
// highest number the damaged one showed.
func (q *Queue) checkSalvaged() error {
	return q.db.View(func(tx *bolt.Tx) error {
		if k := tx.Bucket(bucketMeta).Get(metaSalvagedKnown); len(k) == 8 && binary.BigEndian.Uint64(k) > q.seq {
			return ErrSalvagedLost
		}
		return nil
	})
}
