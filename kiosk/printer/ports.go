package printer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"go.bug.st/serial/enumerator"
)

// PortInfo is a place a printer may be: a serial port, a USB printer-class
// device or a network address that takes connections on port 9100.
type PortInfo struct {
	Transport string   `json:"transport"`
	Address   string   `json:"address"`
	Name      string   `json:"name"` // the address, under its older name
	USB       bool     `json:"usb"`
	VID       string   `json:"vid,omitempty"`
	PID       string   `json:"pid,omitempty"`
	Serial    string   `json:"serial,omitempty"`
	Product   string   `json:"product,omitempty"`
	Profiles  []string `json:"profiles,omitempty"` // known printer models with these USB ids
	Guess     string   `json:"guess,omitempty"`    // the profile urnactl would pick
}

// Ports lists serial ports and USB printer-class devices.
func Ports() ([]PortInfo, error) {
	ser, err := SerialPorts()
	usb, uerr := USBPrinters("/sys")
	return append(usb, ser...), errors.Join(err, uerr)
}

// SerialPorts lists the serial ports with their USB details.
func SerialPorts() ([]PortInfo, error) {
	list, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	out := make([]PortInfo, 0, len(list))
	for _, p := range list {
		pi := PortInfo{Transport: TransportSerial, Address: p.Name, Name: p.Name, USB: p.IsUSB,
			VID: strings.ToLower(p.VID), PID: strings.ToLower(p.PID), Serial: p.SerialNumber, Product: p.Product}
		if p.IsUSB {
			pi.Profiles = MatchUSB(p.VID, p.PID)
			pi.Guess = GuessProfile(p.VID, p.PID, p.Product)
		}
		out = append(out, pi)
	}
	return out, nil
}

// USBPrinters lists USB printer-class devices (usblp: /dev/usb/lp*) from
// sysfs under root ("/sys"), with the ids of the USB device each belongs to.
func USBPrinters(root string) ([]PortInfo, error) {
	dir := filepath.Join(root, "class", "usbmisc")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // usblp not loaded: no printer-class device
	}
	if err != nil {
		return nil, err
	}
	var out []PortInfo
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "lp") {
			continue
		}
		// device → the USB interface; its parent is the USB device.
		iface, err := filepath.EvalSymlinks(filepath.Join(dir, e.Name(), "device"))
		if err != nil {
			continue
		}
		dev := filepath.Dir(iface)
		attr := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(dev, name))
			return strings.TrimSpace(string(b))
		}
		addr := "/dev/usb/" + e.Name()
		pi := PortInfo{Transport: TransportUSB, Address: addr, Name: addr, USB: true, VID: attr("idVendor"), PID: attr("idProduct"),
			Serial: attr("serial"), Product: strings.TrimSpace(attr("manufacturer") + " " + attr("product"))}
		pi.Profiles = MatchUSB(pi.VID, pi.PID)
		pi.Guess = GuessProfile(pi.VID, pi.PID, pi.Product)
		out = append(out, pi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// MaxScan is the largest subnet Scan walks (a /22).
const MaxScan = 1024

// Scan tries a TCP connection to port (9100 when 0) on every address of
// the subnet a technician names (192.168.1.0/24) and lists those that
// accept one. It never scans more than MaxScan addresses.
func Scan(ctx context.Context, subnet string, port int, timeout time.Duration) ([]PortInfo, error) {
	pfx, err := netip.ParsePrefix(subnet)
	if err != nil {
		addr, aerr := netip.ParseAddr(subnet)
		if aerr != nil {
			return nil, fmt.Errorf("subnet %q: give one like 192.168.1.0/24", subnet)
		}
		pfx = netip.PrefixFrom(addr, addr.BitLen())
	}
	pfx = pfx.Masked()
	if bits := pfx.Addr().BitLen() - pfx.Bits(); bits > 10 {
		return nil, fmt.Errorf("subnet %s has more than %d addresses: name a smaller one", pfx, MaxScan)
	}
	if port == 0 {
		port = 9100
	}
	if timeout == 0 {
		timeout = 300 * time.Millisecond
	}
	var (
		mu    sync.Mutex
		found []PortInfo
		wg    sync.WaitGroup
		slots = make(chan struct{}, 64)
		d     = net.Dialer{Timeout: timeout}
	)
	for a := pfx.Addr(); pfx.Contains(a); a = a.Next() {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func(a netip.Addr) {
			defer func() { <-slots; wg.Done() }()
			addr := netip.AddrPortFrom(a, uint16(port)).String()
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return
			}
			c.Close()
			mu.Lock()
			found = append(found, PortInfo{Transport: TransportTCP, Address: addr, Name: addr})
			mu.Unlock()
		}(a)
	}
	wg.Wait()
	sort.Slice(found, func(i, j int) bool {
		a, _ := netip.ParseAddrPort(found[i].Address)
		b, _ := netip.ParseAddrPort(found[j].Address)
		return a.Compare(b) < 0
	})
	return found, ctx.Err()
}
