package packaging

// The hardware cities buy: Raspberry Pi 4/5 boards (arm64) and library PCs
// running Windows. The binaries are cross-built once per test run (the Go
// build cache keeps the compiled packages between runs) and checked where
// they can run here: arm64 under qemu-aarch64-static called directly on the
// binary, Windows under Wine.

import (
	"bytes"
	"debug/elf"
	"debug/pe"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
)

// target is one cross-build: its GOOS/GOARCH, C compiler and commands.
type target struct {
	goos, goarch  string
	cc, ccPackage string
	cmds          []string
	ldflags       map[string]string // extra -ldflags per command
	version       string            // main.version; the test's version when empty
	once          sync.Once
	dir           string
	err           error
}

var (
	arm64 = &target{goos: "linux", goarch: "arm64", cc: "aarch64-linux-gnu-gcc", ccPackage: "gcc-aarch64-linux-gnu",
		cmds: []string{"urna-kiosk", "urnactl", "urna-central"}}
	windows = &target{goos: "windows", goarch: "amd64", cc: "x86_64-w64-mingw32-gcc", ccPackage: "gcc-mingw-w64-x86-64",
		cmds: []string{"urna-kiosk", "urnactl"}, ldflags: map[string]string{"urna-kiosk": "-H windowsgui"}}
	// host is this machine's build as `make package` makes it.
	host = &target{goos: runtime.GOOS, goarch: runtime.GOARCH, cc: "gcc", ccPackage: "gcc",
		cmds: []string{"urna-kiosk", "urnactl", "urna-central"}}
	// sharedDir holds every build of this test run.
	sharedDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "urna-packaging-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = dir
	os.Chmod(dir, 0o755) // the session test runs the kiosk as another user
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is the cross-compiling environment for the target.
func (g *target) env() []string {
	env := append(os.Environ(), "GOOS="+g.goos, "GOARCH="+g.goarch, "CGO_ENABLED=1", "CC="+g.cc)
	if g.goos == "linux" && g.goarch == "arm64" {
		env = append(env, "PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
	}
	return env
}

// build cross-builds the target's commands as `make cross` does, once per
// test run, and returns the folder that holds them.
func (g *target) build(t *testing.T) string {
	t.Helper()
	needs.Tool(t, g.cc, g.ccPackage)
	g.once.Do(func() {
		v := g.version
		if v == "" {
			v = version
		}
		g.dir = filepath.Join(sharedDir, g.goos+"-"+g.goarch+"-"+v)
		start := time.Now()
		for _, c := range g.cmds {
			args := []string{"build", "-trimpath", "-tags", "no_animations",
				"-ldflags", strings.TrimSpace("-s -w -X main.version=" + v + " " + g.ldflags[c]), "-o", g.dir + "/"}
			if g.goos == "linux" {
				args = append(args, "-buildmode=pie")
			}
			cmd := exec.Command("go", append(args, "../cmd/"+c)...)
			cmd.Env = g.env()
			if out, err := cmd.CombinedOutput(); err != nil {
				g.err = fmt.Errorf("go build %s for %s/%s: %v\n%s", c, g.goos, g.goarch, err, out)
				return
			}
		}
		t.Logf("cross-built %v for %s/%s in %s", g.cmds, g.goos, g.goarch, time.Since(start).Round(time.Second))
	})
	if g.err != nil {
		t.Fatal(g.err)
	}
	return g.dir
}

// qemu returns qemu-aarch64-static; missing, it fails under CI (no skip).
func qemu(t *testing.T) string {
	t.Helper()
	return needs.Tool(t, "qemu-aarch64-static", "qemu-user-static")
}

func TestArm64Binaries(t *testing.T) {
	q := qemu(t)
	dir := arm64.build(t)
	for _, c := range arm64.cmds {
		path := filepath.Join(dir, c)
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("%s is for %v, not arm64", c, f.Machine)
		}
		f.Close()
		// Called directly: no binfmt_misc, the dynamic loader and the
		// libraries are the arm64 ones from Debian's multiarch.
		cmd := exec.Command(q, path, "--version")
		cmd.Env = append(os.Environ(), "QEMU_LD_PREFIX=/")
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != c+" "+version {
			t.Errorf("qemu-aarch64-static %s --version: %v\n%s", c, err, out)
		}
	}
}

// The non-graphical packages' own tests, compiled for arm64 and run under
// qemu in their package folders. The queue's crash test is left out: its
// children are arm64 binaries the kernel cannot start without binfmt_misc.
func TestArm64PackageTests(t *testing.T) {
	q := qemu(t)
	needs.Tool(t, arm64.cc, arm64.ccPackage)
	dir := filepath.Join(sharedDir, "arm64-tests")
	for _, p := range []struct{ pkg, skip string }{
		{"sync/election", ""}, {"sync/wire", ""}, {"sync/pabulib", ""}, {"kiosk/queue", "^TestCrashKill$"},
	} {
		t.Run(strings.ReplaceAll(p.pkg, "/", "_"), func(t *testing.T) {
			bin := filepath.Join(dir, strings.ReplaceAll(p.pkg, "/", "_")+".test")
			build := exec.Command("go", "test", "-c", "-o", bin, "../"+p.pkg)
			build.Env = arm64.env()
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go test -c %s for arm64: %v\n%s", p.pkg, err, out)
			}
			args := []string{bin, "-test.count=1", "-test.short"}
			if p.skip != "" {
				args = append(args, "-test.skip", p.skip)
			}
			run := exec.Command(q, args...)
			run.Dir = filepath.Join("..", p.pkg)
			run.Env = append(os.Environ(), "QEMU_LD_PREFIX=/")
			var out bytes.Buffer
			run.Stdout, run.Stderr = &out, &out
			if err := run.Run(); err != nil {
				t.Fatalf("%s under qemu-aarch64-static: %v\n%s", p.pkg, err, out.String())
			}
			if !strings.Contains(out.String(), "PASS") {
				t.Fatalf("%s under qemu-aarch64-static did not pass:\n%s", p.pkg, out.String())
			}
		})
	}
}

