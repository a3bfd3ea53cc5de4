package packaging

// The hardware cities buy: Raspberry Pi 4/5 boards (arm64) and library PCs
// running Windows. The binaries are cross-built once per test run (the Go
// build cache keeps the compiled packages between runs) and checked where
// they can run here: arm64 under qemu-aarch64-static called directly on the
// binary, Windows under Wine.

import (
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
