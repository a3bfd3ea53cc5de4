package main

import (
	"io"
	"log/slog"
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
