package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.bug.st/serial/enumerator"
)

// Config is a serial printer's connection, from the kiosk configuration.
type Config struct {
	Port     string        `toml:"port"`     // e.g. /dev/urna-printer, /dev/ttyUSB0
	Serial   string        `toml:"serial"`   // USB serial number, to find the printer again after unplugging
	Profile  string        `toml:"profile"`  // a name from Profiles
	Baud     int           `toml:"baud"`     // 9600 … 115200
	DataBits int           `toml:"databits"` // 7 or 8
	Parity   string        `toml:"parity"`   // none, even, odd
	StopBits int           `toml:"stopbits"` // 1 or 2
	Flow     string        `toml:"flow"`     // none, rtscts, xonxoff
	Timeout  time.Duration `toml:"timeout"`  // wait for each status answer
}

// Bauds are the rates printers are set to.
var Bauds = []int{9600, 19200, 38400, 57600, 115200}

// WithDefaults fills unset fields: 19200 8N1, no flow control, 500 ms.
func (c Config) WithDefaults() Config {
	if c.Profile == "" {
		c.Profile = "generic-80mm"
	}
	if c.Baud == 0 {
		c.Baud = 19200
	}
	if c.DataBits == 0 {
		c.DataBits = 8
	}
	if c.Parity == "" {
		c.Parity = "none"
	}
	if c.StopBits == 0 {
		c.StopBits = 1
	}
	if c.Flow == "" {
		c.Flow = "none"
	}
	if c.Timeout == 0 {
		c.Timeout = 500 * time.Millisecond
	}
	return c
}

// Verify checks the configuration.
func (c Config) Verify() error {
	var errs []error
	if c.Port == "" && c.Serial == "" {
		errs = append(errs, errors.New("printer: set port or serial"))
	}
	if _, err := LookupProfile(c.Profile); err != nil {
		errs = append(errs, err)
	}
	if !slices.Contains(Bauds, c.Baud) {
		errs = append(errs, fmt.Errorf("printer: baud %d is not one of %v", c.Baud, Bauds))
	}
	if c.DataBits != 7 && c.DataBits != 8 {
		errs = append(errs, fmt.Errorf("printer: data bits %d: 7 or 8", c.DataBits))
	}
	if !slices.Contains([]string{"none", "even", "odd"}, c.Parity) {
		errs = append(errs, fmt.Errorf("printer: parity %q: none, even or odd", c.Parity))
	}
	if c.StopBits != 1 && c.StopBits != 2 {
		errs = append(errs, fmt.Errorf("printer: stop bits %d: 1 or 2", c.StopBits))
	}
	if !slices.Contains([]string{"none", "rtscts", "xonxoff"}, c.Flow) {
		errs = append(errs, fmt.Errorf("printer: flow %q: none, rtscts or xonxoff", c.Flow))
	}
	return errors.Join(errs...)
}

// PortInfo is a serial port found on the machine.
type PortInfo struct {
	Name     string   `json:"name"`
	USB      bool     `json:"usb"`
	VID      string   `json:"vid,omitempty"`
	PID      string   `json:"pid,omitempty"`
	Serial   string   `json:"serial,omitempty"`
	Product  string   `json:"product,omitempty"`
	Profiles []string `json:"profiles,omitempty"` // known printer models with these USB ids
}

// Ports lists the serial ports with their USB details.
func Ports() ([]PortInfo, error) {
	list, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	out := make([]PortInfo, 0, len(list))
	for _, p := range list {
		pi := PortInfo{Name: p.Name, USB: p.IsUSB, VID: p.VID, PID: p.PID, Serial: p.SerialNumber, Product: p.Product}
		if p.IsUSB {
			pi.Profiles = MatchUSB(p.VID, p.PID)
		}
		out = append(out, pi)
	}
	return out, nil
}

// Finder finds the printer's port again, after it was unplugged.
type Finder func() (string, error)

