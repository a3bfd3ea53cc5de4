package queue

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRescueBrokenChain: one edited and one deleted ballot do not block the
// USB rescue; every ballot that verifies comes out and the breaks are named.
func TestRescueBrokenChain(t *testing.T) {
	path := storeWith30(t)
	tamper(t, path, 7, func(s string) string { return strings.Replace(s, `"c1"`, `"c9"`, 1) })
	tamper(t, path, 12, nil)
	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("a broken chain opened for voting")
	}
	bs, breaks, err := Rescue(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 28 {
		t.Fatalf("%d ballots rescued, want 28", len(bs))
	}
	for _, b := range bs {
		if b.Seq == 7 || b.Seq == 12 {
			t.Fatalf("ballot %d rescued", b.Seq)
		}
	}
	var at []uint64
	for _, b := range breaks {
		at = append(at, b.Seq)
	}
	if len(at) != 2 || at[0] != 7 || at[1] != 12 {
		t.Fatalf("breaks at %v (%v), want 7 and 12", at, breaks)
	}
	// the kiosk running holds the store: the rescue says so
	q := open(t, storeWith30(t))
	defer q.Close()
	if _, _, err := Rescue(q.db.Path(), 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("rescue of a store in use: %v", err)
	}
}
