package speech

import (
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
)

func TestSettingsStayInBounds(t *testing.T) {
	var s Settings
	for range 50 {
		s = s.Faster().Louder()
	}
	if p := s.Prompt("pl", "x"); p.Rate != MaxRate || p.Volume != MaxVolume {
		t.Fatalf("after many steps up: %+v", p)
	}
	for range 50 {
		s = s.Slower().Quieter()
	}
	if p := s.Prompt("pl", "x"); p.Rate != MinRate || p.Volume != MinVolume {
		t.Fatalf("after many steps down: %+v", p)
	}
	if p := (Settings{}).Prompt("uk", "x"); p.Rate != DefaultRate || p.Volume != DefaultVolume {
		t.Fatalf("zero settings are not the defaults: %+v", p)
	}
}

func TestRecorderKeepsOrder(t *testing.T) {
	var r Recorder
	r.Say(Prompt{Lang: "pl", Text: "jeden"})
	r.Say(Prompt{Lang: "en", Text: "two"})
	r.Stop()
	if got := strings.Join(r.Texts(), ","); got != "jeden,two" {
		t.Fatalf("said %q", got)
	}
	r.Reset()
	if len(r.Said()) != 0 {
		t.Fatal("reset kept prompts")
	}
}

// prompts has a sentence per language with the letters each must get right.
var prompts = map[string]string{
	"pl": "Wybierz dzielnicę. Zażółć gęślą jaźń. Projekt numer dwanaście, koszt czterysta tysięcy złotych.",
	"en": "Choose your district. Project number twelve, cost four hundred thousand zloty.",
	"uk": "Виберіть свій район. Ґанок, їжак, єдність, інший. Проєкт номер дванадцять.",
}

// wavSeconds asks sox how long a WAV file is.
func wavSeconds(t *testing.T, sox, path string) float64 {
	t.Helper()
	out, err := exec.Command(sox, "--i", "-D", path).Output()
	if err != nil {
		t.Fatalf("sox --i %s: %v", path, err)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("sox --i -D: %q", out)
	}
	return d
}

// wavRMS asks sox for the RMS amplitude of a WAV file (0 is silence, 1 full scale).
func wavRMS(t *testing.T, sox, path string) float64 {
	t.Helper()
	out, _ := exec.Command(sox, path, "-n", "stat").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "RMS" && f[1] == "amplitude:" {
			v, err := strconv.ParseFloat(f[2], 64)
			if err == nil {
				return v
			}
		}
	}
	t.Fatalf("sox stat gave no RMS amplitude: %s", out)
	return 0
}

// TestEspeakSpeaksEachLanguage has espeak-ng write each language's prompt
// to a WAV and checks with sox that it holds plausible speech: a second or
// more for a sentence, not the hundreds of ms a failed voice gives.
func TestEspeakSpeaksEachLanguage(t *testing.T) {
	needs.Tool(t, "espeak-ng", "espeak-ng")
	sox := needs.Tool(t, "sox", "sox")
	dir := t.TempDir()
	for _, lang := range []string{"pl", "en", "uk"} {
		ended := make(chan struct{}, 1)
		sp, err := NewEspeak(EspeakOptions{WAVDir: filepath.Join(dir, lang), Ended: func() { ended <- struct{}{} }})
		if err != nil {
			t.Fatal(err)
		}
		sp.Say((Settings{}).Prompt(lang, prompts[lang]))
		path := filepath.Join(dir, lang, "0001.wav")
		select {
		case <-ended:
		case <-time.After(20 * time.Second):
			t.Fatal("espeak-ng did not finish")
		}
		sp.Close()
		secs := wavSeconds(t, sox, path)
		words := len(strings.Fields(prompts[lang]))
		// At 160 words a minute a sentence of n words takes about n*0.375 s.
		if lo, hi := float64(words)*0.15, float64(words)*1.5; secs < lo || secs > hi {
			t.Errorf("%s: %d words spoken in %.2f s, want %.1f-%.1f s", lang, words, secs, lo, hi)
		}
		if rms := wavRMS(t, sox, path); rms < 0.01 {
			t.Errorf("%s: RMS amplitude %.4f: silence, not speech", lang, rms)
		}
	}
}

// TestEspeakNewPromptInterrupts checks that a prompt cuts the one before it
// short instead of queueing behind it.
func TestEspeakNewPromptInterrupts(t *testing.T) {
	needs.Tool(t, "espeak-ng", "espeak-ng")
	var mu sync.Mutex
	var streams []*stream
	sp, err := NewEspeak(EspeakOptions{Output: func() io.WriteCloser {
		mu.Lock()
		defer mu.Unlock()
		s := &stream{closed: make(chan struct{})}
		streams = append(streams, s)
		return s
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	long := strings.Repeat(prompts["pl"]+" ", 20)
	full := speakAll(t, long)

	sp.Say(Prompt{Lang: "pl", Text: long})
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(streams) == 1 && streams[0].len() > 44
	})
	sp.Say(Prompt{Lang: "pl", Text: "Dalej."})
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(streams) == 2 && streams[1].isClosed()
	})
	<-streams[0].closed
	if got := streams[0].len(); got >= full {
		t.Fatalf("the interrupted prompt played to its end (%d of %d bytes)", got, full)
	}
	if streams[1].len() <= 44 {
		t.Fatal("the new prompt gave no audio")
	}
}

// TestSayNeverBlocks calls Say far faster than speech can follow; each call
// must return while the speaker is busy.
func TestSayNeverBlocks(t *testing.T) {
	needs.Tool(t, "espeak-ng", "espeak-ng")
	sp, err := NewEspeak(EspeakOptions{Output: func() io.WriteCloser { return &stream{closed: make(chan struct{})} }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		sp.Say(Prompt{Lang: "en", Text: "number " + strconv.Itoa(i)})
	}
	sp.Stop()
	sp.Close()
	sp.Say(Prompt{Lang: "en", Text: "after close"}) // must not block or panic
}

// speakAll returns the bytes espeak-ng gives for text in Polish, uninterrupted.
func speakAll(t *testing.T, text string) int {
	t.Helper()
	cmd := exec.Command("espeak-ng", "-v", "pl", "--stdout")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return len(out)
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatal("gave up waiting")
}

// stream collects one prompt's audio.
type stream struct {
	mu     sync.Mutex
	b      bytes.Buffer
	first  time.Time
	closed chan struct{}
	once   sync.Once
}

func (s *stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first.IsZero() && s.b.Len()+len(p) > 44 {
		s.first = time.Now()
	}
	return s.b.Write(p)
}

func (s *stream) Close() error { s.once.Do(func() { close(s.closed) }); return nil }

func (s *stream) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *stream) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}
