package main

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/cli/clitest"
)

// TestCommandLine: --help on standard output with status 0, -version,
// unknown commands and flags as sentences with status 2, every flag in the
// manual page and completions, and each flag accepted as -flag.
func TestCommandLine(t *testing.T) {
	clitest.Conventions(t, program(time.Now(), slog.New(slog.NewTextHandler(io.Discard, nil))))
}

// TestCommandLineUnderCLocale: under LANG=C.UTF-8 (servers, systemd
// units) the program starts without Fyne's "Error parsing user locale C"
// on standard error: this test binary, started again with that locale,
// initializes the same packages as urna-kiosk --version.
func TestCommandLineUnderCLocale(t *testing.T) {
	for _, loc := range []string{"C.UTF-8", "POSIX.UTF-8"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=", "LANG="+loc)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "locale") {
			t.Errorf("LANG=%s: %v\n%s", loc, err, out)
		}
	}
}
