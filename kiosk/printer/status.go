package printer

import (
	"errors"
	"fmt"
)

// Status is what a printer says of itself.
type Status struct {
	Online       bool `json:"online"`
	CoverOpen    bool `json:"coverOpen"`
	PaperNearEnd bool `json:"paperNearEnd"`
	PaperOut     bool `json:"paperOut"`
	Error        bool `json:"error"`
	// Unknown says the printer has no status path (it never answered a
	// status request): it still prints, and the dashboard shows "unknown".
	Unknown bool `json:"unknown,omitempty"`
}

// Ready reports whether a job may start. The printer's offline bit is also
// set by paper out, cover open and errors, so those are told apart first.
func (s Status) Ready() error {
	switch {
	case s.Unknown:
		return nil
	case s.PaperOut:
		return ErrPaperOut
	case s.CoverOpen:
		return ErrCoverOpen
	case s.Error:
		return ErrPrinterError
	case !s.Online:
		return ErrOffline
	}
	return nil
}

func (s Status) String() string {
	switch {
	case s.Unknown:
		return "unknown"
	case s.PaperOut:
		return "paper-out"
	case s.CoverOpen:
		return "cover-open"
	case s.Error:
		return "error"
	case !s.Online:
		return "offline"
	case s.PaperNearEnd:
		return "paper-near-end"
	}
	return "ok"
}

// Real-time status requests (DLE EOT n).
var (
	QueryPrinter = []byte{DLE, EOT, 1}
	QueryOffline = []byte{DLE, EOT, 2}
	QueryPaper   = []byte{DLE, EOT, 4}
)

// QueryPaperSensor is GS r 1, "transmit paper sensor status". Unlike DLE
// EOT it waits in the receive buffer behind the job, so its answer means
// everything before it was printed, with the paper state at that moment.
var QueryPaperSensor = []byte{GS, 'r', 1}

// IsSensorByte reports whether b can be an answer to GS r 1: bits 4 and 7
// clear (a DLE EOT answer and an ASB header have bit 4 set).
func IsSensorByte(b byte) bool { return b&0x90 == 0 }

// DecodeSensor decodes the answer to GS r 1: paper near end (bits 0-1)
// and paper out (bits 2-3).
func DecodeSensor(b byte) (nearEnd, out bool) { return b&0x03 != 0, b&0x0c != 0 }

// EncodeSensor is the inverse of DecodeSensor.
func EncodeSensor(nearEnd, out bool) byte {
	var b byte
	if nearEnd {
		b |= 0x03
	}
	if out {
		b |= 0x0c
	}
	return b
}

// ErrNotStatus says a byte is not a DLE EOT answer.
var ErrNotStatus = errors.New("not a status byte")

// IsStatusByte reports whether b has the fixed bits of a DLE EOT answer
// (bits 1 and 4 set, bits 0 and 7 clear).
func IsStatusByte(b byte) bool { return b&0x93 == 0x12 }

// DecodeStatus decodes the answers to DLE EOT 1, 2 and 4.
func DecodeStatus(printer, offline, paper byte) (Status, error) {
	for _, b := range []byte{printer, offline, paper} {
		if !IsStatusByte(b) {
			return Status{}, fmt.Errorf("%w: %#02x", ErrNotStatus, b)
		}
	}
	return Status{
		Online:       printer&0x08 == 0,
		CoverOpen:    offline&0x04 != 0,
		PaperOut:     paper&0x60 != 0 || offline&0x20 != 0,
		PaperNearEnd: paper&0x0c != 0,
		Error:        offline&0x40 != 0,
	}, nil
}

// EncodeStatus is the inverse of DecodeStatus: the bytes a printer in
// state s answers to DLE EOT 1, 2 and 4.
func EncodeStatus(s Status) (printer, offline, paper byte) {
	printer, offline, paper = 0x12, 0x12, 0x12
	if !s.Online || s.CoverOpen || s.PaperOut || s.Error {
		printer |= 0x08
	}
	if s.CoverOpen {
		offline |= 0x04
	}
	if s.PaperOut {
		offline |= 0x20
		paper |= 0x60
	}
	if s.Error {
		offline |= 0x40
	}
	if s.PaperNearEnd {
		paper |= 0x0c
	}
	return
}

