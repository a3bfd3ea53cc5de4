package printer

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// speeds maps the baud rates printers use to termios speed codes.
var speeds = map[int]uint32{9600: unix.B9600, 19200: unix.B19200, 38400: unix.B38400, 57600: unix.B57600, 115200: unix.B115200}

// openLine opens a serial line and sets it up (speed, framing, raw mode,
// flow control) on the one descriptor it returns. go.bug.st/serial cannot
// be used for this: it forces RTS/CTS off, hides its descriptor and takes
// the line exclusively, so a second open to set flow control fails for
// every user but root.
func openLine(path string, c Config) (*line, error) {
	// Non-blocking, so that the runtime poller owns reads and Close ends a
	// pending Read.
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if err := setLine(fd, c); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &line{os.NewFile(uintptr(fd), path)}, nil
}

// line is an open serial line.
type line struct{ *os.File }

// Close gives up the exclusive hold first: it belongs to the device, not
// the descriptor, and would otherwise outlive us while another process
// (the virtual printer, say) still holds the device open.
func (l *line) Close() error {
	if rc, err := l.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.IoctlSetInt(int(fd), unix.TIOCNXCL, 0) })
	}
	return l.File.Close()
}

// setLine configures the line behind fd, then takes it exclusively (one
// owner per port) on the same descriptor.
func setLine(fd int, c Config) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	speed, ok := speeds[c.Baud]
	if !ok {
		return fmt.Errorf("baud %d is not one of %v", c.Baud, Bauds)
	}
	// Raw mode (cfmakeraw), then the configured framing.
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL |
		unix.IXON | unix.IXOFF | unix.IXANY | unix.INPCK
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB | unix.PARODD | unix.CSTOPB | unix.CRTSCTS | unix.CBAUD
	t.Cflag |= unix.CREAD | unix.CLOCAL | speed
	t.Ispeed, t.Ospeed = speed, speed
	if c.DataBits == 7 {
		t.Cflag |= unix.CS7
	} else {
		t.Cflag |= unix.CS8
	}
	switch c.Parity {
	case "even":
		t.Cflag |= unix.PARENB
		t.Iflag |= unix.INPCK
	case "odd":
		t.Cflag |= unix.PARENB | unix.PARODD
		t.Iflag |= unix.INPCK
	}
	if c.StopBits == 2 {
		t.Cflag |= unix.CSTOPB
	}
	switch c.Flow {
	case "rtscts":
		t.Cflag |= unix.CRTSCTS
	case "xonxoff":
		t.Iflag |= unix.IXON | unix.IXOFF
	}
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return err
	}
	// Read back: a driver may ignore what it cannot do (flow control on
	// some USB bridges), and the technician should hear of it.
	got, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	if c.Flow == "rtscts" && got.Cflag&unix.CRTSCTS == 0 {
		return errors.New("the line does not take RTS/CTS flow control")
	}
	return unix.IoctlSetInt(fd, unix.TIOCEXCL, 0)
}

// lineFlow reports the flow control set on an open line, for tests and
// `urnactl doctor`.
func lineFlow(l *line) (string, error) {
	rc, err := l.SyscallConn()
	if err != nil {
		return "", err
	}
	var t *unix.Termios
	var terr error
	if err := rc.Control(func(fd uintptr) { t, terr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil {
		return "", err
	}
	if terr != nil {
		return "", terr
	}
	switch {
	case t.Cflag&unix.CRTSCTS != 0:
		return "rtscts", nil
	case t.Iflag&unix.IXON != 0:
		return "xonxoff", nil
	}
	return "none", nil
}

// openUSB opens a USB printer-class device (usblp). It has no termios:
// opened as it is, it reads back status where the printer is
// bidirectional.
func openUSB(addr string) (link, error) {
	fd, err := unix.Open(addr, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), addr), nil
}

// notSerial tells that openLine was given something that is no tty.
func notSerial(err error) bool { return errors.Is(err, unix.ENOTTY) }

// readRefused tells that a read failed because the device cannot be read:
// usblp refuses reads on a unidirectional printer.
func readRefused(err error) bool { return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EBADF) }
