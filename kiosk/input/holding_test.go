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

// TestEagerScanner: an eager scanner hands a person's characters on at
// once, holds only the prefix, and still takes a prefix-less burst ended by
// Enter as a scan.
func TestEagerScanner(t *testing.T) {
	code := "7Q3K1-ABCDE-FGHJK-MNPQR"
	at := time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		typed  string
		gap    time.Duration
		scan   string
		passed string // handed on as typed
	}{
		"with the prefix":        {DefaultPrefix + code, 4 * time.Millisecond, code, ""},
		"a burst without it":     {code, 4 * time.Millisecond, code, code},
		"a person typing":        {code, 150 * time.Millisecond, "", code},
		"a short burst":          {"44051401359", 4 * time.Millisecond, "", "44051401359"},
		"the prefix broken off":  {"]Q7", 4 * time.Millisecond, "", "]Q7"},
		"a person's ] and later": {"]" + "44", 200 * time.Millisecond, "", "]44"},
	} {
		t.Run(name, func(t *testing.T) {
			s := Scanner{Prefix: DefaultPrefix, Eager: true}
			now := at
			var passed []rune
			for _, r := range c.typed {
				passed = append(passed, s.Type(r, now).Typed...)
				now = now.Add(c.gap)
			}
			ev, ok := s.Enter(now.Add(-c.gap + time.Millisecond))
			passed = append(passed, ev.Typed...)
			if ok != (c.scan != "") || ev.Scan != c.scan || string(passed) != c.passed {
				t.Fatalf("scan %q %v, passed %q; want scan %q, passed %q", ev.Scan, ok, string(passed), c.scan, c.passed)
			}
		})
	}
}

// TestEagerPrefixUntimed: on a loaded kiosk the prefix's keys may come
// late; the scan still reads, and a prefix followed by silence is given
// back once HoldFor has passed.
func TestEagerPrefixUntimed(t *testing.T) {
	s := Scanner{Prefix: DefaultPrefix, Eager: true}
	at := time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	for _, r := range DefaultPrefix + "7Q3K1" {
		if ev := s.Type(r, at); len(ev.Typed) > 0 {
			t.Fatalf("%q handed on", ev.Typed)
		}
		at = at.Add(300 * time.Millisecond)
	}
	if ev, ok := s.Enter(at); !ok || ev.Scan != "7Q3K1" {
		t.Fatalf("late keys: %+v %v", ev, ok)
	}
	for _, r := range DefaultPrefix {
		s.Type(r, at)
	}
	if ev := s.Flush(at.Add(s.HoldFor() / 2)); len(ev.Typed) > 0 || !s.Holding() {
		t.Fatal("the prefix given back too soon")
	}
	if ev := s.Flush(at.Add(2 * s.HoldFor())); string(ev.Typed) != DefaultPrefix || s.Holding() {
		t.Fatalf("a prefix and silence: %+v, holding %v", ev, s.Holding())
	}
}
