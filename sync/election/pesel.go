package election

import (
	"fmt"
	"strings"
	"time"
)

// Translation keys of identity problems.
const (
	KeyPESELLength     = "pesel.length"
	KeyPESELDigits     = "pesel.digits"
	KeyPESELChecksum   = "pesel.checksum"
	KeyPESELDate       = "pesel.date"
	KeyPESELFuture     = "pesel.future"
	KeyCodeFormat      = "code.format"
	KeyCodeCheck       = "code.check"
	KeyTooYoung        = "eligibility.too_young"
	KeyNoDeclaration   = "eligibility.no_declaration"
	KeyGuardianMissing = "eligibility.guardian_missing"
)

// PESEL is a decoded Polish national identification number. It is kept in
// memory only for the length of a session.
type PESEL struct {
	Digits string
	Birth  time.Time // midnight UTC of the birth date
	Female bool
}

var peselWeights = [10]int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}

// ParsePESEL checks s (spaces allowed) and decodes it. A birth date after
// now is refused. The error is a Problem with a translation key.
func ParsePESEL(s string, now time.Time) (PESEL, error) {
	d := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	for _, r := range d {
		if r < '0' || r > '9' {
			return PESEL{}, Problem{Key: KeyPESELDigits}
		}
	}
	if len(d) != 11 {
		return PESEL{}, Problem{Key: KeyPESELLength, Detail: fmt.Sprintf("%d digits", len(d))}
	}
	n := func(i int) int { return int(d[i] - '0') }
	sum := 0
	for i, w := range peselWeights {
		sum += n(i) * w
	}
	if (10-sum%10)%10 != n(10) {
		return PESEL{}, Problem{Key: KeyPESELChecksum}
	}
	yy, mm, dd := n(0)*10+n(1), n(2)*10+n(3), n(4)*10+n(5)
	century := 0
	switch {
	case mm >= 81 && mm <= 92:
		century, mm = 1800, mm-80
	case mm >= 1 && mm <= 12:
		century = 1900
	case mm >= 21 && mm <= 32:
		century, mm = 2000, mm-20
	case mm >= 41 && mm <= 52:
		century, mm = 2100, mm-40
	case mm >= 61 && mm <= 72:
		century, mm = 2200, mm-60
	default:
		return PESEL{}, Problem{Key: KeyPESELDate, Detail: "month"}
	}
	year := century + yy
	birth := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if dd < 1 || birth.Day() != dd || int(birth.Month()) != mm {
		return PESEL{}, Problem{Key: KeyPESELDate, Detail: "day"}
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if birth.After(today) {
		return PESEL{}, Problem{Key: KeyPESELFuture}
	}
	return PESEL{Digits: d, Birth: birth, Female: n(9)%2 == 0}, nil
}

// Age returns the age in whole years on the calendar day of now.
func Age(birth, now time.Time) int {
	age := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		age--
	}
	return age
}
