package contact

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, FileKey))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	sealed := s.Seal("W1", "  jan.kowalski@example.pl ")
	if bytes.Contains(sealed, []byte("kowalski")) {
		t.Fatal("sealed contact shows the plain text")
	}
	again, err := LoadOrCreate(dir) // the same key, read back
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open("W1", sealed); err != nil || got != "jan.kowalski@example.pl" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := again.Open("W2", sealed); !errors.Is(err, ErrUnreadable) {
		t.Fatalf("a contact moved to another proposal opened: %v", err)
	}
	other, _ := LoadOrCreate(t.TempDir())
	if _, err := other.Open("W1", sealed); !errors.Is(err, ErrUnreadable) {
		t.Fatalf("another key opened it: %v", err)
	}
	if s.Seal("W1", " ") != nil {
		t.Fatal("an empty contact sealed to something")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".contact-key-*")); len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}
