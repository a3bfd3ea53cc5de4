package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/urna-kiosk/urna/kiosk/queue"
)

// TestSalvageSaysWhatToDo: salvage of a store that is not there, or into
// an output that exists, says so in a translated sentence with what to
// do, never a Go error string (no such file or directory).
func TestSalvageSaysWhatToDo(t *testing.T) {
	data := t.TempDir()
	err := cmdSalvage([]string{"--data", data})
	var s *said
	if !errors.As(err, &s) || s.key != "salvage.no_store" {
		t.Fatalf("salvage of no store: %v", err)
	}
	q, err := queue.Open(filepath.Join(data, "kiosk.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	os.WriteFile(filepath.Join(data, "kiosk.db.salvaged"), []byte("x"), 0o600)
	if err := cmdSalvage([]string{"--data", data}); !errors.As(err, &s) || s.key != "salvage.out_exists" {
		t.Fatalf("salvage into an existing file: %v", err)
	}
	for _, lang := range []string{"pl", "en", "uk"} {
		for _, key := range []string{"salvage.no_store", "salvage.out_exists", "salvage.kiosk_lost_enrollment", "salvage.kiosk_lost_catalog", "salvage.kiosk_lost_kiosk_id"} {
			if got := sentence(lang, say(key, "path", "p")); got == key {
				t.Errorf("%s: %s is not translated", lang, key)
			}
		}
	}
}
