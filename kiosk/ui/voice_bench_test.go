package ui

import (
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/kiosk/speech"
)

// BenchmarkKeyToFirstSample is the time from a key press on the choose
// screen (Down: the next project, said with its number, title and cost)
// to the first audio sample espeak-ng gives, next to its physical floor
// measured in the same run: espeak-ng started directly on the same text,
// to its first sample. The ratio is what the kiosk adds.
func BenchmarkKeyToFirstSample(b *testing.B) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		b.Skip("espeak-ng is not installed (apt-get install espeak-ng)")
	}
	const n = 15
	first := make(chan time.Time, 1)
	sp, err := speech.NewEspeak(speech.EspeakOptions{Output: func() io.WriteCloser { return &firstSample{at: first} }})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	r := newRig(b, portrait)
	r.u.o.Speaker = sp
	r.u.Refresh()
	r.press("Return")
	r.typeKeys("44051401359")
	r.press("Return", "End", "Return", "End", "Return")
	r.want("choose")
	drain := func() {
		for {
			select {
			case <-first:
			case <-time.After(300 * time.Millisecond):
				return
			}
		}
	}
	drain()
	var lat, floor []time.Duration
	var text string
	for range n {
		start := time.Now()
		r.press("Down")
		lat = append(lat, (<-first).Sub(start))
		text = r.u.voice.last.Text
		drain()
	}
	for range n {
		start := time.Now()
		cmd := exec.Command("espeak-ng", "-v", "pl", "--stdout")
		cmd.Stdin = strings.NewReader(text)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 4096)
		got := 0
		for got <= 44 {
			k, err := out.Read(buf)
			got += k
			if err != nil {
				break
			}
		}
		floor = append(floor, time.Since(start))
		cmd.Process.Kill()
		cmd.Wait()
	}
	med := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	l, f := med(lat), med(floor)
	b.ReportMetric(float64(l.Microseconds())/1000, "ms-key-to-first-sample")
	b.ReportMetric(float64(f.Microseconds())/1000, "ms-espeak-start-to-first-sample")
	b.ReportMetric(float64(l)/float64(f), "ratio")
}

// firstSample notes when the first sample past the 44-byte WAV header arrives.
type firstSample struct {
	n    int
	sent bool
	at   chan time.Time
}

func (f *firstSample) Write(p []byte) (int, error) {
	f.n += len(p)
	if !f.sent && f.n > 44 {
		f.sent = true
		select {
		case f.at <- time.Now():
		default:
		}
	}
	return len(p), nil
}

func (f *firstSample) Close() error { return nil }
