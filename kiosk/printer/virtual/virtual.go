package virtual

import (
	"errors"
	"fmt"
	"image/png"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/kiosk/printer"
)

// State is what the virtual printer says of itself, set by tests.
type State struct {
	PaperNearEnd bool
	PaperOut     bool
	CoverOpen    bool
	Offline      bool
	// Silent printers answer no status request (DLE EOT, GS r): a
	// one-way USB device, a clone without status, a printer that hung.
	Silent bool
	// PaperLeft, when positive, is how many more bytes print before the
	// paper runs out (to test paper running out mid-job).
	PaperLeft int
	// After, when positive, is how many more bytes print before the state
	// becomes Then (the cover opened, the printer went silent mid-job).
	After int
	Then  *State
}

func (s State) status() printer.Status {
	return printer.Status{Online: !s.Offline, CoverOpen: s.CoverOpen, PaperNearEnd: s.PaperNearEnd, PaperOut: s.PaperOut}
}

// stopped reports whether the mechanism is stopped: nothing prints.
func (s State) stopped() bool { return s.PaperOut || s.CoverOpen || s.Offline }

// Transports the virtual printer offers.
const (
	// Serial is a pseudo-terminal, opened as a serial line.
	Serial = printer.TransportSerial
	// USB is a pseudo-terminal opened as a USB printer-class device: the
	// client sets no termios on it, as on /dev/usb/lp*.
	USB = printer.TransportUSB
	// TCP is a listener on 127.0.0.1, as a network printer's port 9100.
	TCP = printer.TransportTCP
)

// Options configure a virtual printer.
type Options struct {
	// Profile is the model emulated: its code-page table decodes ESC t,
	// its width bounds the paper.
	Profile *printer.Profile
	// Transport is Serial (default), USB or TCP.
	Transport string
	// Dir receives page-NNNN.png and page-NNNN.txt for each page; "" keeps
	// pages in memory only. Numbering continues after the pages already
	// there, so a restart never overwrites earlier receipts.
	Dir string
	// Idle ends a page that was not cut after this long without data (the
	// paper is torn off); 300 ms when zero.
	Idle time.Duration
	// Buffer gives the printer a receive buffer, as real ones have: data
	// waits there until a GS r request (answered once everything before it
	// is printed) or a pause in the data, while DLE EOT is answered the
	// moment it arrives, from the state before the waiting data printed.
	Buffer bool
	// Address is where a TCP printer listens; "" picks a free port on
	// 127.0.0.1 (a test that switches a printer on later names one).
	Address string
}

// Printer is a virtual ESC/POS printer behind a pseudo-terminal or a TCP
// listener.
type Printer struct {
	opts   Options
	master *os.File     // pty: the printer's end
	slave  *os.File     // pty: kept open so the line stays up between clients
	ln     net.Listener // tcp
	parser *Parser

	mu       sync.Mutex
	out      io.Writer // where answers go: the pty or the current TCP client
	client   net.Conn
	state    State
	asb      bool
	first    int // number of the first page of this run, after those in Dir
	pages    []Page
	files    []string
	received int
	clients  int
	changed  chan struct{}
	tearOff  *time.Timer // ends a page that was not cut, Idle after the last data
	hold     []byte      // Buffer: received, not yet printed
	scan     int         // Buffer: how far hold was searched for real-time requests
	release  *time.Timer // Buffer: prints what waits after a pause
	done     chan struct{}
	stopped  chan struct{}
}

