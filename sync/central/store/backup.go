package store

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// CopyTo writes a consistent copy of the store file while the store keeps
// serving (one read transaction: writers go on, the copy sees none of
// their work). begin is told the copy's size before any byte is written
// and returns where to write.
func (s *Bolt) CopyTo(begin func(size int64) (io.Writer, error)) error {
	return s.db.View(func(tx *bolt.Tx) error {
		w, err := begin(tx.Size())
		if err != nil {
			return err
		}
		_, err = tx.WriteTo(w)
		return err
	})
}
