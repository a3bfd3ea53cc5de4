// Package input maps what residents press to a few actions, once, so that
// screens react to actions and not to keys or devices: a USB keypad or
// keyboard for residents who cannot use the touchscreen, and a 2D barcode
// scanner in keyboard mode that types a prepared ballot's plan code. It
// knows no Fyne: key names are the strings Fyne's key events carry.
package input

import (
	"strings"
	"time"
)

// Action is what a key means, whatever device sent it.
type Action string

// Actions (Left/Right move by one button, Up/Down by one line, Tab and
// Shift+Tab like Right and Left, Home/End to the first and last line, Enter
// selects, Backspace/Escape go back, +/- set the volume, * and / the speech
// rate, R or F5 repeats, H or F1 asks for help, . or , draws the privacy
// curtain). On a numeric keypad the digits 8 2 4 6 5 0 are Up, Down, Left,
// Right, Repeat and Help wherever digits type nothing (see Digit).
const (
	None    Action = ""
	Up      Action = "up"
	Down    Action = "down"
	Left    Action = "left"
	Right   Action = "right"
	Select  Action = "select"
	Back    Action = "back"
	Help    Action = "help"
	Repeat  Action = "repeat"
	Louder  Action = "louder"
	Quieter Action = "quieter"
	Faster  Action = "faster"
	Slower  Action = "slower"
	Next    Action = "next"  // Tab: the next button, like Right
	First   Action = "first" // Home: the first line
	Last    Action = "last"  // End: the last line (where Next and Confirm are)
	Curtain Action = "curtain"
)

// keys maps key names (Fyne's KeyName values) to actions. Keys that also
// type a character (+ - * / and letters) are left to runes, so that one
// press is one action: Fyne sends both a key and a rune for them.
var keys = map[string]Action{
	"Up": Up, "Down": Down, "Left": Left, "Right": Right, "Tab": Next,
	"Home": First, "End": Last, "Prior": First, "Next": Last,
	"Return": Select, "Enter": Select, "KP_Enter": Select, "Space": Select,
	"BackSpace": Back, "Escape": Back,
	"F1": Help, "Help": Help, "F5": Repeat,
}

// runes maps typed characters to actions (a keypad sends + - * / . as
// typed text; a Polish keypad's decimal key types a comma).
var runes = map[rune]Action{'+': Louder, '-': Quieter, '*': Faster, '/': Slower, 'h': Help, 'H': Help, 'r': Repeat, 'R': Repeat,
	'.': Curtain, ',': Curtain}

// digits are a numeric keypad's digits as actions, laid out like its arrows.
var digits = map[rune]Action{'8': Up, '2': Down, '4': Left, '6': Right, '5': Repeat, '0': Help, '7': First, '1': Last}

// Key returns the action of a key name, or None.
func Key(name string) Action { return keys[name] }

// Rune returns the action of a typed character, or None; digits are not
// actions (they type a PESEL).
func Rune(r rune) Action { return runes[r] }

// Digit returns what a keypad digit does where digits type nothing (every
// screen but the identity field and the search): the keypad's own arrow
// layout, 5 to repeat and 0 for help.
func Digit(r rune) Action { return digits[r] }

// Scanner tells a barcode scanner's typing from a person's. A scanner in
// keyboard mode types a whole code in a burst; it is configured to send
// Prefix first (docs/install.md), which settles it at once. Without the
// prefix, a burst of at least MinLen characters, each within MaxGap of the
// one before and ended by Enter, is a scan too. Characters are held back
// until that is decided, at most MaxGap, then handed on as typed.
type Scanner struct {
	Prefix string        // e.g. "]Q" (most scanners can send an AIM-like prefix)
	MaxGap time.Duration // 0: 35 ms (people type slower than one key per 80 ms)
	MinLen int           // 0: 20
	// Eager hands each character on at once instead of holding it until
	// the timing rule decides: only the prefix is held. A burst without the
	// prefix that ends in Enter is still a scan, its characters already
	// handed on as typed (the kiosk uses it: a resident's keys are never
	// late, and a configured scanner sends the prefix).
	Eager bool

	burst   []rune // Eager: the plausible characters of the burst so far
	held    []rune
	last    time.Time
	inScan  bool // the prefix was seen: everything up to Enter is the code
	matched int  // how much of the prefix the held runes match
}

// DefaultPrefix is the prefix the kiosk expects when its configuration
// names none: the AIM symbology identifier of a QR code, which most 2D
// scanners send before the data once "AIM ID" is switched on
// (docs/install.md, "A barcode scanner for prepared ballots").
const DefaultPrefix = "]Q1"

// Event is what the scanner makes of input: typed characters for the
// screen, or a finished scan.
type Event struct {
	Typed []rune
	Scan  string
}

