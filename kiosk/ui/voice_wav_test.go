package ui

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/speech"
)

// TestGuidePromptsAsWAV has espeak-ng say the guide's own prompts from a
// keys-only vote in each language (the identity screen, a project, the
// ballot read back, the thank-you with the tracker) into WAV files, and
// checks each with sox: as long as its words need at a plausible rate,
// and not silence.
func TestGuidePromptsAsWAV(t *testing.T) {
	needs.Tool(t, "espeak-ng", "espeak-ng")
	sox := needs.Tool(t, "sox", "sox")
	m := assets.MustMessages()
	for i, lang := range []string{"pl", "en", "uk"} {
		t.Run(lang, func(t *testing.T) {
			r, rec := voiceRig(t, portrait)
			r.voteByKeys(lang, []string{"44051401359", "02270803624", "85010112345"}[i])
			pick := map[string]string{}
			for _, p := range rec.Said() {
				if p.Lang != lang {
					continue
				}
				for name, mark := range map[string]string{"identity": m.T(lang, "voice.identity"), "review": m.T(lang, "voice.review"),
					"done": m.T(lang, "ui.thanks"), "project": m.T(lang, "voice.selected")} {
					if _, ok := pick[name]; !ok && strings.Contains(p.Text, mark) {
						pick[name] = p.Text
					}
				}
			}
			dir := t.TempDir()
			for name, text := range pick {
				ended := make(chan struct{}, 1)
				sp, err := speech.NewEspeak(speech.EspeakOptions{WAVDir: filepath.Join(dir, name), Ended: func() { ended <- struct{}{} }})
				if err != nil {
					t.Fatal(err)
				}
				sp.Say((speech.Settings{}).Prompt(lang, text))
				select {
				case <-ended:
				case <-time.After(60 * time.Second):
					t.Fatal("espeak-ng did not finish")
				}
				sp.Close()
				path := filepath.Join(dir, name, "0001.wav")
				out, err := exec.Command(sox, "--i", "-D", path).Output()
				if err != nil {
					t.Fatalf("sox --i %s: %v", path, err)
				}
				secs, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
				words := len(strings.Fields(text))
				if lo, hi := float64(words)*0.15, float64(words)*1.5; secs < lo || secs > hi {
					t.Errorf("%s %s: %d words in %.1f s, want %.1f-%.1f s", lang, name, words, secs, lo, hi)
				}
				stat, _ := exec.Command(sox, path, "-n", "stat").CombinedOutput()
				if !strings.Contains(string(stat), "RMS     amplitude") || strings.Contains(string(stat), "RMS     amplitude:     0.000000") {
					t.Errorf("%s %s: silence: %s", lang, name, stat)
				}
				t.Logf("%s %s: %d words, %.1f s", lang, name, words, secs)
			}
			if len(pick) != 4 {
				t.Fatalf("%s: found prompts %v", lang, pick)
			}
		})
	}
}
