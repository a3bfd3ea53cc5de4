package session

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
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
