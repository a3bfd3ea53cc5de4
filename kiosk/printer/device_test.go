package printer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// oneWay is a link whose reads fail with EINVAL, as usblp answers reads on
// a unidirectional USB printer; what is written is kept.
type oneWay struct {
	mu   sync.Mutex
	data []byte
}

func (o *oneWay) Read([]byte) (int, error) { return 0, unix.EINVAL }
func (o *oneWay) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.data = append(o.data, b...)
	return len(b), nil
}
func (o *oneWay) Close() error                     { return nil }
func (o *oneWay) SetWriteDeadline(time.Time) error { return nil }

// TestUnidirectionalUSBPrints: a USB printer that cannot be read still
// prints, at once and with state unknown, instead of being taken for
// unplugged.
func TestUnidirectionalUSBPrints(t *testing.T) {
	p, _ := LookupProfile("pos-5890")
	d := &Device{cfg: Config{Transport: TransportUSB, Address: "/dev/usb/lp0"}.WithDefaults(), prof: p,
		reqs: make(chan request), done: make(chan struct{}), owned: make(chan struct{})}
	d.log = discardLog()
	l := &oneWay{}
	c := &conn{addr: "/dev/usb/lp0", link: l, in: make(chan message, 1), dead: make(chan struct{}), closed: make(chan struct{})}
	go c.read()
	go d.own(c)
	defer d.Close()
	for !c.oneway.Load() {
		time.Sleep(time.Millisecond)
	}
	st, err := d.Status(context.Background())
	if err != nil || !st.Unknown {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	e := NewEncoder(p)
	e.Line("Zażółć")
	if err := d.Print(context.Background(), e.Doc()); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.data) != len(e.Doc().Data) {
		t.Fatalf("%d bytes written, want %d (no status requests)", len(l.data), len(e.Doc().Data))
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// FuzzSplitter: whatever a printer sends, the splitter never panics, every
// automatic status it returns decodes, and answers between ASB messages
// come out in order.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte{0x12, 0x10, 0, 0, 0, 0x0c, 0x16})
	f.Add([]byte{0x10, 0x10, 0x10, 0x10, 0x12})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s splitter
		for _, b := range data {
			m, ok := s.feed(b)
			if !ok {
				continue
			}
			switch m.kind {
			case msgRealtime:
				if !IsStatusByte(m.b) {
					t.Fatalf("%#02x taken for a DLE EOT answer", m.b)
				}
			case msgSensor:
				if !IsSensorByte(m.b) {
					t.Fatalf("%#02x taken for a GS r answer", m.b)
				}
			}
		}
		// A clean stream: ASB, answers, ASB, answer.
		var s2 splitter
		a := EncodeAutoStatus(Status{CoverOpen: true})
		stream := append(append([]byte{}, a[:]...), 0x12, EncodeSensor(false, true))
		stream = append(append(stream, a[:]...), 0x16)
		var kinds []int
		for _, b := range stream {
			if m, ok := s2.feed(b); ok {
				kinds = append(kinds, m.kind)
			}
		}
		if fmt.Sprint(kinds) != fmt.Sprint([]int{msgAuto, msgRealtime, msgSensor, msgAuto, msgRealtime}) {
			t.Fatalf("clean stream split as %v", kinds)
		}
	})
}
