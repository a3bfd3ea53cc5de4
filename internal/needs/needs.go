// Package needs lets tests ask for an external tool. Outside CI a missing
// tool skips the test and says how to install it; under CI=true it fails,
// so that CI never passes by skipping.
package needs

import (
	"os"
	"os/exec"
	"testing"
)

// Tool returns the path of an executable, or skips (fails under CI) with
// the Debian package that provides it.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	Missing(t, name+" is not installed (apt-get install "+debianPackage+", or `make test-deps`)")
	return ""
}

// Missing skips the test with why, or fails it under CI=true.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI: %s", why)
	}
	t.Skip(why)
}
