package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
)

// target is one entry of the kiosk's automation file.
type target struct {
	Text       string
	X, Y, W, H float32
}

type screen struct {
	Screen  string
	Targets []target
}

type smoke struct {
	t       *testing.T
	display string
	auto    string
	xdotool string
}

func (s *smoke) read() screen {
	var sc screen
	b, err := os.ReadFile(s.auto)
	if err == nil {
		json.Unmarshal(b, &sc)
	}
	return sc
}

// wait waits until the kiosk shows screen (and has laid it out).
func (s *smoke) wait(name string) screen {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second) // a patience bound on a busy machine, not a timing claim
	for time.Now().Before(deadline) {
		sc := s.read()
		if sc.Screen == name && len(sc.Targets) > 0 && sc.Targets[len(sc.Targets)-1].W > 0 && laidOut(sc) {
			return sc
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the kiosk did not show %s; it shows %+v", name, s.read())
	return screen{}
}

func laidOut(sc screen) bool {
	for _, t := range sc.Targets {
		if t.Text != "hot-corner" && (t.X > 0 || t.Y > 0) {
			return true
		}
	}
	return false
}

// tap clicks the n-th button labelled text (exactly, or by prefix) on the current screen.
func (s *smoke) tap(screenName, text string, n int) {
	s.t.Helper()
	sc := s.wait(screenName)
	var exact, prefix []target
	for _, t := range sc.Targets {
		if t.Text == text {
			exact = append(exact, t)
		} else if strings.HasPrefix(t.Text, text) {
			prefix = append(prefix, t)
		}
	}
	found := append(exact, prefix...)
	if len(found) <= n {
		s.t.Fatalf("screen %s has no button %d %q: %+v", sc.Screen, n, text, sc.Targets)
	}
	b := found[n]
	x, y := int(b.X+b.W/2), int(b.Y+b.H/2)
	cmd := exec.Command(s.xdotool, "mousemove", fmt.Sprint(x), fmt.Sprint(y), "sleep", "0.05", "click", "1")
	cmd.Env = append(os.Environ(), "DISPLAY="+s.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("xdotool: %v %s", err, out)
	}
	time.Sleep(120 * time.Millisecond) // the next redraw is written within 200 ms
}

// openAndUnlock is the staff's part before a resident votes in the demo:
// open the point for the day (PIN 1234) and, as the demo edition's
// admission is staff activation, unlock one ballot (PIN 1234 again).
func (s *smoke) openAndUnlock() {
	s.t.Helper()
	s.tap("not-open", "Obsługa: otwórz punkt", 0)
	for _, d := range "1234" {
		s.tap("staff-pin", string(d), 0)
	}
	s.tap("staff-pin", "OK", 0)
	s.tap("staff-menu", "Otwórz punkt", 0)
	s.tap("staff-report", "OK", 0) // the opening report, as printed
	s.tap("staff-menu", "Powrót do głosowania", 0)
	s.tap("ask-staff", "Obsługa: odblokuj kartę", 0)
	for _, d := range "1234" {
		s.tap("staff-pin", string(d), 0)
	}
	s.tap("staff-pin", "OK", 0)
	s.wait("identity")
}

// TestKioskUnderXvfb starts the real kiosk binary on a virtual X display,
// portrait and landscape, votes with xdotool taps, and decodes the printed
// receipt's QR code. Under CI (or with URNA_AS_USER=1) a root run starts
// the kiosk as a throwaway unprivileged user, as the packaged unit does.
func TestKioskUnderXvfb(t *testing.T) {
	for _, size := range []string{"1080x1920", "1920x1080"} {
		t.Run(size, func(t *testing.T) { kioskUnderXvfb(t, size) })
	}
}

// asUser is the unprivileged user the kiosk runs as in end-to-end tests,
// "" to run it as whoever runs the tests.
func asUser(t *testing.T) string {
	if os.Geteuid() != 0 || os.Getenv("CI") != "true" && os.Getenv("URNA_AS_USER") != "1" {
		return ""
	}
	const name = "urna-test"
	if exec.Command("id", "-u", name).Run() != nil {
		useradd := needs.Tool(t, "useradd", "passwd")
		if out, err := exec.Command(useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v %s", name, err, out)
		}
	}
	needs.Tool(t, "runuser", "util-linux")
	return name
}

func kioskUnderXvfb(t *testing.T, size string) {
	xvfb := needs.Tool(t, "Xvfb", "xvfb")
	xdotool := needs.Tool(t, "xdotool", "xdotool")
	zbar := needs.Tool(t, "zbarimg", "zbar-tools")
	user := asUser(t)
	// a folder the kiosk's user may write (t.TempDir is root's alone)
	dir, err := os.MkdirTemp("", "urna-smoke-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "urna-kiosk")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	if user != "" {
		if out, err := exec.Command("chown", "-R", user, dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	display := ""
	for n := 120; n < 1000; n++ { // other Xvfbs may hold the low numbers
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
			display = fmt.Sprintf(":%d", n)
			break
		}
	}
	x := exec.Command(xvfb, display, "-screen", "0", size+"x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	defer x.Process.Kill()
	for i := 0; i < 50; i++ {
		if _, err := os.Stat("/tmp/.X11-unix/X" + display[1:]); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	data := filepath.Join(dir, "data")
	auto := filepath.Join(dir, "auto.json")
	args := []string{"--demo", "--data", data, "--size", size, "--automation", auto}
	k := exec.Command(bin, args...)
	if user != "" {
		k = exec.Command("runuser", append([]string{"-u", user, "--", bin}, args...)...)
	}
	k.Env = append(os.Environ(), "DISPLAY="+display, "LANG=pl_PL.UTF-8")
	k.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // runuser's child goes with it
	logf, _ := os.Create(filepath.Join(dir, "kiosk.log"))
	k.Stdout, k.Stderr = logf, logf
	if err := k.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-k.Process.Pid, syscall.SIGKILL)
		k.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "kiosk.log"))
			t.Logf("kiosk log:\n%s", b)
		}
	}()
	s := &smoke{t: t, display: display, auto: auto, xdotool: xdotool}
	shot := func(name string) {
		if imp, err := exec.LookPath("import"); err == nil && os.Getenv("URNA_SCREENSHOTS") != "" {
			os.MkdirAll(os.Getenv("URNA_SCREENSHOTS"), 0o755)
			c := exec.Command(imp, "-window", "root", filepath.Join(os.Getenv("URNA_SCREENSHOTS"), "xvfb-"+size+"-"+name+".png"))
			c.Env = append(os.Environ(), "DISPLAY="+display)
			c.Run()
		}
	}
	s.wait("not-open")
	shot("not-open")
	s.openAndUnlock()
	shot("identity-start")
	for _, d := range "44051401359" {
		s.tap("identity", string(d), 0)
	}
	s.tap("identity", "☐ Oświadczam", 0)
	shot("identity")
	s.tap("identity", "Dalej", 0)
	s.tap("district", "Dalej", 0)
	for range 2 {
		shot("choose")
		s.tap("choose", "3 pkt", 0)
		s.tap("choose", "2 pkt", 1)
		s.tap("choose", "1 pkt", 2)
		s.tap("choose", "Dalej", 0)
	}
	shot("review")
	s.tap("review", "Zatwierdzam", 0)
	s.wait("done")
	shot("done")

	png := filepath.Join(data, "printer", "page-0002.png") // after the opening report
	for i := 0; i < 50; i++ {
		if _, err := os.Stat(png); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := exec.Command(zbar, "--raw", "-q", png).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", png, err)
	}
	text, _ := os.ReadFile(filepath.Join(data, "printer", "page-0002.txt"))
	url := strings.TrimSpace(string(out))
	if !strings.HasPrefix(url, "https://urna.example/check/") || !strings.Contains(string(text), strings.TrimPrefix(url, "https://urna.example/check/")) {
		t.Fatalf("receipt QR %q does not carry the printed tracker:\n%s", url, text)
	}
	// The demo's embedded central receives the ballot.
	var logText []byte
	for i := 0; i < 100 && !strings.Contains(string(logText), "ballots-synced"); i++ {
		time.Sleep(100 * time.Millisecond)
		logText, _ = os.ReadFile(filepath.Join(dir, "kiosk.log"))
	}
	if !strings.Contains(string(logText), "msg=ballots-synced count=1") {
		t.Fatalf("the ballot did not reach the demo central:\n%s", logText)
	}
	if strings.Contains(string(logText), "44051401359") {
		t.Fatal("the kiosk logged the PESEL")
	}
}
