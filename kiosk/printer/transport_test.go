package printer

import "testing"

// TestTransportForWindowsNames: the addresses a Windows kiosk's
// configuration names (COM ports, usbprint device paths) are read as the
// transport they are, not as a TCP host given port 9100.
func TestTransportForWindowsNames(t *testing.T) {
	for addr, want := range map[string]string{
		"COM3":      TransportSerial,
		"com12":     TransportSerial,
		`\\.\COM12`: TransportSerial,
		`\\?\usb#vid_0416&pid_5011#5&2b1f&0&1#{28d78fad-5a12-11d1-ae5b-0000f803a8c2}`: TransportUSB,
		"192.168.1.50":       TransportTCP,
		"printer.local:9100": TransportTCP,
		"commerce":           TransportTCP, // a host whose name starts with com
		"/dev/ttyUSB0":       TransportSerial,
		"/dev/usb/lp0":       TransportUSB,
	} {
		if got := TransportFor(addr); got != want {
			t.Errorf("TransportFor(%q) = %s, want %s", addr, got, want)
		}
		c := Config{Address: addr}.WithDefaults()
		if want != TransportTCP && c.Address != addr {
			t.Errorf("%q with defaults became %q", addr, c.Address)
		}
		if err := c.Verify(); err != nil {
			t.Errorf("%q: %v", addr, err)
		}
	}
}
