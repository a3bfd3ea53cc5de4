package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Transports a printer is reached by.
const (
	TransportSerial = "serial" // a tty: RS-232 or a USB-serial bridge
	TransportUSB    = "usb"    // a USB printer-class device, /dev/usb/lp*
	TransportTCP    = "tcp"    // raw TCP, port 9100 ("JetDirect")
)

// Config is a printer's connection, from the kiosk configuration: a
// transport and an address.
type Config struct {
	Transport string        `toml:"transport"` // serial, usb or tcp; empty: from the address
	Address   string        `toml:"address"`   // /dev/ttyUSB0, /dev/usb/lp0, 192.168.1.50:9100
	Port      string        `toml:"port"`      // the serial address under its older name
	Serial    string        `toml:"serial"`    // USB serial number, to find a serial printer again after unplugging
	Profile   string        `toml:"profile"`   // a name from Profiles
	Baud      int           `toml:"baud"`      // serial: 9600 … 115200
	DataBits  int           `toml:"databits"`  // serial: 7 or 8
	Parity    string        `toml:"parity"`    // serial: none, even, odd
	StopBits  int           `toml:"stopbits"`  // serial: 1 or 2
	Flow      string        `toml:"flow"`      // serial: none, rtscts, xonxoff
	Timeout   time.Duration `toml:"timeout"`   // wait for each status answer
	// JobTimeout bounds the wait for the printer to confirm a job (GS r)
	// beyond the time the bytes need on the line.
	JobTimeout time.Duration `toml:"job_timeout"`
	// Status: auto (ask, and print with state "unknown" on a printer that
	// never answers) or none (never ask).
	Status string `toml:"status"`
}

// Bauds are the rates printers are set to.
var Bauds = []int{9600, 19200, 38400, 57600, 115200}

