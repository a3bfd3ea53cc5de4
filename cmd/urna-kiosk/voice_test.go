package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
)

// keys presses X key names on the kiosk's display, as a USB keypad would.
func (s *smoke) keys(names ...string) {
	s.t.Helper()
	args := append([]string{"key", "--delay", "120"}, names...)
	cmd := exec.Command(s.xdotool, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+s.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("xdotool %v: %v %s", args, err, out)
	}
	time.Sleep(150 * time.Millisecond)
}

// slowWait is wait with room for a loaded machine: each key redraws the
// whole screen in Xvfb's software renderer, and keys queue up behind it.
func (s *smoke) slowWait(name string) {
	s.t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if sc := s.read(); sc.Screen == name && laidOut(sc) {
			return
		}
	}
	s.wait(name)
}

// TestKioskVotesByKeysUnderXvfb starts the real kiosk binary on a virtual
// X display with its speech going to WAV files, lets staff open the point
// and unlock a ballot by touch, and then votes a whole Kraków ballot with
// `xdotool key` alone: no tap of the resident's. The guide's prompts are
// real espeak-ng WAVs, checked with sox.
func TestKioskVotesByKeysUnderXvfb(t *testing.T) {
	xvfb := needs.Tool(t, "Xvfb", "xvfb")
	xdotool := needs.Tool(t, "xdotool", "xdotool")
	needs.Tool(t, "espeak-ng", "espeak-ng")
	sox := needs.Tool(t, "sox", "sox")
	user := asUser(t)
	const size = "1080x1920"
	dir, err := os.MkdirTemp("", "urna-voice-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "urna-kiosk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	wavs := filepath.Join(dir, "speech")
	if err := os.Mkdir(wavs, 0o755); err != nil {
		t.Fatal(err)
	}
	if user != "" {
		if out, err := exec.Command("chown", "-R", user, dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	display := startXvfb(t, xvfb, size)
	data := filepath.Join(dir, "data")
	auto := filepath.Join(dir, "auto.json")
	args := []string{"--demo", "--data", data, "--size", size, "--automation", auto}
	k := exec.Command(bin, args...)
	if user != "" {
		k = exec.Command("runuser", append([]string{"-u", user, "--", bin}, args...)...)
	}
	k.Env = append(os.Environ(), "DISPLAY="+display, "LANG=pl_PL.UTF-8", "URNA_SPEECH_WAV="+wavs)
	k.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, _ := os.Create(filepath.Join(dir, "kiosk.log"))
	k.Stdout, k.Stderr = logf, logf
	if err := k.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() && os.Getenv("URNA_DEBUG_QUIT") != "" {
			syscall.Kill(k.Process.Pid, syscall.SIGQUIT)
			time.Sleep(time.Second)
		}
		syscall.Kill(-k.Process.Pid, syscall.SIGKILL)
		k.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "kiosk.log"))
			t.Logf("kiosk log:\n%s", b)
		}
	}()
	s := &smoke{t: t, display: display, auto: auto, xdotool: xdotool}
	s.wait("not-open")
	s.openAndUnlock() // staff's part, by touch

	// From here on, keys only. The first key starts the guide.
	s.keys("Return")
	s.keys(strings.Split("44051401359", "")...)
	s.keys("Return")        // the declaration has the focus
	s.keys("End", "Return") // Dalej
	s.slowWait("district")
	s.keys("End", "Left", "Tab", "Return") // Tab is Right
	for range 2 {
		s.slowWait("choose")
		s.keys("Return")                           // 3 points to the first project
		s.keys("Down", "Right", "Return")          // 2 to the second
		s.keys("Down", "Right", "Right", "Return") // 1 to the third
		s.keys("End", "Return")                    // Dalej (End goes to the primary action)
	}
	s.slowWait("review")
	s.keys("End", "Return") // Zatwierdzam
	s.slowWait("done")

	// The last prompt (thanks and the tracker, spelled) is whole; every
	// prompt left a WAV (cut-short ones included).
	var files []string
	var secs float64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(wavs, "*.wav"))
		if len(files) == 0 {
			continue
		}
		out, err := exec.Command(sox, "--i", "-D", files[len(files)-1]).Output()
		if err == nil {
			secs, _ = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
			if secs > 4 {
				break
			}
		}
	}
	if len(files) < 20 {
		t.Fatalf("%d prompts spoken for a whole ballot by keys", len(files))
	}
	if secs < 4 || secs > 60 {
		t.Fatalf("the thank-you prompt %s lasts %.1f s", files[len(files)-1], secs)
	}
	t.Logf("%d prompts as WAVs; the thank-you prompt lasts %.1f s", len(files), secs)
	logText, _ := os.ReadFile(filepath.Join(dir, "kiosk.log"))
	if !strings.Contains(string(logText), "speech-ready") {
		t.Fatalf("the kiosk did not start its speaker:\n%s", logText)
	}
	if strings.Contains(string(logText), "44051401359") {
		t.Fatal("the kiosk logged the PESEL")
	}
	if dst := os.Getenv("URNA_SPEECH_KEEP"); dst != "" {
		exec.Command("cp", "-r", wavs, dst).Run()
	}
}