// EnableAutoStatus is GS a n with the bits for online, error, paper sensor
// and cover changes: the printer then sends 4 bytes whenever its state changes.
var EnableAutoStatus = []byte{GS, 'a', 0x0f}

// IsAutoStatusHeader reports whether b starts an automatic status (ASB)
// message: bits 0, 1 and 7 clear, bit 4 set.
func IsAutoStatusHeader(b byte) bool { return b&0x93 == 0x10 }

// DecodeAutoStatus decodes a 4-byte automatic status back message.
func DecodeAutoStatus(m [4]byte) (Status, error) {
	if !IsAutoStatusHeader(m[0]) || m[1]&0x90 != 0 || m[2]&0x90 != 0 || m[3]&0x90 != 0 {
		return Status{}, fmt.Errorf("%w: ASB % x", ErrNotStatus, m)
	}
	return Status{
		Online:       m[0]&0x08 == 0,
		CoverOpen:    m[0]&0x20 != 0,
		Error:        m[1]&0x6c != 0,
		PaperNearEnd: m[2]&0x03 != 0,
		PaperOut:     m[2]&0x0c != 0,
	}, nil
}

// EncodeAutoStatus is the inverse of DecodeAutoStatus.
func EncodeAutoStatus(s Status) [4]byte {
	m := [4]byte{0x10, 0, 0, 0}
	if !s.Online || s.CoverOpen || s.PaperOut || s.Error {
		m[0] |= 0x08
	}
	if s.CoverOpen {
		m[0] |= 0x20
	}
	if s.Error {
		m[1] |= 0x08
	}
	if s.PaperNearEnd {
		m[2] |= 0x03
	}
	if s.PaperOut {
		m[2] |= 0x0c
	}
	return m
}

// Errors of a job. Each has a translation key (ErrorKey) for the screens.
var (
	ErrPaperOut     = errors.New("printer: paper out")
	ErrCoverOpen    = errors.New("printer: cover open")
	ErrOffline      = errors.New("printer: offline")
	ErrPrinterError = errors.New("printer: error")
	ErrNoAnswer     = errors.New("printer: no answer to a status request")
	ErrDisconnected = errors.New("printer: disconnected")
	ErrClosed       = errors.New("printer: closed")
)

// MidJobError says a job stopped part way: Err tells why (paper ran out,
// say), Sent how many of Total bytes went out.
type MidJobError struct {
	Err         error
	Sent, Total int
}

func (e *MidJobError) Error() string {
	return fmt.Sprintf("%v during the job (%d of %d bytes sent)", e.Err, e.Sent, e.Total)
}

func (e *MidJobError) Unwrap() error { return e.Err }

// StateKey returns the translation key that says a ready printer's state
// to staff: "" when all is well, printer.unknown when it has no status
// path (it prints, but nothing can confirm it).
func StateKey(s Status) string {
	if err := s.Ready(); err != nil {
		return ErrorKey(err)
	}
	if s.Unknown {
		return "printer.unknown"
	}
	return ""
}

// ErrorKey returns the translation key for a printer error.
func ErrorKey(err error) string {
	mid := ""
	var m *MidJobError
	if errors.As(err, &m) {
		mid = "_mid_job"
	}
	switch {
	case errors.Is(err, ErrPaperOut):
		return "printer.paper_out" + mid
	case errors.Is(err, ErrCoverOpen):
		return "printer.cover_open"
	case errors.Is(err, ErrOffline):
		return "printer.offline"
	case errors.Is(err, ErrPrinterError):
		return "printer.error"
	case errors.Is(err, ErrNoAnswer), errors.Is(err, ErrDisconnected), errors.Is(err, ErrClosed):
		return "printer.no_answer"
	}
	return "printer.error"
}
