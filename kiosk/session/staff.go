package session

import (
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Staff checks the venue's staff PIN (a bcrypt hash from the kiosk
// configuration). Five wrong tries lock it for five minutes.
type Staff struct {
	hash     []byte
	clock    func() time.Time
	failures int
	locked   time.Time // until when
}

// Errors of Staff.Check, with their translation keys.
var (
	ErrWrongPIN = errors.New("staff.wrong_pin")
	ErrLocked   = errors.New("staff.locked")
)

// Lockout policy.
const (
	MaxTries = 5
	LockFor  = 5 * time.Minute
)

// NewStaff returns a PIN checker for a bcrypt hash.
func NewStaff(hash string, clock func() time.Time) *Staff {
	if clock == nil {
		clock = time.Now
	}
	return &Staff{hash: []byte(hash), clock: clock}
}

// HashPIN makes the hash a configuration file stores.
func HashPIN(pin string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
	return string(h), err
}

// Check tries a PIN. While locked, even the right PIN is refused.
func (s *Staff) Check(pin string) error {
	now := s.clock()
	if now.Before(s.locked) {
		return ErrLocked
	}
	if bcrypt.CompareHashAndPassword(s.hash, []byte(pin)) != nil {
		s.failures++
		if s.failures >= MaxTries {
			s.failures = 0
			s.locked = now.Add(LockFor)
			return ErrLocked
		}
		return ErrWrongPIN
	}
	s.failures = 0
	return nil
}

// LockedFor returns how long the lock still holds (0 when unlocked).
func (s *Staff) LockedFor() time.Duration {
	return max(s.locked.Sub(s.clock()), 0)
}
