// The cross-builds run in `make test` (and alone with `make cross-test`):
// arm64 binaries and test binaries under qemu-aarch64-static, the Windows
// .exe files under Wine where Wine can start them.

package packaging

import (
	"bytes"
	"debug/elf"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
)

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
// qemu in their package folders. The queue's crash and power-cut tests are
// left out: their children are arm64 binaries (the test binary itself) the
// kernel cannot start without binfmt_misc.
func TestArm64PackageTests(t *testing.T) {
	q := qemu(t)
	needs.Tool(t, arm64.cc, arm64.ccPackage)
	dir := filepath.Join(sharedDir, "arm64-tests")
	for _, p := range []struct{ pkg, skip string }{
		{"sync/election", ""}, {"sync/wire", ""}, {"sync/pabulib", ""}, {"kiosk/queue", "^(TestCrashKill|TestPowerCut)$"},
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
	// Wine is the one check that may skip under CI, saying why, and only
	// where it is installed but cannot start the program.
	wine := needs.Tool(t, "wine", "wine wine64")
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
