package virtual

import (
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
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
	// PaperLeft, when positive, is how many more bytes print before the
	// paper runs out (to test paper running out mid-job).
	PaperLeft int
}

func (s State) status() printer.Status {
	return printer.Status{Online: !s.Offline, CoverOpen: s.CoverOpen, PaperNearEnd: s.PaperNearEnd, PaperOut: s.PaperOut}
}

// Options configure a virtual printer.
type Options struct {
	Profile *printer.Profile
	// Dir receives page-NNNN.png and page-NNNN.txt for each page; "" keeps
	// pages in memory only.
	Dir string
	// Idle ends a page that was not cut after this long without data (the
	// paper is torn off); 300 ms when zero.
	Idle time.Duration
}

// Printer is a virtual ESC/POS printer behind a pseudo-terminal.
type Printer struct {
	opts   Options
	master *os.File
	slave  *os.File
	parser *Parser

	mu       sync.Mutex
	state    State
	asb      bool
	pages    []Page
	files    []string
	received int
	changed  chan struct{}
	tearOff  *time.Timer // ends a page that was not cut, Idle after the last data
	done     chan struct{}
	stopped  chan struct{}
}

// Start opens a pseudo-terminal and starts interpreting what arrives on it.
func Start(opts Options) (*Printer, error) {
	if opts.Profile == nil {
		return nil, errors.New("virtual printer: no profile")
	}
	if opts.Idle == 0 {
		opts.Idle = 300 * time.Millisecond
	}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, err
		}
	}
	master, slave, err := openPTY()
	if err != nil {
		return nil, fmt.Errorf("virtual printer: %w", err)
	}
	if err := makeRaw(slave); err != nil {
		master.Close()
		slave.Close()
		return nil, err
	}
	v := &Printer{opts: opts, master: master, slave: slave, parser: NewParser(opts.Profile),
		changed: make(chan struct{}), done: make(chan struct{}), stopped: make(chan struct{})}
	v.parser.OnPage = v.addPage
	v.parser.OnStatus = v.answer
	v.parser.OnAutoStatus = func(n byte) { v.asb = n != 0 }
	v.parser.OnData = v.consumed
	v.tearOff = time.AfterFunc(time.Hour, v.flush)
	v.tearOff.Stop()
	go v.read()
	return v, nil
}

// Path is the device to open as the printer's serial port.
func (v *Printer) Path() string { return v.slave.Name() }

// SetState changes what the printer reports (and sends an automatic
// status message if the client enabled them).
func (v *Printer) SetState(s State) {
	v.mu.Lock()
	v.state = s
	v.parser.Discard(s.PaperOut)
	asb := v.asb
	v.mu.Unlock()
	if asb {
		m := printer.EncodeAutoStatus(s.status())
		v.master.Write(m[:])
	}
}

// State returns the current state.
func (v *Printer) State() State {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state
}

func (v *Printer) answer(n byte) {
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
	v.master.Write([]byte{b})
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
}

func (v *Printer) read() {
	defer close(v.stopped)
	buf := make([]byte, 4096)
	for {
		n, err := v.master.Read(buf)
		if n > 0 {
			v.mu.Lock()
			v.parser.Feed(buf[:n])
			v.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
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
		base := filepath.Join(v.opts.Dir, fmt.Sprintf("page-%04d", len(v.pages)))
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

// Close unplugs the printer: the client's port sees the line go away.
func (v *Printer) Close() error {
	select {
	case <-v.done:
		return nil
	default:
	}
	close(v.done)
	v.tearOff.Stop()
	err := errors.Join(v.slave.Close(), v.master.Close())
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