// Start opens a pseudo-terminal (or a TCP listener) and starts
// interpreting what arrives on it.
func Start(opts Options) (*Printer, error) {
	if opts.Profile == nil {
		return nil, errors.New("virtual printer: no profile")
	}
	if opts.Idle == 0 {
		opts.Idle = 300 * time.Millisecond
	}
	if opts.Transport == "" {
		opts.Transport = Serial
	}
	v := &Printer{opts: opts, parser: NewParser(opts.Profile),
		changed: make(chan struct{}), done: make(chan struct{}), stopped: make(chan struct{})}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, err
		}
		n, err := lastPage(opts.Dir)
		if err != nil {
			return nil, err
		}
		v.first = n + 1
	}
	v.parser.OnPage = v.addPage
	v.parser.OnStatus = v.answer
	v.parser.OnTransmit = v.transmit
	v.parser.OnAutoStatus = func(n byte) { v.asb = n != 0 }
	v.parser.OnData = v.consumed
	v.tearOff = time.AfterFunc(time.Hour, v.flush)
	v.tearOff.Stop()
	v.release = time.AfterFunc(time.Hour, func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.print(len(v.hold))
	})
	v.release.Stop()
	if opts.Buffer {
		v.parser.OnStatus = nil // answered on arrival by intake
	}
	switch opts.Transport {
	case TCP:
		addr := opts.Address
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("virtual printer: %w", err)
		}
		v.ln, v.out = ln, io.Discard
		go v.accept()
	case Serial, USB:
		master, slave, err := openPTY()
		if err != nil {
			return nil, fmt.Errorf("virtual printer: %w", err)
		}
		if err := makeRaw(slave); err != nil {
			master.Close()
			slave.Close()
			return nil, err
		}
		v.master, v.slave, v.out = master, slave, master
		go v.read(master)
	default:
		return nil, fmt.Errorf("virtual printer: transport %q: serial, usb or tcp", opts.Transport)
	}
	return v, nil
}

var pageFile = regexp.MustCompile(`^page-(\d+)\.png$`)

// lastPage is the highest page number already in dir (0 for none).
func lastPage(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	last := 0
	for _, e := range entries {
		if m := pageFile.FindStringSubmatch(e.Name()); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > last {
				last = n
			}
		}
	}
	return last, nil
}

// accept serves one TCP client at a time, as printers do on port 9100.
func (v *Printer) accept() {
	defer close(v.stopped)
	for {
		c, err := v.ln.Accept()
		if err != nil {
			return
		}
		v.mu.Lock()
		v.client, v.out = c, c
		v.clients++
		v.mu.Unlock()
		v.serve(c)
		v.mu.Lock()
		if v.client == c {
			v.client, v.out = nil, io.Discard
		}
		v.mu.Unlock()
		c.Close()
	}
}

// Path is the address to open: the pty's device, or 127.0.0.1:PORT.
func (v *Printer) Path() string {
	if v.ln != nil {
		return v.ln.Addr().String()
	}
	return v.slave.Name()
}

// Config returns base with the transport and address of this printer.
func (v *Printer) Config(base printer.Config) printer.Config {
	base.Transport, base.Address, base.Port = v.opts.Transport, v.Path(), ""
	if base.Profile == "" {
		base.Profile = v.opts.Profile.Name
	}
	return base
}

// Drop closes the current TCP client's connection, as a network printer
// restarted; the listener stays up.
func (v *Printer) Drop() {
	v.mu.Lock()
	c := v.client
	v.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// Clients is how many TCP connections the printer accepted.
func (v *Printer) Clients() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.clients
}

// SetState changes what the printer reports (and sends an automatic
// status message if the client enabled them).
func (v *Printer) SetState(s State) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.setState(s)
}

func (v *Printer) setState(s State) {
	v.state = s
	v.parser.Discard(s.stopped())
	if v.asb && !s.Silent {
		m := printer.EncodeAutoStatus(s.status())
		v.out.Write(m[:])
	}
}

// State returns the current state.
func (v *Printer) State() State {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state
}

func (v *Printer) answer(n byte) {
	if v.state.Silent {
		return
	}
	p, o, r := printer.EncodeStatus(v.state.status())
	var b byte
	switch n {
	case 1:
		b = p
	case 2:
		b = o
	case 4:
		b = r
	default:
		return
	}
	v.out.Write([]byte{b})
}

// transmit answers GS r 1 once everything before it was printed, which in
// the emulation is at once: data arrives here only while paper moves.
func (v *Printer) transmit(n byte) {
	if v.state.Silent || (n != 1 && n != 49) {
		return
	}
	v.out.Write([]byte{printer.EncodeSensor(v.state.PaperNearEnd, v.state.PaperOut)})
}

func (v *Printer) consumed(n int) {
	v.received += n
	v.tearOff.Reset(v.opts.Idle)
	if v.state.PaperLeft > 0 {
		v.state.PaperLeft -= n
		if v.state.PaperLeft <= 0 {
			v.state.PaperLeft, v.state.PaperOut = 0, true
			v.parser.Discard(true)
		}
	}
	if v.state.After > 0 && v.state.Then != nil {
		v.state.After -= n
		if v.state.After <= 0 {
			v.setState(*v.state.Then)
		}
	}
}

