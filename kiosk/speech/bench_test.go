package speech

import (
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkSpeechLatency reports the time from Say (a key press) to the
// first audio sample espeak-ng produces, next to its floor measured in the
// same run: starting espeak-ng and having it say nothing.
func BenchmarkSpeechLatency(b *testing.B) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		b.Skip("espeak-ng is not installed (apt-get install espeak-ng)")
	}
	const n = 30
	floor := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		cmd := exec.Command("espeak-ng", "-v", "pl", "--stdout")
		cmd.Stdin = strings.NewReader("")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		floor = append(floor, time.Since(start))
	}
	first := make(chan time.Time, 1)
	sp, err := NewEspeak(EspeakOptions{Output: func() io.WriteCloser {
		return &firstSample{at: first, closed: make(chan struct{})}
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	lat := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		sp.Say(Prompt{Lang: []string{"pl", "en", "uk"}[i%3], Text: prompts[[]string{"pl", "en", "uk"}[i%3]]})
		lat = append(lat, (<-first).Sub(start))
	}
	med := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	l, f := med(lat), med(floor)
	b.ReportMetric(float64(l.Microseconds())/1000, "ms-to-first-sample")
	b.ReportMetric(float64(f.Microseconds())/1000, "ms-floor-process-start")
	b.ReportMetric(float64(l)/float64(f), "ratio")
}

// firstSample notes when the first sample past the 44-byte WAV header arrives.
type firstSample struct {
	n      int
	sent   bool
	at     chan time.Time
	closed chan struct{}
}

func (f *firstSample) Write(p []byte) (int, error) {
	f.n += len(p)
	if !f.sent && f.n > 44 {
		f.sent = true
		f.at <- time.Now()
	}
	return len(p), nil
}

func (f *firstSample) Close() error { return nil }
