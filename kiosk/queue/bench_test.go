package queue

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCommit reports the latency of Append (one fsync'd bbolt
// transaction) next to the physical limit measured in the same run on the
// same disk: a raw 4 KiB write plus fdatasync. The two are interleaved so
// that both see the same disk conditions.
func BenchmarkCommit(b *testing.B) {
	const rounds = 400
	dir := b.TempDir()
	q, err := Open(filepath.Join(dir, "kiosk.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	f, err := os.OpenFile(filepath.Join(dir, "raw"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	var commit, raw []time.Duration
	n := 0
	for b.Loop() {
		for range rounds {
			t0 := time.Now()
			if _, err := q.Append(ballot(), voter(n), 1); err != nil {
				b.Fatal(err)
			}
			commit = append(commit, time.Since(t0))
			t0 = time.Now()
			if _, err := f.WriteAt(page, int64(n%64)*4096); err != nil {
				b.Fatal(err)
			}
			if err := syscall.Fdatasync(int(f.Fd())); err != nil {
				b.Fatal(err)
			}
			raw = append(raw, time.Since(t0))
			n++
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	cp50, cp99 := percentile(commit, 50), percentile(commit, 99)
	rp50, rp99 := percentile(raw, 50), percentile(raw, 99)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(cp50), "commit-p50-ms")
	b.ReportMetric(ms(cp99), "commit-p99-ms")
	b.ReportMetric(ms(rp50), "fdatasync-p50-ms")
	b.ReportMetric(ms(rp99), "fdatasync-p99-ms")
	b.ReportMetric(float64(cp50)/float64(rp50), "p50-ratio")
	b.ReportMetric(float64(cp99)/float64(rp99), "p99-ratio(goal<=1.5)")
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
