package speech

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// voices maps the kiosk's languages to espeak-ng voices.
var voices = map[string]string{"pl": "pl", "en": "en", "uk": "uk"}

// EspeakOptions say where espeak-ng's audio goes.
type EspeakOptions struct {
	// Binary is the espeak-ng executable ("espeak-ng" on PATH if empty).
	Binary string
	// WAVDir, if set, writes each prompt to WAVDir/NNNN.wav instead of the
	// sound device (tests, and kiosks whose audio is checked by a technician).
	WAVDir string
	// Output, if set, receives each prompt's WAV stream (espeak-ng --stdout)
	// instead of the sound device; called once per prompt.
	Output func() io.WriteCloser
	// Ended, if set, is called when a prompt's speech ends, finished or cut short.
	Ended func()
	Log   *slog.Logger
}

// Espeak is a Speaker over espeak-ng. One goroutine owns the running
// process: Say hands it the newest prompt and never waits for speech.
type Espeak struct {
	o    EspeakOptions
	next chan Prompt
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	n    int // prompts said, for WAV names
	once sync.Once
}

// ErrNoEspeak is returned when espeak-ng is not installed.
var ErrNoEspeak = errors.New("speech: espeak-ng is not installed (apt-get install espeak-ng)")

// NewEspeak starts a speaker. It fails if espeak-ng cannot be found.
func NewEspeak(o EspeakOptions) (*Espeak, error) {
	if o.Binary == "" {
		o.Binary = "espeak-ng"
	}
	path, err := exec.LookPath(o.Binary)
	if err != nil {
		return nil, ErrNoEspeak
	}
	o.Binary = path
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.WAVDir != "" {
		if err := os.MkdirAll(o.WAVDir, 0o750); err != nil {
			return nil, fmt.Errorf("speech: %w", err)
		}
	}
	e := &Espeak{o: o, next: make(chan Prompt, 1), stop: make(chan struct{}, 1), done: make(chan struct{})}
	go e.run()
	return e, nil
}

// Say interrupts what is being said and says p.
func (e *Espeak) Say(p Prompt) {
	select {
	case <-e.done:
		return
	default:
	}
	// Keep only the newest prompt: an older one still waiting is dropped.
	for {
		select {
		case e.next <- p:
			return
		default:
			select {
			case <-e.next:
			default:
			}
		}
	}
}

// Stop silences the speaker.
func (e *Espeak) Stop() {
	select {
	case e.stop <- struct{}{}:
	default:
	}
}

// Close stops speech and ends the speaker's goroutine.
func (e *Espeak) Close() error {
	e.once.Do(func() { close(e.done) })
	return nil
}

// run owns the espeak-ng process: each prompt kills the previous one.
func (e *Espeak) run() {
	var cur *exec.Cmd
	var exited chan struct{}
	kill := func() {
		if cur != nil && cur.Process != nil {
			_ = cur.Process.Kill()
			<-exited
		}
		cur = nil
	}
	defer kill()
	for {
		select {
		case <-e.done:
			return
		case <-e.stop:
			kill()
		case p := <-e.next:
			kill()
			cmd, out := e.command(p)
			if err := cmd.Start(); err != nil {
				e.o.Log.Warn("speech-failed", "err", err)
				if out != nil {
					_ = out.Close()
				}
				continue
			}
			cur, exited = cmd, make(chan struct{})
			go func(c *exec.Cmd, out io.Closer, ch chan struct{}) {
				_ = c.Wait()
				if out != nil {
					_ = out.Close()
				}
				if e.o.Ended != nil {
					e.o.Ended()
				}
				close(ch)
			}(cmd, out, exited)
		}
	}
}

// command builds the espeak-ng call for p, and the writer its audio goes
// to, if any. The text goes on standard input, never on the command line,
// so it is not visible in the process list.
func (e *Espeak) command(p Prompt) (*exec.Cmd, io.WriteCloser) {
	voice, ok := voices[p.Lang]
	if !ok {
		voice = voices["pl"]
	}
	s := Settings{Rate: p.Rate, Volume: p.Volume}
	args := []string{"-v", voice, "-s", strconv.Itoa(s.rate()), "-a", strconv.Itoa(s.volume())}
	var out io.WriteCloser
	switch {
	case e.o.Output != nil:
		args = append(args, "--stdout")
		out = e.o.Output()
	case e.o.WAVDir != "":
		e.mu.Lock()
		e.n++
		name := filepath.Join(e.o.WAVDir, fmt.Sprintf("%04d.wav", e.n))
		e.mu.Unlock()
		args = append(args, "-w", name)
	}
	cmd := exec.Command(e.o.Binary, args...)
	cmd.Stdin = strings.NewReader(p.Text)
	if out != nil {
		cmd.Stdout = out
	}
	return cmd, out
}
