package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/wire"
)

// checkRecords reads every kiosk, catalog, ballot and tally record once at
// open. bbolt keeps no checksum of its pages, so bytes flipped inside a
// value pass its tree walk; without this check a store with unreadable
// ballots would serve results from its intact tally index.
func checkRecords(db *bolt.DB, path string) error {
	err := db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bKiosks).ForEach(func(k, v []byte) error {
			var kk Kiosk
			if json.Unmarshal(v, &kk) != nil || kk.ID != string(k) {
				return fmt.Errorf("the record of kiosk %q cannot be read", k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bCatalogs).ForEach(func(k, v []byte) error {
			var c wire.Catalog
			if len(k) != 8 || json.Unmarshal(v, &c) != nil || uint64(c.Version) != binary.BigEndian.Uint64(k) {
				return fmt.Errorf("a catalog record cannot be read")
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bBallots).ForEach(func(k, v []byte) error {
			if _, raw, err := splitBallot(v); err != nil || !json.Valid(raw) {
				return fmt.Errorf("a ballot record cannot be read")
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bCounted).ForEach(func(_, v []byte) error {
			if _, _, ok := parseCounted(v); !ok {
				return fmt.Errorf("a tally record cannot be read")
			}
			return nil
		})
	})
	if err != nil {
		return &boltfile.DamagedError{Path: path, Key: boltfile.KeyDamaged, Reason: err.Error()}
	}
	return nil
}

// hasPrefix reports whether the cursor's bucket holds a key beginning with prefix.
func hasPrefix(c *bolt.Cursor, prefix []byte) bool {
	k, _ := c.Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}
