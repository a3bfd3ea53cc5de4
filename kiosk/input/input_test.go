package input

import (
	"testing"
	"time"
)

func TestKeysMapToActions(t *testing.T) {
	cases := map[string]Action{"Up": Up, "Return": Select, "Enter": Select, "KP_Enter": Select, "BackSpace": Back, "Escape": Back,
		"Tab": Next, "End": Last, "F1": Help, "F5": Repeat, "Q": None,
		// typed as runes too: a key name would make one press two actions
		"+": None, "-": None, "5": None}
	for k, want := range cases {
		if got := Key(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if Rune('5') != None || Rune('r') != Repeat || Rune('*') != Faster || Rune('+') != Louder || Rune(',') != Curtain {
		t.Error("runes")
	}
	if Digit('8') != Up || Digit('2') != Down || Digit('5') != Repeat || Digit('0') != Help || Digit('9') != None {
		t.Error("keypad digits")
	}
}

// feed types text starting at t0 with gap between keys, then Enter after the same gap.
func feed(s *Scanner, text string, t0 time.Time, gap time.Duration) (typed, scan string, isScan bool) {
	at := t0
	for i, r := range text {
		if i > 0 {
			at = at.Add(gap)
		}
		typed += string(s.Type(r, at).Typed)
	}
	ev, ok := s.Enter(at.Add(gap))
	return typed + string(ev.Typed), ev.Scan, ok
}

func TestScannerTellsScansFromPeople(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	code := "438HDQ9MCQK0Q2M69D5SN23KSAM7SB4EQR"
	cases := map[string]struct {
		s      Scanner
		text   string
		gap    time.Duration
		scan   bool
		result string
	}{
		"a scanner with its prefix":       {Scanner{Prefix: "]Q"}, "]Q" + code, 5 * time.Millisecond, true, code},
		"a prefix-less scanner's burst":   {Scanner{}, code, 4 * time.Millisecond, true, code},
		"a planner address scanned":       {Scanner{}, "https://urna.example/plan/" + code, 3 * time.Millisecond, true, "https://urna.example/plan/" + code},
		"a person typing a PESEL":         {Scanner{}, "44051401359", 150 * time.Millisecond, false, "44051401359"},
		"a person typing fast, briefly":   {Scanner{}, "4405", 10 * time.Millisecond, false, "4405"},
		"a person typing the code slowly": {Scanner{Prefix: "]Q"}, code, 120 * time.Millisecond, false, code},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := c.s
			typed, scan, ok := feed(&s, c.text, t0, c.gap)
			if ok != c.scan {
				t.Fatalf("scan %v, want %v (typed %q, scan %q)", ok, c.scan, typed, scan)
			}
			if c.scan && (scan != c.result || typed != "") {
				t.Fatalf("scan %q typed %q", scan, typed)
			}
			if !c.scan && typed != c.result {
				t.Fatalf("typed %q, want %q", typed, c.result)
			}
		})
	}
}

func TestScannerFlushHandsOnAPersonsKeys(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	var s Scanner
	if ev := s.Type('4', t0); len(ev.Typed) != 0 {
		t.Fatal("a key was handed on before its gap passed")
	}
	if ev := s.Flush(t0.Add(10 * time.Millisecond)); len(ev.Typed) != 0 {
		t.Fatal("flushed too early")
	}
	if ev := s.Flush(t0.Add(40 * time.Millisecond)); string(ev.Typed) != "4" {
		t.Fatalf("flush gave %q", string(ev.Typed))
	}
	// A scan that breaks off after its prefix gives the characters back.
	s = Scanner{Prefix: "]Q"}
	s.Type(']', t0)
	s.Type('Q', t0.Add(time.Millisecond))
	s.Type('4', t0.Add(2*time.Millisecond))
	if ev := s.Flush(t0.Add(time.Second)); string(ev.Typed) != "]Q4" {
		t.Fatalf("broken-off scan gave %q", string(ev.Typed))
	}
}

// FuzzScanner checks that whatever is typed comes out again, as typed
// characters or as one scan, never lost or doubled.
func FuzzScanner(f *testing.F) {
	f.Add("]Q438HD", uint8(5), true)
	f.Add("44051401359", uint8(150), false)
	f.Fuzz(func(t *testing.T, text string, gapMS uint8, prefix bool) {
		s := Scanner{}
		if prefix {
			s.Prefix = "]Q"
		}
		at := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
		var out []rune
		for _, r := range text {
			if r == '\n' {
				continue
			}
			at = at.Add(time.Duration(gapMS) * time.Millisecond)
			out = append(out, s.Type(r, at).Typed...)
		}
		ev, ok := s.Enter(at.Add(time.Duration(gapMS) * time.Millisecond))
		out = append(out, ev.Typed...)
		in := []rune{}
		for _, r := range text {
			if r != '\n' {
				in = append(in, r)
			}
		}
		if ok {
			return // a scan: its text is the code, checked by the plan decoder
		}
		if string(out) != string(in) {
			t.Fatalf("typed %q came out as %q", string(in), string(out))
		}
	})
}
