// Package pbcheck runs the official Pabulib checker (pabulib/checker, kept
// in ../shared/pabulib-checker beside the clone) on files Urna wrote, so
// that tests prove pabulib.org would accept them.
package pbcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
)

// Python is Debian's interpreter, which sees python3-pycountry.
const Python = "/usr/bin/python3"

// Script returns the checker's runner, or skips (fails under CI) saying
// where it comes from.
func Script(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("pbcheck: no go.mod above the test")
		}
		dir = parent
	}
	script := filepath.Join(dir, "..", "shared", "pabulib-checker", "check.py")
	if _, err := os.Stat(script); err != nil {
		needs.Missing(t, "the Pabulib checker is expected in ../shared/pabulib-checker/ beside the clone (github.com/pabulib/checker with its check.py runner)")
	}
	if _, err := os.Stat(Python); err != nil {
		needs.Missing(t, Python+" is missing (apt-get install python3 python3-pycountry)")
	}
	if err := exec.Command(Python, "-c", "import pycountry").Run(); err != nil {
		needs.Missing(t, "the Pabulib checker needs pycountry (apt-get install python3-pycountry, or `make test-deps`)")
	}
	return script
}

// Valid fails the test unless the official checker accepts every file.
func Valid(t testing.TB, files ...string) {
	t.Helper()
	out, err := exec.Command(Python, append([]string{Script(t)}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("the Pabulib checker refuses: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), " valid "); n != len(files) {
		t.Fatalf("the Pabulib checker accepted %d of %d files:\n%s", n, len(files), out)
	}
}
