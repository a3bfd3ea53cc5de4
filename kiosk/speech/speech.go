// Package speech says the kiosk's prompts aloud for residents who cannot
// read the screen. A Speaker takes prompts from the UI without blocking it:
// one goroutine owns the speech process, and a new prompt interrupts the one
// being said. Espeak speaks through Debian's espeak-ng (pl, en and uk voices);
// Recorder keeps the prompts in order for tests.
package speech

import (
	"sync"
)

// Prompt is one thing to say, with the resident's current settings.
type Prompt struct {
	Lang string // "pl", "en" or "uk"
	Text string
	// Rate is the speed in words per minute (0: DefaultRate).
	Rate int
	// Volume is the amplitude, 0-200 (0: DefaultVolume).
	Volume int
}

// Speech settings: espeak-ng's own defaults and the bounds the kiosk's +/- keys move within.
const (
	DefaultRate   = 160
	MinRate       = 80
	MaxRate       = 400
	DefaultVolume = 100
	MinVolume     = 10
	MaxVolume     = 200
)

// Speaker says prompts. Say returns at once and interrupts whatever is
// being said; Stop silences it; Close ends the speaker.
type Speaker interface {
	Say(Prompt)
	Stop()
	Close() error
}

// Settings are one resident's rate and volume; the zero value is the default.
type Settings struct {
	Rate, Volume int
}

// Faster, Slower, Louder and Quieter move a setting one step within its bounds.
func (s Settings) Faster() Settings  { s.Rate = clamp(s.rate()+20, MinRate, MaxRate); return s }
func (s Settings) Slower() Settings  { s.Rate = clamp(s.rate()-20, MinRate, MaxRate); return s }
func (s Settings) Louder() Settings  { s.Volume = clamp(s.volume()+20, MinVolume, MaxVolume); return s }
func (s Settings) Quieter() Settings { s.Volume = clamp(s.volume()-20, MinVolume, MaxVolume); return s }

// Prompt returns text in lang with these settings.
func (s Settings) Prompt(lang, text string) Prompt {
	return Prompt{Lang: lang, Text: text, Rate: s.rate(), Volume: s.volume()}
}

func (s Settings) rate() int {
	if s.Rate == 0 {
		return DefaultRate
	}
	return s.Rate
}

func (s Settings) volume() int {
	if s.Volume == 0 {
		return DefaultVolume
	}
	return s.Volume
}

func clamp(v, lo, hi int) int {
	return max(lo, min(hi, v))
}

// Recorder is a Speaker that keeps what it was asked to say, for tests.
type Recorder struct {
	mu     sync.Mutex
	said   []Prompt
	stops  int
	closed bool
}

// Say records p.
func (r *Recorder) Say(p Prompt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.said = append(r.said, p)
}

// Stop counts a silencing.
func (r *Recorder) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stops++
}

// Close marks the recorder closed.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

// Said returns the prompts so far, oldest first.
func (r *Recorder) Said() []Prompt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Prompt(nil), r.said...)
}

// Texts returns the texts said so far, oldest first.
func (r *Recorder) Texts() []string {
	var out []string
	for _, p := range r.Said() {
		out = append(out, p.Text)
	}
	return out
}

// Reset forgets what was said.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.said, r.stops = nil, 0
}
