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
// same disk: a raw 4 KiB write plus fdatasync. It also measures the floor
// of any bbolt commit: two such writes in a row, because bbolt makes its
// data pages durable before it writes the meta page that points at them,
// and then makes that durable too. The three are interleaved so that all
// see the same disk conditions.
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
	var commit, raw, two []time.Duration
	sync := func(at int64) {
		if _, err := f.WriteAt(page, at*4096); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for b.Loop() {
		for range rounds {
			t0 := time.Now()
			if _, err := q.Append(ballot(), voter(n), 1); err != nil {
				b.Fatal(err)
			}
			commit = append(commit, time.Since(t0))
			t0 = time.Now()
			sync(int64(n % 64))
			raw = append(raw, time.Since(t0))
			t0 = time.Now()
			sync(int64(64 + n%64)) // data pages…
			sync(int64(n % 2))     // …then the meta page
			two = append(two, time.Since(t0))
			n++
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	cp50, cp99 := percentile(commit, 50), percentile(commit, 99)
	rp50, rp99 := percentile(raw, 50), percentile(raw, 99)
	tp50, tp99 := percentile(two, 50), percentile(two, 99)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(cp50), "commit-p50-ms")
	b.ReportMetric(ms(cp99), "commit-p99-ms")
	b.ReportMetric(ms(rp50), "fdatasync-p50-ms")
	b.ReportMetric(ms(rp99), "fdatasync-p99-ms")
	b.ReportMetric(float64(cp50)/float64(rp50), "p50-ratio")
	b.ReportMetric(float64(cp99)/float64(rp99), "p99-ratio(goal<=1.5)")
	b.ReportMetric(ms(tp50), "two-barrier-p50-ms")
	b.ReportMetric(ms(tp99), "two-barrier-p99-ms")
	b.ReportMetric(float64(cp99)/float64(tp99), "p99-vs-two-barrier")
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
