package boltfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// sample makes a store with nested buckets, inline and paged, and enough
// entries for branch pages and overflow pages.
func sample(t *testing.T) (string, map[string]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	err = db.Update(func(tx *bolt.Tx) error {
		big, _ := tx.CreateBucket([]byte("big"))
		small, _ := tx.CreateBucket([]byte("small"))
		nested, _ := big.CreateBucket([]byte("nested"))
		for i := range 600 {
			k, v := fmt.Sprintf("k%05d", i), fmt.Sprintf("value %d %0100d", i, i)
			big.Put([]byte(k), []byte(v))
			want["big/"+k] = v
		}
		nested.Put([]byte("n"), []byte("inline"))
		want["big/nested/n"] = "inline"
		small.Put([]byte("huge"), make([]byte, 20000))
		want["small/huge"] = string(make([]byte, 20000))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path, want
}

func walkAll(t *testing.T, path string) (map[string]string, []error) {
	got := map[string]string{}
	problems, err := Walk(path, func(bucket []string, k, v []byte) {
		p := ""
		for _, b := range bucket {
			p += b + "/"
		}
		got[p+string(k)] = string(v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, problems
}

func TestWalkReadsEverything(t *testing.T) {
	path, want := sample(t)
	if err := Check(path); err != nil {
		t.Fatal(err)
	}
	got, problems := walkAll(t, path)
	if len(problems) > 0 || len(got) != len(want) {
		t.Fatalf("walk: %d of %d pairs, problems %v", len(got), len(want), problems)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: got %.20q", k, got[k])
		}
	}
	if _, err := os.Stat(path + MarkerSuffix); err != nil {
		t.Fatalf("no marker: %v", err)
	}
}

func copyFile(t *testing.T, from string, edit func([]byte) []byte) string {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "s.db")
	os.WriteFile(to, edit(raw), 0o600)
	os.WriteFile(to+MarkerSuffix, []byte("set up\n"), 0o600)
	return to
}

func TestOpenDamaged(t *testing.T) {
	path, _ := sample(t)
	size := func() int { fi, _ := os.Stat(path); return int(fi.Size()) }()
	for name, edit := range map[string]func([]byte) []byte{
		"empty":     func([]byte) []byte { return nil },
		"truncated": func(b []byte) []byte { return b[:len(b)/3] },
		"one page":  func(b []byte) []byte { return b[:4096] },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(copyFile(t, path, edit), nil)
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("open: %v, want a damaged store", err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		p := copyFile(t, path, func(b []byte) []byte { return b })
		os.Remove(p)
		if _, err := Open(p, nil); !errors.Is(err, ErrDamaged) {
			t.Fatalf("open: %v, want a damaged store", err)
		}
	})
	// Flipped bytes anywhere in the tree's pages: an error or a store that
	// reads, never a crash. (bbolt alone panics in its own goroutine.)
	damaged := 0
	for off := 2 * 4096; off < size; off += 1536 {
		p := copyFile(t, path, func(b []byte) []byte { b[off] ^= 0xff; b[off+9] ^= 0x5a; return b })
		db, err := Open(p, nil)
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("flip at %d: %v", off, err)
			}
			damaged++
			continue
		}
		err = Guard(p, func() error {
			return db.View(func(tx *bolt.Tx) error {
				return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return b.ForEach(func(_, _ []byte) error { return nil }) })
			})
		})
		if err != nil && !errors.Is(err, ErrDamaged) {
			t.Fatalf("flip at %d: read: %v", off, err)
		}
		db.Close()
	}
	if damaged == 0 {
		t.Fatal("no flipped copy was found damaged")
	}
}

func TestWalkSkipsDamage(t *testing.T) {
	path, want := sample(t)
	// cut the file to half: the pairs on the pages that are left come out
	p := copyFile(t, path, func(b []byte) []byte { return b[:len(b)/2] })
	got, problems := walkAll(t, p)
	if len(problems) == 0 {
		t.Fatal("no problem reported for a file cut in half")
	}
	for k, v := range got {
		if want[k] != v {
			t.Fatalf("%s: read %.20q, stored %.20q", k, v, want[k])
		}
	}
	leaves := 0
	ScanLeaves(p, func(_ []string, _, _ []byte) { leaves++ })
	if leaves < len(got) {
		t.Fatalf("scan found %d pairs, walk %d", leaves, len(got))
	}
}

// TestOpenRefusesKeysOutOfOrder: a flipped byte in a key leaves a page's
// keys out of order. The tree's shape is whole, but bbolt finds keys by
// binary search and its freelist check then panics on a goroutine of its
// own, which no recover reaches: Open must refuse the file first.
func TestOpenRefusesKeysOutOfOrder(t *testing.T) {
	path, _ := sample(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, []byte("k00003value 3 "))
	if i < 0 {
		t.Fatal("key k00003 not found")
	}
	raw[i+5] = '0' // k00003 becomes k00000, below k00001 and k00002
	os.WriteFile(path, raw, 0o600)
	if err := Check(path); err == nil {
		t.Fatal("Check passes a page whose keys are out of order")
	}
	if _, err := Open(path, nil); !errors.Is(err, ErrDamaged) {
		t.Fatalf("open: %v", err)
	}
}
