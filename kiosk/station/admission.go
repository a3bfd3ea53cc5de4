package station

import (
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
)

// StaffActivation reports whether the edition's admission is staff
// activation: each ballot is unlocked by a staff member who checked the
// resident's ID.
func (s *Station) StaffActivation() bool {
	return s.Edition.AdmissionPolicy() == election.StaffActivation
}

// Activate unlocks exactly one ballot for the resident whose ID staffID
// checked. The audit log names the staff member; the ballot never does.
func (s *Station) Activate(staffID string) error {
	if !s.Opened() {
		return ErrNotOpen
	}
	if s.inUse {
		return ErrBallotInUse // a resident is voting on the last unlock
	}
	if s.unlocked != "" {
		s.Release() // an earlier unlock nobody used is gone
	}
	s.unlocked, s.inUse = staffID, false
	s.Queue.Log(queue.Event{Name: queue.EventBallotActivated, OK: true, Detail: staffID})
	s.Log.Info(string(queue.EventBallotActivated), "staff", staffID)
	return nil
}

// Activated reports whether a ballot is unlocked and waits for its resident.
func (s *Station) Activated() bool { return s.unlocked != "" }

// Admit implements session.Admission: the point is open and, under staff
// activation, a ballot is unlocked; that resident then holds it.
func (s *Station) Admit() error {
	if !s.Opened() {
		return ErrNotOpen
	}
	if s.StaffActivation() {
		if s.unlocked == "" || s.inUse {
			return ErrNotActivated
		}
		s.inUse = true
	}
	return nil
}

// Release implements session.Admission: the resident's turn ended; an
// unlocked ballot they did not cast (cancel, timeout) is gone.
func (s *Station) Release() {
	if s.unlocked == "" {
		return
	}
	s.Queue.Log(queue.Event{Name: queue.EventActivationEnded, Detail: "not-cast"})
	s.Log.Info(string(queue.EventActivationEnded), "reason", "not-cast")
	s.unlocked, s.inUse = "", false
}

// mayCast refuses a ballot while the point is not open, or, under staff
// activation, without an unlocked ballot held by the resident casting.
func (s *Station) mayCast() error {
	if !s.Opened() {
		return ErrNotOpen
	}
	if s.StaffActivation() && (s.unlocked == "" || !s.inUse) {
		return ErrNotActivated
	}
	return nil
}

// consumed: the unlocked ballot was cast.
func (s *Station) consumed() { s.unlocked, s.inUse = "", false }
