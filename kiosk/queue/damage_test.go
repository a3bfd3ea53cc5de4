package queue

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/boltfile"
)

// storeWith30 makes a store with 30 ballots and returns its path.
func storeWith30(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	q := open(t, path)
	q.SetKioskID("k1")
	for i := range 30 {
		if _, err := q.Append(ballot(), voter(i), 1); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()
	return path
}

// damagedCopy copies the first n bytes of the store (bbolt grows the file
// in large zero-filled steps; the pages in use come first) with its
// marker, after edit.
func damagedCopy(t *testing.T, path string, n int, edit func([]byte) []byte) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "kiosk.db")
	if err := os.WriteFile(to, edit(raw[:min(n, len(raw))]), 0o600); err != nil {
		t.Fatal(err)
	}
	marker, _ := os.ReadFile(path + boltfile.MarkerSuffix)
	os.WriteFile(to+boltfile.MarkerSuffix, marker, 0o600)
	return to
}

// TestDamagedStoreNamed: a 0-byte, missing, truncated or flipped-byte
// kiosk.db is refused with a damaged-store error (translated for staff),
// never taken for a new store (a new key) and never a crash.
func TestDamagedStoreNamed(t *testing.T) {
	path := storeWith30(t)
	if _, err := os.Stat(path + boltfile.MarkerSuffix); err != nil {
		t.Fatalf("no marker beside the store: %v", err)
	}
	const used = 256 << 10
	cases := map[string]func([]byte) []byte{
		"empty":     func([]byte) []byte { return nil },
		"truncated": func(b []byte) []byte { return b[:3*4096] },
	}
	for page := 2; page < 12; page++ {
		cases["flipped page "+string(rune('0'+page/10))+string(rune('0'+page%10))] = func(b []byte) []byte {
			b[page*4096+8] ^= 0x07 // the page's type
			b[page*4096+700] ^= 0xff
			return b
		}
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			q, err := Open(damagedCopy(t, path, used, edit), Options{})
			if err == nil {
				// the flip hit a free page: the store must be whole
				defer q.Close()
				if st, _ := q.Stats(time.Time{}); st.Total != 30 || !strings.HasPrefix(name, "flipped") {
					t.Fatalf("a damaged store opened with %d ballots", st.Total)
				}
				return
			}
			var damaged *boltfile.DamagedError
			var broken *ChainError
			if !errors.As(err, &damaged) && !errors.As(err, &broken) {
				t.Fatalf("open: %v, want a damaged store or a chain break", err)
			}
			if damaged != nil && damaged.Key == "" {
				t.Fatal("no translation key")
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		p := damagedCopy(t, path, used, func(b []byte) []byte { return b })
		os.Remove(p)
		if _, err := Open(p, Options{}); !errors.Is(err, boltfile.ErrDamaged) {
			t.Fatalf("open: %v, want a damaged store", err)
		}
	})
	t.Run("marker added to an older store", func(t *testing.T) {
		p := damagedCopy(t, path, used, func(b []byte) []byte { return b })
		os.Remove(p + boltfile.MarkerSuffix)
		q, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		q.Close()
		if _, err := os.Stat(p + boltfile.MarkerSuffix); err != nil {
			t.Fatal("no marker written for a store that had none")
		}
	})
}
