package printer

import (
	"errors"
	"fmt"
	"os"
	"time"

	"go.bug.st/serial"
	"golang.org/x/sys/windows"
)

// line is an open COM port. Windows gives a COM port to one process at a
// time, so the hold is exclusive without asking.
type line struct{ serial.Port }

// SetWriteDeadline does nothing: without flow control a COM port takes
// what is written at the line's speed and never waits on the printer.
func (l *line) SetWriteDeadline(time.Time) error { return nil }

// openLine opens a COM port (COM3, or \\.\COM12 past COM9) through
// go.bug.st/serial with the configured speed and framing. The library sets
// no hardware or software flow control, so a printer wired for RTS/CTS or
// XON/XOFF is refused here rather than losing bytes when its buffer fills.
func openLine(path string, c Config) (*line, error) {
	if c.Flow != "" && c.Flow != "none" {
		return nil, fmt.Errorf("flow control %q: COM ports on Windows are driven without flow control; set the printer and flow = \"none\"", c.Flow)
	}
	m := &serial.Mode{BaudRate: c.Baud, DataBits: c.DataBits, StopBits: serial.OneStopBit}
	if c.StopBits == 2 {
		m.StopBits = serial.TwoStopBits
	}
	switch c.Parity {
	case "even":
		m.Parity = serial.EvenParity
	case "odd":
		m.Parity = serial.OddParity
	}
	p, err := serial.Open(path, m)
	if err != nil {
		return nil, err
	}
	return &line{p}, nil
}

// lineFlow reports the flow control set on an open line: always none.
func lineFlow(*line) (string, error) { return "none", nil }

// openUSB opens a USB printer-class device by its device interface path
// (\\?\usb#vid_0416&pid_5011#…#{28d78fad-5a12-11d1-ae5b-0000f803a8c2},
// the usbprint driver's), which reads back status where the printer is
// bidirectional.
func openUSB(addr string) (link, error) {
	return os.OpenFile(addr, os.O_RDWR, 0)
}

// notSerial tells that openLine was given something that is no COM port.
func notSerial(err error) bool {
	var pe *serial.PortError
	return errors.As(err, &pe) && pe.Code() == serial.InvalidSerialPort
}

// readRefused tells that a read failed because the device cannot be read: a
// unidirectional printer on usbprint.
func readRefused(err error) bool {
	return errors.Is(err, windows.ERROR_INVALID_FUNCTION) || errors.Is(err, windows.ERROR_NOT_SUPPORTED)
}