func TestArm64Packages(t *testing.T) {
	needs.Tool(t, "dpkg-deb", "dpkg")
	bin := arm64.build(t)
	dist := filepath.Join(t.TempDir(), "dist")
	run(t, "", "./build-deb.sh", version, "arm64", bin, dist)
	for _, pkg := range []string{"urna-central", "urna-kiosk"} {
		deb := filepath.Join(dist, pkg+"_"+version+"_arm64.deb")
		info := run(t, "", "dpkg-deb", "--field", deb, "Architecture")
		if strings.TrimSpace(info) != "arm64" {
			t.Errorf("%s: Architecture %q", pkg, info)
		}
		x := filepath.Join(t.TempDir(), pkg)
		run(t, "", "dpkg-deb", "-x", deb, x)
		bins := map[string][]string{"urna-central": {"urna-central"}, "urna-kiosk": {"urna-kiosk", "urnactl"}}[pkg]
		for _, b := range bins {
			f, err := elf.Open(filepath.Join(x, "usr/bin", b))
			if err != nil {
				t.Fatalf("%s: %v", pkg, err)
			}
			if f.Machine != elf.EM_AARCH64 {
				t.Errorf("%s ships %s for %v", pkg, b, f.Machine)
			}
			f.Close()
		}
	}
}

func TestWindowsBinaries(t *testing.T) {
	dir := windows.build(t)
	for _, c := range windows.cmds {
		f, err := pe.Open(filepath.Join(dir, c+".exe"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
			t.Errorf("%s.exe is for machine %#x", c, f.Machine)
		}
		f.Close()
	}
	// Wine is the one check that may skip under CI, saying why.
	wine, err := exec.LookPath("wine")
	if err != nil {
		t.Skip("Wine is not installed (apt-get install wine wine64): the .exe files were built but not started")
	}
	prefix := filepath.Join(sharedDir, "wineprefix")
	for _, c := range windows.cmds {
		cmd := exec.Command(wine, filepath.Join(dir, c+".exe"), "--version")
		cmd.Env = append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "DISPLAY=")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err != nil && stdout.Len() == 0 {
			// Debian 12's Wine 8.0 has no bcryptprimitives.dll, which the Go
			// runtime loads first: it stops before main.
			t.Skipf("Wine cannot start %s.exe here (%v): %s", c, err, why(stderr.String()))
		}
		if got := strings.TrimSpace(strings.ReplaceAll(stdout.String(), "\r", "")); got != c+" "+version {
			t.Errorf("wine %s.exe --version: %q (%v)\n%s", c, got, err, stderr.String())
		}
	}
}

// why picks the line of Wine's or the Go runtime's output that says why a
// program did not start.
func why(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") {
			return l
		}
	}
	return lines[len(lines)-1]
}