// FindBySerial finds the USB port whose serial number is serialNumber.
func FindBySerial(serialNumber string) Finder {
	return func() (string, error) {
		ports, err := Ports()
		if err != nil {
			return "", err
		}
		for _, p := range ports {
			if p.Serial == serialNumber && serialNumber != "" {
				return p.Name, nil
			}
		}
		return "", fmt.Errorf("%w: no port with serial number %q", ErrDisconnected, serialNumber)
	}
}

// Serial is a printer on a serial line. One goroutine owns the port: jobs
// and status requests queue behind it.
type Serial struct {
	cfg  Config
	prof *Profile
	find Finder
	log  *slog.Logger
	reqs chan request
	done chan struct{}
}

type request struct {
	ctx    context.Context
	doc    Doc
	status bool
	reply  chan result
}

type result struct {
	st  Status
	err error
}

// ChunkSize is about how many bytes go out between two paper checks during
// a job; chunks end only where a command ends.
const ChunkSize = 512

// OpenSerial opens the port and starts its owner. find may be nil: then a
// printer with a serial number is found by FindBySerial.
func OpenSerial(cfg Config, find Finder, log *slog.Logger) (*Serial, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Verify(); err != nil {
		return nil, err
	}
	prof, _ := LookupProfile(cfg.Profile)
	if find == nil && cfg.Serial != "" {
		find = FindBySerial(cfg.Serial)
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Serial{cfg: cfg, prof: prof, find: find, log: log, reqs: make(chan request), done: make(chan struct{})}
	path := cfg.Port
	if path == "" {
		p, err := find()
		if err != nil {
			return nil, err
		}
		path = p
	}
	c, err := s.connect(path)
	if err != nil {
		return nil, err
	}
	go s.own(c)
	return s, nil
}

// Profile implements Printer.
func (s *Serial) Profile() *Profile { return s.prof }

// Status implements Printer.
func (s *Serial) Status(ctx context.Context) (Status, error) {
	r := s.do(request{ctx: ctx, status: true})
	return r.st, r.err
}

// Print implements Printer.
func (s *Serial) Print(ctx context.Context, doc Doc) error {
	return s.do(request{ctx: ctx, doc: doc}).err
}

func (s *Serial) do(r request) result {
	r.reply = make(chan result, 1)
	select {
	case s.reqs <- r:
	case <-s.done:
		return result{err: ErrClosed}
	case <-r.ctx.Done():
		return result{err: r.ctx.Err()}
	}
	return <-r.reply
}

// Close stops the owner and closes the port.
func (s *Serial) Close() error {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	return nil
}

// conn is an open port and the goroutine reading it.
type conn struct {
	path string
	port *line
	in   chan byte     // bytes the printer sent
	dead chan struct{} // closed when reading fails (unplugged)
	last Status        // the latest automatic status
}

func (s *Serial) connect(path string) (*conn, error) {
	port, err := openLine(path, s.cfg)
	if err != nil {
		return nil, fmt.Errorf("open printer port %s: %w", path, err)
	}
	// Reads block until data arrives or the port closes: no polling.
	c := &conn{path: path, port: port, in: make(chan byte, 256), dead: make(chan struct{})}
	go func() {
		defer close(c.dead)
		buf := make([]byte, 64)
		for {
			n, err := port.Read(buf)
			if err != nil {
				return
			}
			for _, b := range buf[:n] {
				select {
				case c.in <- b:
				default: // nobody asked: drop
				}
			}
		}
	}()
	if s.prof.AutoStatus {
		port.Write(EnableAutoStatus)
	}
	return c, nil
}

func (c *conn) close() {
	c.port.Close()
	<-c.dead
}

// own is the port's one owner.
func (s *Serial) own(c *conn) {
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	for {
		select {
		case <-s.done:
			return
		case r := <-s.reqs:
			if c == nil {
				c = s.reconnect()
			}
			var res result
			if c == nil {
				res.err = ErrDisconnected
			} else if r.status {
				res.st, res.err = s.status(r.ctx, c)
			} else {
				res.err = s.print(r.ctx, c, r.doc)
			}
			if errors.Is(res.err, ErrDisconnected) && c != nil {
				c.close()
				c = nil
			}
			r.reply <- res
		}
	}
}

// reconnect finds the printer again (by its USB serial number) and opens it.
func (s *Serial) reconnect() *conn {
	if s.find == nil {
		c, err := s.connect(s.cfg.Port)
		if err != nil {
			return nil
		}
		return c
	}
	path, err := s.find()
	if err != nil {
		s.log.Warn("printer-lost", "err", err)
		return nil
	}
	c, err := s.connect(path)
	if err != nil {
		s.log.Warn("printer-lost", "port", path, "err", err)
		return nil
	}
	s.log.Info("printer-found", "port", path)
	return c
}

// query sends a DLE EOT request and returns the answer byte, skipping
// automatic status messages that arrive in between.
func (s *Serial) query(ctx context.Context, c *conn, q []byte) (byte, error) {
	for drained := false; !drained; {
		select {
		case <-c.in:
		default:
			drained = true
		}
	}
	if err := s.write(c, q); err != nil {
		return 0, err
	}
	timer := time.NewTimer(s.cfg.Timeout)
	defer timer.Stop()
	for {
		select {
		case b := <-c.in:
			if IsStatusByte(b) {
				return b, nil
			}
			if IsAutoStatusHeader(b) {
				var m [4]byte
				m[0] = b
				for i := 1; i < 4; i++ {
					select {
					case m[i] = <-c.in:
					case <-timer.C:
						return 0, ErrNoAnswer
					}
				}
				if st, err := DecodeAutoStatus(m); err == nil {
					c.last = st
				}
			}
		case <-c.dead:
			return 0, ErrDisconnected
		case <-timer.C:
			return 0, ErrNoAnswer
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (s *Serial) status(ctx context.Context, c *conn) (Status, error) {
	var b [3]byte
	for i, q := range [][]byte{QueryPrinter, QueryOffline, QueryPaper} {
		v, err := s.query(ctx, c, q)
		if err != nil {
			return Status{}, err
		}
		b[i] = v
	}
	return DecodeStatus(b[0], b[1], b[2])
}

func (s *Serial) write(c *conn, b []byte) error {
	select {
	case <-c.dead:
		return ErrDisconnected
	default:
	}
	if _, err := c.port.Write(b); err != nil {
		return fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	return nil
}

// print checks the printer, sends the document in chunks that end where a
// command ends, with a paper check after each, and checks again at the end.
func (s *Serial) print(ctx context.Context, c *conn, doc Doc) error {
	st, err := s.status(ctx, c)
	if err != nil {
		return err
	}
	if err := st.Ready(); err != nil {
		return err
	}
	data, total := doc.Data, len(doc.Data)
	for off := 0; off < total; {
		end := chunkEnd(doc.Breaks, off, total)
		if err := s.write(c, data[off:end]); err != nil {
			return &MidJobError{Err: err, Sent: off, Total: total}
		}
		off = end
		if end == total {
			break
		}
		b, err := s.query(ctx, c, QueryPaper)
		if err != nil {
			return &MidJobError{Err: err, Sent: end, Total: total}
		}
		if b&0x60 != 0 {
			return &MidJobError{Err: ErrPaperOut, Sent: end, Total: total}
		}
	}
	st, err = s.status(ctx, c)
	if err != nil {
		return &MidJobError{Err: err, Sent: total, Total: total}
	}
	if err := st.Ready(); err != nil {
		return &MidJobError{Err: err, Sent: total, Total: total}
	}
	return nil
}

// chunkEnd returns the last break after off within ChunkSize bytes, or the
// first break after off when one command is longer than that.
func chunkEnd(breaks []int, off, total int) int {
	end := -1
	for _, b := range breaks {
		if b <= off {
			continue
		}
		if b-off > ChunkSize && end > 0 {
			break
		}
		end = b
		if b-off >= ChunkSize {
			break
		}
	}
	if end < 0 {
		return total
	}
	return end
}
