package boltfile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkCheck: the check before a store is mapped (every page of the
// tree read and walked), next to its floor, one plain read of the file,
// and to bbolt's own walk of every page at open (its freelist rebuild).
// 100,000 entries of 700 bytes, as ballots are.
func BenchmarkCheck(b *testing.B) {
	path := filepath.Join(b.TempDir(), "s.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	v := make([]byte, 700)
	for batch := range 20 {
		db.Update(func(tx *bolt.Tx) error {
			bk, _ := tx.CreateBucketIfNotExists([]byte("ballots"))
			bk.FillPercent = 1
			for i := range 5000 {
				bk.Put(fmt.Appendf(nil, "%08d", batch*5000+i), v)
			}
			return nil
		})
	}
	db.Close()
	var check, read, walk time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := Check(path); err != nil {
			b.Fatal(err)
		}
		check += time.Since(t0)
		t0 = time.Now()
		if _, err := os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
		read += time.Since(t0)
		t0 = time.Now()
		db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType, PreLoadFreelist: true})
		if err != nil {
			b.Fatal(err)
		}
		walk += time.Since(t0)
		db.Close()
	}
	n := float64(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(check.Milliseconds())/n, "check-ms")
	b.ReportMetric(float64(read.Milliseconds())/n, "read-file-ms")
	b.ReportMetric(float64(check)/float64(read), "check-vs-read")
	b.ReportMetric(float64(check)/float64(walk), "check-vs-bbolt-open-walk")
}