func (v *Printer) read(r io.Reader) {
	defer close(v.stopped)
	v.serve(r)
}

func (v *Printer) serve(r io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			v.mu.Lock()
			if v.opts.Buffer {
				v.intake(buf[:n])
			} else {
				v.parser.Feed(buf[:n])
			}
			v.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// intake puts data in the receive buffer, answers DLE EOT at once, and
// prints up to a GS r request (which the parser then answers in order).
func (v *Printer) intake(b []byte) {
	v.hold = append(v.hold, b...)
	for v.scan < len(v.hold) {
		i := v.scan
		switch v.hold[i] {
		case printer.DLE:
			if i+2 >= len(v.hold) {
				v.release.Reset(v.opts.Idle / 2)
				return // the rest of the request has not arrived
			}
			if v.hold[i+1] == printer.EOT {
				v.answer(v.hold[i+2])
				v.scan += 3
				continue
			}
		case printer.GS:
			if i+2 >= len(v.hold) {
				v.release.Reset(v.opts.Idle / 2)
				return
			}
			if v.hold[i+1] == 'r' {
				v.print(i + 3)
				continue
			}
		}
		v.scan++
	}
	v.release.Reset(v.opts.Idle / 2)
}

// print feeds the first n bytes of the receive buffer to the mechanism.
func (v *Printer) print(n int) {
	n = min(n, len(v.hold))
	v.parser.Feed(v.hold[:n])
	v.hold = append(v.hold[:0], v.hold[n:]...)
	v.scan = max(v.scan-n, 0)
}

// flush tears off a page that was not cut (printers without a cutter).
func (v *Printer) flush() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.parser.Flush()
}

// addPage is called with v.mu held.
func (v *Printer) addPage(p Page) {
	v.pages = append(v.pages, p)
	if v.opts.Dir != "" {
		base := filepath.Join(v.opts.Dir, fmt.Sprintf("page-%04d", v.first+len(v.pages)-1))
		if err := writePage(base, &p, v.opts.Profile.WidthDots); err == nil {
			v.files = append(v.files, base+".png")
		}
	}
	close(v.changed)
	v.changed = make(chan struct{})
}

func writePage(base string, p *Page, width int) error {
	f, err := os.Create(base + ".png")
	if err != nil {
		return err
	}
	if err := png.Encode(f, Render(p, width)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(base+".txt", []byte(p.Text()), 0o644)
}

// Pages returns the pages printed so far.
func (v *Printer) Pages() []Page {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Page(nil), v.pages...)
}

// Files returns the PNG files written so far.
func (v *Printer) Files() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.files...)
}

// Received is how many bytes of data (not status requests) arrived.
func (v *Printer) Received() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.received
}

// WaitPages waits until at least n pages were printed.
func (v *Printer) WaitPages(n int, timeout time.Duration) ([]Page, error) {
	deadline := time.After(timeout)
	for {
		v.mu.Lock()
		if len(v.pages) >= n {
			pages := append([]Page(nil), v.pages...)
			v.mu.Unlock()
			return pages, nil
		}
		ch := v.changed
		v.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return v.Pages(), fmt.Errorf("virtual printer: %d pages after %v, want %d", len(v.Pages()), timeout, n)
		}
	}
}

// Close unplugs the printer: the client sees the line (or connection) go away.
func (v *Printer) Close() error {
	select {
	case <-v.done:
		return nil
	default:
	}
	close(v.done)
	v.tearOff.Stop()
	v.release.Stop()
	var err error
	if v.ln != nil {
		err = v.ln.Close()
		v.Drop()
	} else {
		err = errors.Join(v.slave.Close(), v.master.Close())
	}
	<-v.stopped
	return err
}

// RenderStream interprets a whole ESC/POS stream (from `urnactl print
// --out`, say) and writes its pages into dir; it returns the PNG files.
func RenderStream(p *printer.Profile, data []byte, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	var errs []error
	ps := NewParser(p)
	ps.OnPage = func(pg Page) {
		base := filepath.Join(dir, fmt.Sprintf("page-%04d", len(files)+1))
		errs = append(errs, writePage(base, &pg, p.WidthDots))
		files = append(files, base+".png")
	}
	ps.Feed(data)
	ps.Flush()
	return files, errors.Join(errs...)
}
