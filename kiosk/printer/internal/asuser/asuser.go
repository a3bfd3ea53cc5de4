// Package asuser runs a test's body as an unprivileged user, as the kiosk
// is deployed (User=urna): root hides permission faults such as a serial
// port opened twice under TIOCEXCL.
package asuser

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
)

// User is the throwaway system user the tests run as.
const User = "urna-test"

const childEnv = "URNA_ASUSER_TEST"

// Run runs body as an unprivileged user. A test run by such a user already
// runs body in place; run by root, it runs this one test again in a copy of
// the test binary as User (created if missing) through runuser, and fails
// with the child's output if the child fails. Under CI=true a missing
// runuser or useradd fails the test.
func Run(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	if os.Getuid() != 0 {
		if os.Getenv(childEnv) == t.Name() {
			t.Logf("running as uid %d", os.Getuid())
		}
		body(t)
		return
	}
	if os.Getenv(childEnv) != "" {
		t.Fatal("asuser: the child still runs as root")
	}
	runuser := needs.Tool(t, "runuser", "util-linux")
	ensureUser(t)
	bin := copyBinary(t)
	var pattern []string
	for _, part := range strings.Split(t.Name(), "/") {
		pattern = append(pattern, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(runuser, "-u", User, "--", bin, "-test.run="+strings.Join(pattern, "/"), "-test.v", "-test.count=1")
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name(), "HOME="+filepath.Dir(bin), "TMPDIR="+filepath.Dir(bin))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as %s: %v\n%s", User, err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("as %s: the test did not run:\n%s", User, out)
	}
	t.Logf("passed as %s", User)
}

func ensureUser(t *testing.T) {
	t.Helper()
	if exec.Command("id", "-u", User).Run() == nil {
		return
	}
	useradd := needs.Tool(t, "useradd", "passwd")
	out, err := exec.Command(useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 9) { // 9: exists (created by a parallel run)
		t.Fatalf("useradd %s: %v\n%s", User, err, out)
	}
}

// copyBinary copies the test binary where User can run it: go test builds
// it in a folder only root may enter. The folder is User's to write in.
func copyBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "asuser-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(self))
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
