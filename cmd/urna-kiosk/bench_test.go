package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
)

// BenchmarkKiosk runs the real kiosk under Xvfb (software GL) and reports:
// the time from exec to its first frame, its resident memory, the CPU it
// uses idling for 30 s on the attract screen, and the taps a complete
// Kraków ballot takes. Each figure is also given as a ratio to its goal
// (1.5 s, 200 MB, 2 % of one core).
func BenchmarkKiosk(b *testing.B) {
	xvfb := needs.Tool(b, "Xvfb", "xvfb")
	xdotool := needs.Tool(b, "xdotool", "xdotool")
	dir := b.TempDir()
	bin := filepath.Join(dir, "urna-kiosk")
	if out, err := exec.Command("go", "build", "-tags", "no_animations", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	display := ":177"
	x := exec.Command(xvfb, display, "-screen", "0", "1080x1920x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		b.Fatal(err)
	}
	defer x.Process.Kill()
	time.Sleep(500 * time.Millisecond)
	// A kiosk as a station runs it (no automation) for the idle figures.
	k, firstFrame := startKiosk(b, bin, display, filepath.Join(dir, "idle"))
	time.Sleep(2 * time.Second) // settle
	cpu0 := cpuTicks(b, k.Process.Pid)
	t0 := time.Now()
	time.Sleep(30 * time.Second)
	idle := float64(cpuTicks(b, k.Process.Pid)-cpu0) / 100 / time.Since(t0).Seconds() * 100 // % of one core (USER_HZ = 100)
	rss := rssMB(b, k.Process.Pid)
	k.Process.Kill()
	k.Wait()

	// A second one, with automation, counts the taps of a ballot.
	auto := filepath.Join(dir, "auto.json")
	k, _ = startKiosk(b, bin, display, filepath.Join(dir, "vote"), "--automation", auto)
	defer func() { k.Process.Kill(); k.Wait() }()
	t := &testing.T{}
	s := &smoke{t: t, display: display, auto: auto, xdotool: xdotool}
	taps := 0
	tap := func(screen, text string, n int) { s.tap(screen, text, n); taps++ }
	s.openAndUnlock() // staff's taps, not the resident's
	for _, d := range "44051401359" {
		tap("identity", string(d), 0)
	}
	tap("identity", "☐ Oświadczam", 0)
	tap("identity", "Dalej", 0)
	tap("district", "Dalej", 0)
	for range 2 {
		tap("choose", "3 pkt", 0)
		tap("choose", "2 pkt", 1)
		tap("choose", "1 pkt", 2)
		tap("choose", "Dalej", 0)
	}
	tap("review", "Zatwierdzam", 0)
	s.wait("done")
	rssAfter := rssMB(b, k.Process.Pid) // after a whole ballot, with automation

	for b.Loop() {
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(firstFrame.Milliseconds()), "first-frame-ms")
	b.ReportMetric(firstFrame.Seconds()/1.5, "first-frame/goal")
	b.ReportMetric(max(rss, rssAfter), "rss-MB")
	b.ReportMetric(max(rss, rssAfter)/200, "rss/goal")
	b.ReportMetric(idle, "idle-cpu-%")
	b.ReportMetric(idle/2, "idle-cpu/goal")
	b.ReportMetric(float64(taps), "taps-per-ballot")
	// the rules' floor: 11 PESEL digits, the declaration, 6 choices, confirm
	b.ReportMetric(float64(taps)/19, "taps/floor")
}

// startKiosk starts the kiosk in demo mode and waits for its first frame.
func startKiosk(b *testing.B, bin, display, data string, args ...string) (*exec.Cmd, time.Duration) {
	k := exec.Command(bin, append([]string{"--demo", "--data", data, "--size", "1080x1920"}, args...)...)
	k.Env = append(os.Environ(), "DISPLAY="+display, "LANG=pl_PL.UTF-8", "LIBGL_ALWAYS_SOFTWARE=1")
	stderr, _ := k.StderrPipe()
	start := time.Now()
	if err := k.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "first-frame") {
			ff := time.Since(start)
			go func() {
				for sc.Scan() {
				}
			}()
			return k, ff
		}
	}
	b.Fatal("no first frame")
	return nil, 0
}

func cpuTicks(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw)[strings.LastIndexByte(string(raw), ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func rssMB(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}
