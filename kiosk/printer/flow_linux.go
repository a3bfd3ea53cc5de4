package printer

import "golang.org/x/sys/unix"

// setFlow sets hardware (RTS/CTS) or software (XON/XOFF) flow control in
// the line's termios; go.bug.st/serial leaves both off. termios belongs to
// the device, so a second descriptor sets it for the open port.
func setFlow(path, flow string) error {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Cflag &^= unix.CRTSCTS
	t.Iflag &^= unix.IXON | unix.IXOFF | unix.IXANY
	switch flow {
	case "rtscts":
		t.Cflag |= unix.CRTSCTS
	case "xonxoff":
		t.Iflag |= unix.IXON | unix.IXOFF
	}
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}
