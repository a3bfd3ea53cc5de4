package session

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/kiosk/queue"
)

func TestStaffLockout(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("2468"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)}
	st := NewStaff(string(h), c.now)
	if err := st.Check("2468"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < MaxTries; i++ {
		if err := st.Check("0000"); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if err := st.Check("0000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("fifth wrong try: %v", err)
	}
	if err := st.Check("2468"); !errors.Is(err, ErrLocked) {
		t.Fatal("the right PIN opened a locked kiosk")
	}
	c.add(4*time.Minute + 59*time.Second)
	if st.LockedFor() != time.Second || !errors.Is(st.Check("2468"), ErrLocked) {
		t.Fatal("unlocked early")
	}
	c.add(time.Second)
	if err := st.Check("2468"); err != nil {
		t.Fatalf("after 5 minutes: %v", err)
	}
}

// TestStaffLockoutSurvivesRestart: the wrong tries and the lock are kept in
// the kiosk's store, so a restart gives no fresh tries (on main it did),
// and each wrong try says how many remain.
func TestStaffLockoutSurvivesRestart(t *testing.T) {
	h, _ := bcrypt.GenerateFromPassword([]byte("2468"), bcrypt.MinCost)
	c := &clock{time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "kiosk.db")
	start := func() (*Staff, *queue.Queue) {
		q, err := queue.Open(path, queue.Options{Clock: c.now})
		if err != nil {
			t.Fatal(err)
		}
		st := NewStaff(string(h), c.now)
		if err := st.Keep("staff", q); err != nil {
			t.Fatal(err)
		}
		return st, q
	}
	st, q := start()
	for i := 1; i <= 3; i++ {
		if err := st.Check("0000"); !errors.Is(err, ErrWrongPIN) || st.TriesLeft() != MaxTries-i {
			t.Fatalf("try %d: %v, %d left", i, err, st.TriesLeft())
		}
	}
	q.Close()
	st, q = start() // restarted: still two tries left
	if st.TriesLeft() != 2 {
		t.Fatalf("%d tries left after a restart, want 2", st.TriesLeft())
	}
	st.Check("0000")
	if err := st.Check("0000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("fifth wrong try: %v", err)
	}
	q.Close()
	st, q = start()
	defer q.Close()
	if err := st.Check("2468"); !errors.Is(err, ErrLocked) || st.LockedFor() != LockFor {
		t.Fatalf("the lock did not survive a restart: %v, %v", err, st.LockedFor())
	}
	c.add(LockFor)
	if err := st.Check("2468"); err != nil || st.TriesLeft() != MaxTries {
		t.Fatalf("after the lock: %v, %d tries", err, st.TriesLeft())
	}
}

// TestStaffMembersAreNamed: each staff member's PIN tells who they are; the
// single PIN of older configurations is staff id "staff".
func TestStaffMembersAreNamed(t *testing.T) {
	hash := func(pin string) string {
		h, _ := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.MinCost)
		return string(h)
	}
	st := NewStaffMembers([]Member{{ID: DefaultStaffID, Hash: hash("1234")}, {ID: "anna", Hash: hash("5678")}}, nil)
	for pin, want := range map[string]string{"1234": "staff", "5678": "anna"} {
		if id, err := st.Who(pin); err != nil || id != want {
			t.Errorf("PIN %s: %q, %v; want %q", pin, id, err, want)
		}
	}
	if id, err := st.Who("9999"); !errors.Is(err, ErrWrongPIN) || id != "" {
		t.Errorf("a wrong PIN: %q, %v", id, err)
	}
}