// WithDefaults fills unset fields: 19200 8N1, no flow control, 500 ms. An
// unset transport stays unset: it is read from the address at each
// connection (see TransportAt).
func (c Config) WithDefaults() Config {
	if c.Address == "" {
		c.Address = c.Port
	}
	if c.Profile == "" {
		c.Profile = "default"
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
	if c.JobTimeout == 0 {
		c.JobTimeout = 20 * time.Second
	}
	if c.Status == "" {
		c.Status = "auto"
	}
	if c.TransportAt(c.Address) == TransportTCP && !strings.Contains(strings.TrimPrefix(c.Address, "["), ":") {
		c.Address += ":9100"
	}
	return c
}

// TransportAt is the transport to reach addr by: the configured one, else
// the one the address names now. /dev/urna-printer is a USB printer-class
// device or a serial line depending on what is plugged in, and may not
// exist yet when the kiosk starts.
func (c Config) TransportAt(addr string) string {
	if c.Transport != "" {
		return c.Transport
	}
	return TransportFor(addr)
}

// TransportFor guesses the transport from an address: host:port is TCP,
// /dev/usb/lp* (on Windows \\?\usb#…) a USB printer-class device,
// anything else (on Windows COM3) a serial line.
func TransportFor(addr string) string {
	if strings.HasPrefix(addr, "/") {
		if real, err := filepath.EvalSymlinks(addr); err == nil {
			addr = real // /dev/urna-printer, the udev rule's name, may be either
		}
	}
	lower := strings.ToLower(addr)
	switch {
	case strings.HasPrefix(addr, "/dev/usb/lp"), strings.HasPrefix(addr, "/dev/usblp"):
		return TransportUSB
	case strings.HasPrefix(lower, `\\?\usb#`), strings.HasPrefix(lower, `\\.\usb#`):
		return TransportUSB // Windows: a usbprint device interface path
	case windowsCOM(lower), strings.HasPrefix(lower, `\\.\`):
		return TransportSerial // Windows: COM3, \\.\COM12
	case addr != "" && !strings.HasPrefix(addr, "/") && addr != "virtual":
		return TransportTCP
	}
	return TransportSerial
}

// windowsCOM tells a Windows COM port name (com1 … com256, lower case).
func windowsCOM(addr string) bool {
	n, ok := strings.CutPrefix(addr, "com")
	if !ok || n == "" || len(n) > 3 {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Verify checks the configuration.
func (c Config) Verify() error {
	var errs []error
	if c.Address == "" && c.Serial == "" {
		errs = append(errs, errors.New("printer: set address (or serial)"))
	}
	if _, err := LookupProfile(c.Profile); err != nil {
		errs = append(errs, err)
	}
	if !slices.Contains([]string{"", TransportSerial, TransportUSB, TransportTCP}, c.Transport) {
		errs = append(errs, fmt.Errorf("printer: transport %q: serial, usb or tcp", c.Transport))
	}
	if c.TransportAt(c.Address) == TransportTCP {
		if _, _, err := net.SplitHostPort(c.Address); err != nil {
			errs = append(errs, fmt.Errorf("printer: address %q: host:port (port 9100 for most printers)", c.Address))
		}
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
	if c.Status != "auto" && c.Status != "none" {
		errs = append(errs, fmt.Errorf("printer: status %q: auto or none", c.Status))
	}
	return errors.Join(errs...)
}

// Finder finds the printer's address again, after it was unplugged.
type Finder func() (string, error)

// FindBySerial finds the USB serial port whose serial number is serialNumber.
func FindBySerial(serialNumber string) Finder {
	return func() (string, error) {
		ports, err := SerialPorts()
		if err != nil {
			return "", err
		}
		for _, p := range ports {
			if p.Serial == serialNumber && serialNumber != "" {
				return p.Address, nil
			}
		}
		return "", fmt.Errorf("%w: no port with serial number %q", ErrDisconnected, serialNumber)
	}
}

// Device is a printer on any transport. One goroutine owns the connection:
// jobs and status requests queue behind it.
type Device struct {
	cfg  Config
	prof *Profile
	find Finder
	log  *slog.Logger
	reqs chan request
	done chan struct{}
	// owned is closed once the owner has closed the connection, so that a
	// process exiting right after Close has given the line back (its
	// exclusive hold outlives the descriptor otherwise).
	owned chan struct{}
}

// Serial is the name Device had when serial lines were the only transport.
type Serial = Device

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

// Open connects to the printer cfg names and starts its owner.
func Open(cfg Config, log *slog.Logger) (*Device, error) { return OpenSerial(cfg, nil, log) }

// OpenSerial opens the printer and starts its owner. find may be nil: then
// a serial printer with a serial number is found by FindBySerial.
func OpenSerial(cfg Config, find Finder, log *slog.Logger) (*Device, error) {
	d, err := newDevice(cfg, find, log)
	if err != nil {
		return nil, err
	}
	c, err := d.first()
	if err != nil {
		return nil, err
	}
	go d.own(c)
	return d, nil
}

// Start is OpenSerial for the kiosk: only a configuration error stops it.
// A printer that cannot be reached yet (a network printer still switched
// off, a USB cable out) is logged and tried again at the next status
// request or job, so the kiosk starts and its point opens without paper.
func Start(cfg Config, find Finder, log *slog.Logger) (*Device, error) {
	d, err := newDevice(cfg, find, log)
	if err != nil {
		return nil, err
	}
	c, err := d.first()
	if err != nil {
		d.log.Warn("printer-lost", "err", err)
		c = nil
	}
	go d.own(c)
	return d, nil
}

func newDevice(cfg Config, find Finder, log *slog.Logger) (*Device, error) {
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
	return &Device{cfg: cfg, prof: prof, find: find, log: log, reqs: make(chan request), done: make(chan struct{}), owned: make(chan struct{})}, nil
}

// first opens the printer at its address, or finds it by its serial number.
func (d *Device) first() (*conn, error) {
	addr := d.cfg.Address
	if addr == "" {
		a, err := d.find()
		if err != nil {
			return nil, err
		}
		addr = a
	}
	return d.connect(addr)
}

// Profile implements Printer.
func (d *Device) Profile() *Profile { return d.prof }

// Config returns the configuration the printer was opened with.
func (d *Device) Config() Config { return d.cfg }

// Status implements Printer.
func (d *Device) Status(ctx context.Context) (Status, error) {
	r := d.do(request{ctx: ctx, status: true})
	return r.st, r.err
}

// Print implements Printer.
func (d *Device) Print(ctx context.Context, doc Doc) error {
	return d.do(request{ctx: ctx, doc: doc}).err
}

func (d *Device) do(r request) result {
	r.reply = make(chan result, 1)
	select {
	case d.reqs <- r:
	case <-d.done:
		return result{err: ErrClosed}
	case <-r.ctx.Done():
		return result{err: r.ctx.Err()}
	}
	return <-r.reply
}

// Close stops the owner and waits until it has closed the connection.
func (d *Device) Close() error {
	select {
	case <-d.done:
	default:
		close(d.done)
	}
	<-d.owned
	return nil
}

// link is an open connection to a printer.
type link interface {
	io.ReadWriteCloser
	SetWriteDeadline(time.Time) error
}

// dial opens addr on the configured transport, set up on the one
// descriptor it returns.
func (d *Device) dial(addr, transport string) (link, error) {
	switch transport {
	case TransportTCP:
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			return nil, err
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetKeepAlivePeriod(15 * time.Second) // a printer switched off is noticed
			tc.SetKeepAlive(true)
		}
		return c.(link), nil
	case TransportUSB:
		return openUSB(addr)
	}
	l, err := openLine(addr, d.cfg)
	if notSerial(err) {
		return nil, fmt.Errorf("%w: not a serial line; a USB printer-class device takes transport \"usb\"", err)
	}
	return l, err
}

// message kinds the printer sends back.
const (
	msgRealtime = iota // answer to DLE EOT n
	msgSensor          // answer to GS r 1
	msgAuto            // automatic status back (4 bytes)
)

type message struct {
	kind int
	b    byte
	asb  Status
}

// conn is an open connection and the goroutine reading it.
type conn struct {
	addr      string
	transport string
	link      link
	in        chan message  // what the printer sent, one message at a time
	dead      chan struct{} // closed when reading fails (unplugged, connection closed)
	last      Status        // the latest automatic status (GS a), which ends a wait for GS r at once
	answered  bool          // the printer has answered a status request on this connection
	oneway    atomic.Bool   // the device cannot be read (a unidirectional USB printer)
	closed    chan struct{} // closed by close
}

func (d *Device) connect(addr string) (*conn, error) {
	transport := d.cfg.TransportAt(addr)
	l, err := d.dial(addr, transport)
	if err != nil {
		return nil, fmt.Errorf("open printer %s %s: %w", transport, addr, err)
	}
	c := &conn{addr: addr, transport: transport, link: l, in: make(chan message, 64), dead: make(chan struct{}), closed: make(chan struct{})}
	// Reads block until data arrives or the connection closes: no polling.
	go c.read()
	if d.prof.AutoStatus && d.cfg.Status != "none" {
		d.write(c, EnableAutoStatus)
	}
	return c, nil
}

// read splits what the printer sends into messages: a 4-byte automatic
// status, a DLE EOT answer, or a GS r answer, told apart by their fixed bits.
func (c *conn) read() {
	defer close(c.dead)
	buf := make([]byte, 64)
	var split splitter
	for {
		n, err := c.link.Read(buf)
		if err != nil && n == 0 {
			if readRefused(err) {
				// The device still prints, it only says nothing back.
				c.oneway.Store(true)
				<-c.closed
			}
			return
		}
		for _, b := range buf[:n] {
			m, ok := split.feed(b)
			if !ok {
				continue
			}
			select {
			case c.in <- m:
			default: // nobody asked: drop
			}
		}
	}
}

// splitter tells the printer's messages apart by their fixed bits: a
// 4-byte automatic status (header: bits 0, 1, 7 clear, bit 4 set), a DLE
// EOT answer (bits 1 and 4 set, 0 and 7 clear), a GS r answer (bits 4 and
// 7 clear).
type splitter struct{ asb []byte }

// feed takes one byte and returns the message it completes, if any.
func (s *splitter) feed(b byte) (message, bool) {
	switch {
	case s.asb != nil:
		if s.asb = append(s.asb, b); len(s.asb) < 4 {
			return message{}, false
		}
		st, err := DecodeAutoStatus([4]byte(s.asb))
		s.asb = nil
		if err != nil {
			return message{}, false
		}
		return message{kind: msgAuto, asb: st}, true
	case IsStatusByte(b):
		return message{kind: msgRealtime, b: b}, true
	case IsAutoStatusHeader(b):
		s.asb = []byte{b}
		return message{}, false
	case IsSensorByte(b):
		return message{kind: msgSensor, b: b}, true
	}
	return message{}, false
}

func (c *conn) close() {
	close(c.closed)
	c.link.Close()
	<-c.dead
}

// own is the connection's one owner.
func (d *Device) own(c *conn) {
	defer close(d.owned)
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	for {
		select {
		case <-d.done:
			return
		case r := <-d.reqs:
			if c == nil {
				c = d.reconnect()
			}
			var res result
			if c == nil {
				res.err = ErrDisconnected
			} else if r.status {
				res.st, res.err = d.status(r.ctx, c)
			} else {
				res.err = d.print(r.ctx, c, r.doc)
			}
			if errors.Is(res.err, ErrDisconnected) && c != nil {
				c.close()
				c = nil
			}
			r.reply <- res
		}
	}
}

// reconnect opens the printer again: a serial printer found by its USB
// serial number, others at their address (a network printer restarted).
func (d *Device) reconnect() *conn {
	addr := d.cfg.Address
	if d.find != nil {
		a, err := d.find()
		if err != nil {
			d.log.Warn("printer-lost", "err", err)
			return nil
		}
		addr = a
	}
	c, err := d.connect(addr)
	if err != nil {
		d.log.Warn("printer-lost", "transport", d.cfg.TransportAt(addr), "address", addr, "err", err)
		return nil
	}
	d.log.Info("printer-found", "transport", c.transport, "address", addr)
	return c
}

// drain forgets what the printer sent unasked.
func drain(c *conn) {
	for {
		select {
		case m := <-c.in:
			if m.kind == msgAuto {
				c.last = m.asb
			}
		default:
			return
		}
	}
}

// await waits up to wait for a message of kind.
func (d *Device) await(ctx context.Context, c *conn, kind int, wait time.Duration) (byte, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case m := <-c.in:
			if m.kind == msgAuto {
				c.last = m.asb
				// The printer announced a fault itself (GS a): no need to
				// wait for an answer a stopped printer will not give.
				if err := m.asb.Ready(); err != nil && kind == msgSensor {
					return 0, err
				}
			}
			if m.kind == kind {
				c.answered = true
				return m.b, nil
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

// query sends a real-time request (DLE EOT n) and returns its answer.
func (d *Device) query(ctx context.Context, c *conn, q []byte) (byte, error) {
	drain(c)
	if err := d.write(c, q); err != nil {
		return 0, err
	}
	return d.await(ctx, c, msgRealtime, d.cfg.Timeout)
}

// blind reports whether the printer has no status path: the configuration
// or profile says so, or it never answered on this connection.
func (d *Device) blind(c *conn) bool {
	return d.cfg.Status == "none" || !d.prof.Status || c.oneway.Load()
}

func (d *Device) status(ctx context.Context, c *conn) (Status, error) {
	if d.blind(c) {
		return Status{Unknown: true, Online: true}, nil
	}
	var b [3]byte
	for i, q := range [][]byte{QueryPrinter, QueryOffline, QueryPaper} {
		v, err := d.query(ctx, c, q)
		if errors.Is(err, ErrNoAnswer) && !c.answered {
			// Never answered: a printer without a status path (a one-way
			// USB device, a DLE EOT-less clone). It still prints.
			return Status{Unknown: true, Online: true}, nil
		}
		if err != nil {
			return Status{}, err
		}
		b[i] = v
	}
	return DecodeStatus(b[0], b[1], b[2])
}

func (d *Device) write(c *conn, b []byte) error {
	select {
	case <-c.dead:
		return ErrDisconnected
	default:
	}
	// A printer that stopped taking data (flow control held, a network
	// printer gone) must not hang the owner.
	c.link.SetWriteDeadline(time.Now().Add(d.lineTime(c, len(b)) + 5*time.Second))
	if _, err := c.link.Write(b); err != nil {
		return fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	return nil
}

// lineTime is how long n bytes take on the link: 10 bits a byte at the
// serial rate; USB and TCP are much faster than any printer.
func (d *Device) lineTime(c *conn, n int) time.Duration {
	if c.transport != TransportSerial {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(d.cfg.Baud)
}

// print checks the printer, sends the document in chunks that end where a
// command ends, with a paper check after each, and at the end asks GS r 1,
// which the printer answers only once everything before it is on paper.
// Cover open or paper out part way is reported as a *MidJobError.
func (d *Device) print(ctx context.Context, c *conn, doc Doc) error {
	st, err := d.status(ctx, c)
	if err != nil {
		return err
	}
	if err := st.Ready(); err != nil {
		return err
	}
	data, total := doc.Data, len(doc.Data)
	if st.Unknown {
		if err := d.write(c, data); err != nil {
			return &MidJobError{Err: err, Sent: 0, Total: total}
		}
		d.log.Info("printer-printed-unconfirmed", "bytes", total)
		return nil
	}
	for off := 0; off < total; {
		end := chunkEnd(doc.Breaks, off, total)
		if err := d.write(c, data[off:end]); err != nil {
			return &MidJobError{Err: err, Sent: off, Total: total}
		}
		off = end
		if end == total {
			break
		}
		b, err := d.query(ctx, c, QueryPaper)
		if err != nil {
			return &MidJobError{Err: err, Sent: end, Total: total}
		}
		if b&0x60 != 0 {
			return &MidJobError{Err: ErrPaperOut, Sent: end, Total: total}
		}
	}
	return d.confirm(ctx, c, total)
}

// confirm waits for the answer to GS r 1 sent after the job. While it
// waits, DLE EOT (answered at once) tells a printer still printing from
// one that stopped with its cover open or out of paper.
func (d *Device) confirm(ctx context.Context, c *conn, total int) error {
	mid := func(err error) error { return &MidJobError{Err: err, Sent: total, Total: total} }
	drain(c)
	if err := d.write(c, QueryPaperSensor); err != nil {
		return mid(err)
	}
	deadline := time.Now().Add(d.lineTime(c, total) + d.cfg.JobTimeout)
	for {
		b, err := d.await(ctx, c, msgSensor, d.cfg.Timeout)
		if err == nil {
			if _, out := DecodeSensor(b); out {
				return mid(ErrPaperOut)
			}
			return nil
		}
		if !errors.Is(err, ErrNoAnswer) {
			return mid(err)
		}
		st, err := d.status(ctx, c)
		if err != nil {
			return mid(err)
		}
		if err := st.Ready(); err != nil {
			return mid(err)
		}
		if time.Now().After(deadline) {
			return mid(ErrNoAnswer)
		}
		// Still printing (or the answer was lost): ask again; a second
		// answer arriving later is drained before the next request.
		if err := d.write(c, QueryPaperSensor); err != nil {
			return mid(err)
		}
	}
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
