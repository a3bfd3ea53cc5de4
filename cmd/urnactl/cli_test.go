package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/urna-kiosk/urna/internal/cli/clitest"
)

// TestCommandLine: urnactl help and --help on standard output with status
// 0, unknown commands and flags as sentences with status 2, every
// command's flags in its help, completions and manual page, each accepted
// as -flag.
func TestCommandLine(t *testing.T) {
	clitest.Conventions(t, program())
}

// TestSingleDashFlagsReachCommands: render takes Go's -flag spelling
// through cobra and still reads its own arguments.
func TestSingleDashFlagsReachCommands(t *testing.T) {
	dir := t.TempDir()
	stream := filepath.Join(dir, "receipt.bin")
	if err := os.WriteFile(stream, []byte("\x1b@Dzień dobry\n\x1dV\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	pages := filepath.Join(dir, "pages")
	code, out, errs := clitest.Run(program(), "render", "-out", pages, "-profile=default", stream)
	if code != 0 {
		t.Fatalf("render -out: status %d, %q %q", code, out, errs)
	}
	if png, _ := filepath.Glob(filepath.Join(pages, "*.png")); len(png) == 0 {
		t.Fatalf("render -out %s wrote no page", pages)
	}
}

// TestPINHashTakesDigitsOnly: a PIN is 4 or more digits; anything else is
// refused with a sentence, and no hash is printed for it.
func TestPINHashTakesDigitsOnly(t *testing.T) {
	for _, pin := range []string{"abcd", "12a4", "123", "１２３４", "1234 "} {
		err := cmdPINHash([]string{pin})
		if got := sentence("pl", err); got != "PIN to co najmniej 4 cyfry (0–9) i nic poza nimi." {
			t.Errorf("pin-hash %q: %v", pin, got)
		}
	}
	if err := cmdPINHash([]string{"0123"}); err != nil {
		t.Errorf("pin-hash 0123: %v", err)
	}
}
