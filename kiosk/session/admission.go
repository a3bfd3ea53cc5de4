package session

// Admission decides whether a resident may begin at all: the voting point
// is open and, under the edition's staff-activation policy, a staff member
// unlocked this one ballot (kiosk/station implements it).
type Admission interface {
	// Admit lets the next resident begin, or returns an error carrying the
	// translation key of why not (an election.Problem).
	Admit() error
	// Release ends the admitted resident's turn (cancel, timeout, or the
	// reset after the cast): an unused unlocked ballot is gone.
	Release()
}