func (s *Scanner) gap() time.Duration {
	if s.MaxGap == 0 {
		return 35 * time.Millisecond
	}
	return s.MaxGap
}

func (s *Scanner) minLen() int {
	if s.MinLen == 0 {
		return 20
	}
	return s.MinLen
}

// Type takes a typed character at time at.
func (s *Scanner) Type(r rune, at time.Time) Event {
	if s.Eager {
		return s.typeEager(r, at)
	}
	var ev Event
	if len(s.held) > 0 && at.Sub(s.last) > s.gap() && !s.inScan {
		ev.Typed = s.release()
	}
	s.last = at
	s.held = append(s.held, r)
	if !s.inScan && s.Prefix != "" {
		p := []rune(s.Prefix)
		if len(s.held) <= len(p) && s.held[len(s.held)-1] == p[len(s.held)-1] {
			if len(s.held) == len(p) {
				s.inScan, s.held = true, s.held[:0]
			}
			return ev
		}
	}
	if !s.inScan && !plausible(r) {
		ev.Typed = append(ev.Typed, s.release()...)
	}
	return ev
}

// typeEager is Type for an Eager scanner.
func (s *Scanner) typeEager(r rune, at time.Time) Event {
	var ev Event
	prev := s.last
	fast := at.Sub(prev) <= s.gap()
	s.last = at
	if s.inScan {
		s.held = append(s.held, r)
		return ev
	}
	if !fast {
		s.burst = s.burst[:0]
	}
	if p := []rune(s.Prefix); len(p) > 0 {
		// the prefix is not timed (a loaded kiosk may take the keys late): it
		// holds until it matches whole, stops matching or HoldFor passes
		if (len(s.held) == 0 || at.Sub(prev) <= s.HoldFor()) && len(s.held) < len(p) && p[len(s.held)] == r {
			s.held = append(s.held, r)
			if len(s.held) == len(p) {
				s.inScan, s.held, s.burst = true, s.held[:0], s.burst[:0]
			}
			return ev
		}
		ev.Typed = s.release() // a prefix that broke off
		s.burst = append(s.burst, ev.Typed...)
	}
	ev.Typed = append(ev.Typed, r)
	if plausible(r) {
		s.burst = append(s.burst, r)
	} else {
		s.burst = s.burst[:0]
	}
	return ev
}

// Enter takes the Enter key at time at: it ends a scan, or is the person's.
func (s *Scanner) Enter(at time.Time) (Event, bool) {
	var ev Event
	burst := at.Sub(s.last) <= s.gap()
	if s.Eager && !s.inScan {
		ev.Typed = s.release()
		if burst && len(ev.Typed) == 0 && len(s.burst) >= s.minLen() {
			ev.Scan = strings.TrimSpace(string(s.burst))
		}
		s.reset()
		return ev, ev.Scan != ""
	}
	switch {
	case s.inScan:
		ev.Scan = string(s.held)
	case burst && len(s.held) >= s.minLen():
		ev.Scan = string(s.held)
	default:
		ev.Typed = s.release()
		s.reset()
		return ev, false // Enter is the person's Select
	}
	s.reset()
	ev.Scan = strings.TrimSpace(ev.Scan)
	return ev, true
}

// Flush hands on what was held once MaxGap has passed since the last key:
// a person typing. The UI calls it from a timer.
func (s *Scanner) Flush(now time.Time) Event {
	if !s.Holding() || now.Sub(s.last) <= s.HoldFor() {
		return Event{}
	}
	if s.inScan {
		// A prefix and then silence: a scan that broke off, or a person
		// who typed the prefix. Give the characters back.
		ev := Event{Typed: append([]rune(s.Prefix), s.held...)}
		s.reset()
		return ev
	}
	return Event{Typed: s.release()}
}

// HoldFor is how long after the last key Flush keeps what is held: MaxGap,
// or for an Eager scanner (which holds only a prefix and the code after it)
// a second, so that a kiosk under load does not break a scan.
func (s *Scanner) HoldFor() time.Duration {
	if s.Eager {
		return time.Second
	}
	return s.gap()
}

// Holding reports whether characters are held back: a burst that may be a
// scan is under way.
func (s *Scanner) Holding() bool { return len(s.held) > 0 || s.inScan }

func (s *Scanner) release() []rune {
	out := append([]rune(nil), s.held...)
	s.held = s.held[:0]
	return out
}

func (s *Scanner) reset() {
	s.held, s.inScan, s.burst = s.held[:0], false, s.burst[:0]
}

// plausible reports whether r may be part of a scanned plan code or a
// planner address.
func plausible(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(":/.-_?=&#%", r)
}
