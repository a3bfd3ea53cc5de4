package virtual_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/internal/asuser"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
)

// open starts a virtual printer on transport and opens it the way the
// kiosk does: printer.Open with the configuration naming transport and
// address.
func open(t *testing.T, transport, profile string) (*virtual.Printer, *printer.Device) {
	t.Helper()
	p, err := printer.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	v, err := virtual.Start(virtual.Options{Profile: p, Transport: transport, Dir: t.TempDir(), Idle: 200 * time.Millisecond, Buffer: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	d, err := printer.Open(v.Config(printer.Config{Timeout: time.Second, JobTimeout: 2 * time.Second}), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return v, d
}

func testPage(t *testing.T, p *printer.Profile) printer.Doc {
	t.Helper()
	doc, err := layout.BuildTestPage(p, assets.MustMessages(), layout.TestPage{Lang: "uk"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) < 2*printer.ChunkSize {
		t.Fatalf("document of %d bytes is too short for a mid-job test", len(doc.Data))
	}
	return doc
}

// TestTransports prints through each transport end to end, as the
// unprivileged user the kiosk runs as, and stops a job part way with paper
// out, cover open and a printer that falls silent (issue 14).
func TestTransports(t *testing.T) {
	for _, transport := range []string{virtual.Serial, virtual.USB, virtual.TCP} {
		t.Run(transport, func(t *testing.T) {
			asuser.Run(t, func(t *testing.T) {
				v, d := open(t, transport, "epson-tm-t20iii")
				doc := testPage(t, d.Profile())
				ctx := context.Background()

				if err := d.Print(ctx, doc); err != nil {
					t.Fatalf("print: %v", err)
				}
				if _, err := v.WaitPages(1, 3*time.Second); err != nil {
					t.Fatal(err)
				}

				for name, tc := range map[string]struct {
					then virtual.State
					want error
				}{
					"paper out mid-job":  {virtual.State{PaperOut: true}, printer.ErrPaperOut},
					"cover open mid-job": {virtual.State{CoverOpen: true}, printer.ErrCoverOpen},
					"silence mid-job":    {virtual.State{Silent: true}, printer.ErrNoAnswer},
				} {
					then := tc.then
					v.SetState(virtual.State{After: 700, Then: &then})
					err := d.Print(ctx, doc)
					var mid *printer.MidJobError
					if !errors.As(err, &mid) || !errors.Is(err, tc.want) {
						t.Errorf("%s: Print = %v, want a mid-job %v", name, err, tc.want)
					}
					if key := printer.ErrorKey(err); key == "printer.error" {
						t.Errorf("%s: reported as a generic error", name)
					}
					v.SetState(virtual.State{})
				}
				if err := d.Print(ctx, doc); err != nil {
					t.Fatalf("print after the faults were cleared: %v", err)
				}
			})
		})
	}
}

// TestSilentPrinterPrintsWithStateUnknown: a printer that never answers a
// status request (a one-way USB device, a clone) still prints, and says
// "unknown" instead of blocking every job (issue 14 item 6).
func TestSilentPrinterPrintsWithStateUnknown(t *testing.T) {
	for _, transport := range []string{virtual.Serial, virtual.USB, virtual.TCP} {
		t.Run(transport, func(t *testing.T) {
			p, _ := printer.LookupProfile("pos-5890")
			v, err := virtual.Start(virtual.Options{Profile: p, Transport: transport, Idle: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			v.SetState(virtual.State{Silent: true})
			d, err := printer.Open(v.Config(printer.Config{Timeout: 100 * time.Millisecond}), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			st, err := d.Status(context.Background())
			if err != nil || !st.Unknown || st.String() != "unknown" {
				t.Fatalf("Status = %+v (%s), %v", st, st, err)
			}
			doc, _ := receipt(t, p, "pl")
			if err := d.Print(context.Background(), doc); err != nil {
				t.Fatal(err)
			}
			if _, err := v.WaitPages(1, 3*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPaperOutAfterLastByte: a printer with a receive buffer answers DLE
// EOT before the job is on paper, so paper that ends with the receipt's
// last lines is caught only by GS r, answered once everything before it
// printed (issue 14 item 6: DLE EOT alone after the job missed it).
func TestPaperOutAfterLastByte(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-t88v")
	v, err := virtual.Start(virtual.Options{Profile: p, Buffer: true, Idle: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	d, err := printer.Open(v.Config(printer.Config{Timeout: time.Second, JobTimeout: 2 * time.Second}), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	doc, _ := receipt(t, p, "pl")
	if err := d.Print(context.Background(), doc); err != nil {
		t.Fatalf("with paper: %v", err)
	}
	v.SetState(virtual.State{After: len(doc.Data) - 20, Then: &virtual.State{PaperOut: true}})
	err = d.Print(context.Background(), doc)
	var mid *printer.MidJobError
	if !errors.As(err, &mid) || !errors.Is(err, printer.ErrPaperOut) {
		t.Fatalf("Print = %v, want a mid-job paper out", err)
	}
}

// TestUSBSetsNoTermios: the USB printer-class transport treats the device
// as a plain file (/dev/usb/lp* has no termios; setting it fails with
// "inappropriate ioctl for device").
func TestUSBSetsNoTermios(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-t20iii")
	v, err := virtual.Start(virtual.Options{Profile: p, Transport: virtual.USB})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	before, err := v.Termios()
	if err != nil {
		t.Fatal(err)
	}
	d, err := printer.Open(printer.Config{Address: v.Path(), Transport: printer.TransportUSB, Profile: p.Name, Baud: 9600, Flow: "rtscts"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	doc, _ := receipt(t, p, "en")
	if err := d.Print(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	after, _ := v.Termios()
	if after.Cflag != before.Cflag || after.Cflag&unix.CRTSCTS != 0 {
		t.Fatalf("termios changed from %#x to %#x", before.Cflag, after.Cflag)
	}
}

// TestTCPReconnects: a network printer that drops the connection (it was
// restarted) is connected to again for the next job.
func TestTCPReconnects(t *testing.T) {
	v, d := open(t, virtual.TCP, "epson-tm-m30iii")
	doc, _ := receipt(t, d.Profile(), "uk")
	if err := d.Print(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	v.Drop()
	var err error
	for range 3 { // the first try may meet the closed connection
		if err = d.Print(context.Background(), doc); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("after the printer restarted: %v", err)
	}
	if n := v.Clients(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
	if _, err := v.WaitPages(2, 3*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestPageNumbersContinueAfterRestart: the demo's virtual printer keeps the
// receipts of earlier runs (issue 12 item 11).
func TestPageNumbersContinueAfterRestart(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-t20ii")
	dir := t.TempDir()
	var files []string
	for run := range 2 {
		v, err := virtual.Start(virtual.Options{Profile: p, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		d, err := printer.Open(v.Config(printer.Config{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := receipt(t, p, "pl")
		if err := d.Print(context.Background(), doc); err != nil {
			t.Fatal(err)
		}
		if _, err := v.WaitPages(1, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		files = append(files, v.Files()...)
		d.Close()
		v.Close()
		_ = run
	}
	if len(files) != 2 || files[0] == files[1] {
		t.Fatalf("pages written: %q", files)
	}
}

// TestAutoStatusEndsTheWait: a printer with automatic status back (GS a)
// announces the cover opening mid-job itself, and that ends the wait for
// the job's confirmation without a status round trip.
func TestAutoStatusEndsTheWait(t *testing.T) {
	v, d := open(t, virtual.Serial, "epson-tm-t88v") // a profile with GS a
	doc := testPage(t, d.Profile())
	v.SetState(virtual.State{After: len(doc.Data) - 10, Then: &virtual.State{CoverOpen: true}})
	err := d.Print(context.Background(), doc)
	var mid *printer.MidJobError
	if !errors.As(err, &mid) || !errors.Is(err, printer.ErrCoverOpen) {
		t.Fatalf("Print = %v, want a mid-job cover open", err)
	}
}

// TestKioskStartsWithPrinterOff: a network printer switched off when the
// kiosk starts does not stop the kiosk (printer.Start); it answers
// disconnected until the printer is switched on, then prints.
func TestKioskStartsWithPrinterOff(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-m30iii")
	off, err := virtual.Start(virtual.Options{Profile: p, Transport: virtual.TCP})
	if err != nil {
		t.Fatal(err)
	}
	cfg := off.Config(printer.Config{Timeout: time.Second, JobTimeout: 2 * time.Second})
	off.Close() // the printer is switched off; its address stays known
	if _, err := printer.Open(cfg, nil); err == nil {
		t.Fatal("Open reached a printer that is off")
	}
	d, err := printer.Start(cfg, nil, nil)
	if err != nil {
		t.Fatalf("the kiosk would not start with its printer off: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Status(context.Background()); !errors.Is(err, printer.ErrDisconnected) {
		t.Fatalf("status with the printer off: %v, want disconnected", err)
	}
	on, err := virtual.Start(virtual.Options{Profile: p, Transport: virtual.TCP, Address: cfg.Address, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { on.Close() })
	doc, _ := receipt(t, p, "pl")
	if err := d.Print(context.Background(), doc); err != nil {
		t.Fatalf("after the printer was switched on: %v", err)
	}
	if _, err := on.WaitPages(1, 3*time.Second); err != nil {
		t.Fatal(err)
	}
}
