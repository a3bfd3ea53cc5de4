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

	held    []rune
	last    time.Time
	inScan  bool // the prefix was seen: everything up to Enter is the code
	matched int  // how much of the prefix the held runes match
}

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

// Enter takes the Enter key at time at: it ends a scan, or is the person's.
func (s *Scanner) Enter(at time.Time) (Event, bool) {
	var ev Event
	burst := at.Sub(s.last) <= s.gap()
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
	if len(s.held) == 0 || now.Sub(s.last) <= s.gap() {
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

func (s *Scanner) release() []rune {
	out := append([]rune(nil), s.held...)
	s.held = s.held[:0]
	return out
}

func (s *Scanner) reset() {
	s.held, s.inScan = s.held[:0], false
}

// plausible reports whether r may be part of a scanned plan code or a
// planner address.
func plausible(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(":/.-_?=&#%", r)
}
