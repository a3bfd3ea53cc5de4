package session

import (
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Member is one staff member's PIN: the id the audit log names them by,
// and the bcrypt hash from the kiosk configuration.
type Member struct {
	ID   string
	Hash string
}

// DefaultStaffID names the holder of the venue's single staff PIN.
const DefaultStaffID = "staff"

// LockStore keeps a PIN checker's wrong tries and lock across restarts
// (kiosk/queue): a restart must not give five more tries.
type LockStore interface {
	PINLock(name string) (failures int, until time.Time, err error)
	SetPINLock(name string, failures int, until time.Time) error
}

// Staff checks the staff PINs (bcrypt hashes from the kiosk configuration).
// Five wrong tries in a row lock it for five minutes, for every member.
type Staff struct {
	members  []Member
	clock    func() time.Time
	store    LockStore
	name     string
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

// NewStaff returns a PIN checker for one bcrypt hash, held by DefaultStaffID.
func NewStaff(hash string, clock func() time.Time) *Staff {
	return NewStaffMembers([]Member{{ID: DefaultStaffID, Hash: hash}}, clock)
}

// NewStaffMembers returns a PIN checker for named staff members.
func NewStaffMembers(members []Member, clock func() time.Time) *Staff {
	if clock == nil {
		clock = time.Now
	}
	return &Staff{members: members, clock: clock}
}

// Keep stores the checker's tries and lock under name in store, and takes
// up what an earlier run left there.
func (s *Staff) Keep(name string, store LockStore) error {
	f, until, err := store.PINLock(name)
	if err != nil {
		return err
	}
	s.store, s.name, s.failures, s.locked = store, name, f, until
	return nil
}

// HashPIN makes the hash a configuration file stores.
func HashPIN(pin string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
	return string(h), err
}

// Check tries a PIN. While locked, even the right PIN is refused.
func (s *Staff) Check(pin string) error {
	_, err := s.Who(pin)
	return err
}

// Who tries a PIN and returns the id of the member it belongs to.
func (s *Staff) Who(pin string) (string, error) {
	now := s.clock()
	if now.Before(s.locked) {
		return "", ErrLocked
	}
	for _, m := range s.members {
		if bcrypt.CompareHashAndPassword([]byte(m.Hash), []byte(pin)) == nil {
			if s.failures > 0 || !s.locked.IsZero() {
				s.failures, s.locked = 0, time.Time{}
				s.save()
			}
			return m.ID, nil
		}
	}
	s.failures++
	err := ErrWrongPIN
	if s.failures >= MaxTries {
		s.failures = 0
		s.locked = now.Add(LockFor)
		err = ErrLocked
	}
	s.save()
	return "", err
}

// save keeps the tries in the store; a store that cannot write leaves the
// lock in memory, which still holds until the next restart.
func (s *Staff) save() {
	if s.store != nil {
		s.store.SetPINLock(s.name, s.failures, s.locked)
	}
}

// TriesLeft is how many wrong tries remain before the lock.
func (s *Staff) TriesLeft() int { return MaxTries - s.failures }

// LockedFor returns how long the lock still holds (0 when unlocked).
func (s *Staff) LockedFor() time.Duration {
	return max(s.locked.Sub(s.clock()), 0)
}
