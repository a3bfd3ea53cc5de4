package input

import (
	"testing"
	"time"
)

// TestScannerHolding: the scanner says when a burst is under way, so that
// the keys of its characters (a dash is also the volume key) are not taken
// as a person's while it decides.
func TestScannerHolding(t *testing.T) {
	s := Scanner{Prefix: DefaultPrefix}
	at := time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	if s.Holding() {
		t.Fatal("holding before any key")
	}
	for _, r := range DefaultPrefix + "7Q3K1-ABCDE" {
		s.Type(r, at)
		at = at.Add(4 * time.Millisecond)
		if !s.Holding() {
			t.Fatalf("not holding after %q", r)
		}
	}
	if ev, ok := s.Enter(at); !ok || ev.Scan != "7Q3K1-ABCDE" || s.Holding() {
		t.Fatalf("scan %+v %v, holding %v", ev, ok, s.Holding())
	}
	s.Type('4', at)
	if ev := s.Flush(at.Add(time.Second)); string(ev.Typed) != "4" || s.Holding() {
		t.Fatalf("a person's digit: %+v", ev)
	}
}
