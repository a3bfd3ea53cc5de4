package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/urna-kiosk/urna/internal/cli/clitest"
)

// TestCommandLine: --help and help COMMAND on standard output with status 0,
// unknown commands and flags as sentences with status 2, every command's
// flags in its help, completions and manual page, each accepted as -flag.
func TestCommandLine(t *testing.T) {
	clitest.Conventions(t, program())
}

// TestSingleDashFlagsReachCommands: -data DIR and -data=DIR, Go's
// spelling, reach the command through cobra as they did through flag.
func TestSingleDashFlagsReachCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := clitest.Run(program(), "init", "-data", dir); code != 0 {
		t.Fatalf("init -data: status %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "edition.key")); err != nil {
		t.Fatalf("init -data %s made no key: %v", dir, err)
	}
	if code, _, errs := clitest.Run(program(), "kiosk", "list", "-data="+dir, "-db", "bolt:"+filepath.Join(dir, "central.db")); code != 0 {
		t.Fatalf("kiosk list -data=: status %d: %s", code, errs)
	}
}

// TestBadFlagValueIsASentence: a value a flag cannot take is a usage error
// in the staff member's language, naming the flag and the command's help.
func TestBadFlagValueIsASentence(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	for lang, want := range map[string]string{
		"pl_PL.UTF-8": "abc nie jest poprawną wartością opcji --n. Opcje opisuje urna-central voter-codes --help.\n",
		"uk_UA.UTF-8": "abc — неприпустиме значення параметра --n. Параметри описує urna-central voter-codes --help.\n",
		"en_GB.UTF-8": "abc is not a valid value for --n. urna-central voter-codes --help describes the options.\n",
	} {
		t.Setenv("LANG", lang)
		if code, out, errs := clitest.Run(program(), "voter-codes", "issue", "-n", "abc"); code != 2 || out != "" || errs != want {
			t.Errorf("%s: status %d, stdout %q, stderr %q", lang, code, out, errs)
		}
	}
}

// TestIncompleteCommandLineIsAUsageError: a command missing its words
// exits 2 with a sentence in the staff member's language and its forms.
func TestIncompleteCommandLineIsAUsageError(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "pl_PL.UTF-8")
	code, out, errs := clitest.Run(program(), "catalog")
	want := "To polecenie jest niepełne. Opisuje je urna-central catalog --help.\n  urna-central catalog import FILE | catalog publish\n"
	if code != 2 || out != "" || errs != want {
		t.Errorf("catalog: status %d, stdout %q, stderr %q", code, out, errs)
	}
}
