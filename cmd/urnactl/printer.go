package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
)

var docs = []string{"receipt-sample", "test-page", "opening-report", "closing-report"}

// sampleDoc builds one of the documents with the demo edition's data.
func sampleDoc(name string, p *printer.Profile, lang string, baud int) (printer.Doc, error) {
	ed := assets.MustDemoEdition()
	m := assets.MustMessages()
	venue := &ed.Venues[0]
	now := time.Now()
	switch name {
	case "receipt-sample":
		return layout.BuildReceipt(p, m, layout.Receipt{Edition: ed, Venue: venue, Tracker: "ABCD-EFGH-JKLM-NPQR", CastAt: now, Lang: lang})
	case "test-page":
		return layout.BuildTestPage(p, m, layout.TestPage{Baud: baud, Lang: lang})
	case "opening-report", "closing-report":
		return layout.BuildReport(p, m, layout.Report{Closing: name == "closing-report", Edition: ed, Venue: venue,
			KioskID: "sample", CatalogVersion: ed.Version, CatalogHash: strings.Repeat("0", 64), At: now, Lang: lang,
			Today: 0, Total: 0})
	}
	return printer.Doc{}, fmt.Errorf("unknown document %q (one of %s)", name, strings.Join(docs, ", "))
}

// printerFlags are the flags that name a printer, as the kiosk
// configuration's [printer] section does.
type printerFlags struct {
	address, transport, profile *string
	baud                        *int
	flow                        *string
}

func addPrinterFlags(fs *flag.FlagSet, defaultAddress string) *printerFlags {
	f := &printerFlags{
		address:   fs.String("address", defaultAddress, "printer: /dev/usb/lp0, 192.168.1.50:9100 or a serial port"),
		transport: fs.String("transport", "", "usb, tcp or serial (default: from the address)"),
		profile:   fs.String("profile", "", "printer profile: "+strings.Join(printer.ProfileNames(), ", ")),
		baud:      fs.Int("baud", 19200, "baud rate of a serial printer"),
		flow:      fs.String("flow", "none", "flow control of a serial printer: none, rtscts, xonxoff"),
	}
	fs.StringVar(f.address, "port", defaultAddress, "the same as --address")
	return f
}

func (f *printerFlags) config() printer.Config {
	return printer.Config{Address: *f.address, Transport: *f.transport, Profile: *f.profile, Baud: *f.baud, Flow: *f.flow}.WithDefaults()
}

func cmdPrint(args []string) error {
	fs := flag.NewFlagSet("print", flag.ContinueOnError)
	doc := fs.String("doc", "test-page", "document: "+strings.Join(docs, ", "))
	lang := fs.String("lang", "pl", "language: pl, en, uk")
	out := fs.String("out", "", "write the raw ESC/POS stream to this file")
	pf := addPrinterFlags(fs, "")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	cfg := pf.config()
	p, err := printer.LookupProfile(cfg.Profile)
	if err != nil {
		return err
	}
	if !strings.Contains(" pl en uk ", " "+*lang+" ") {
		return fmt.Errorf("language %q: pl, en or uk", *lang)
	}
	d, err := sampleDoc(*doc, p, *lang, cfg.Baud)
	if err != nil {
		return err
	}
	switch {
	case *out != "" && *pf.address != "":
		return errors.New("give --out or --address, not both")
	case *out != "":
		return atomicfile.Write(*out, d.Data, 0o644)
	case *pf.address != "":
		return printOn(cfg, d, *lang)
	}
	return errors.New("give --out FILE or --address PRINTER")
}

// printOn prints d on the printer cfg names and says the outcome in lang.
func printOn(cfg printer.Config, d printer.Doc, lang string) error {
	s, err := printer.Open(cfg, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Print(ctx, d); err != nil {
		return fmt.Errorf("%s: %w", assets.MustMessages().T(lang, printer.ErrorKey(err)), err)
	}
	return nil
}

func cmdRender(args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	prof := fs.String("profile", "default", "printer profile the stream was made for")
	out := fs.String("out", ".", "folder for page-NNNN.png and page-NNNN.txt")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usage("urnactl render [--profile P] [--out DIR] FILE.bin")
	}
	p, err := printer.LookupProfile(*prof)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	pages, err := virtual.RenderStream(p, data, *out)
	if err != nil {
		return err
	}
	fmt.Printf("%d page(s) in %s\n", len(pages), *out)
	return nil
}

func cmdPorts(args []string) error {
	fs := flag.NewFlagSet("ports", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	scan := fs.String("scan", "", "also look for network printers (port 9100) in this subnet, e.g. 192.168.1.0/24")
	port := fs.Int("scan-port", 9100, "TCP port of --scan")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	ports, err := printer.Ports()
	if err != nil {
		fmt.Fprintln(os.Stderr, "urnactl ports:", err) // one kind failing does not hide the others
	}
	if *scan != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		found, err := printer.Scan(ctx, *scan, *port, 0)
		cancel()
		if err != nil {
			return err
		}
		ports = append(ports, found...)
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(ports)
	}
	if len(ports) == 0 {
		fmt.Println("no USB printer, serial port or network printer found")
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TRANSPORT\tADDRESS\tUSB ID\tSERIAL\tPRODUCT\tPROFILE GUESS")
	for _, p := range ports {
		id := "-"
		if p.USB {
			id = p.VID + ":" + p.PID
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Transport, p.Address, id, dash(p.Serial), dash(p.Product), dash(p.Guess))
	}
	return w.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmdPrinter(args []string) error {
	if len(args) == 0 || (args[0] != "probe" && args[0] != "test") {
		return cli.Usage("urnactl printer probe [--address A] [--scan SUBNET] | printer test --address A --profile NAME [--baud N]")
	}
	fs := flag.NewFlagSet("printer", flag.ContinueOnError)
	lang := fs.String("lang", "pl", "language of the test page")
	scan := fs.String("scan", "", "probe: also look for network printers in this subnet (port 9100)")
	pf := addPrinterFlags(fs, "")
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	if args[0] == "test" {
		if *pf.address == "" {
			*pf.address = "/dev/urna-printer"
		}
		cfg := pf.config()
		p, err := printer.LookupProfile(cfg.Profile)
		if err != nil {
			return err
		}
		doc, err := layout.BuildTestPage(p, assets.MustMessages(), layout.TestPage{Baud: cfg.Baud, Lang: *lang})
		if err != nil {
			return err
		}
		if err := printOn(cfg, doc, *lang); err != nil {
			return err
		}
		fmt.Println("test page printed")
		return nil
	}
	return probe(pf, *scan)
}

// probe finds the printer: on the address given, or on every USB printer,
// serial port and (with --scan) network printer found, each serial port at
// every baud rate printers use.
func probe(pf *printerFlags, scan string) error {
	var cands []printer.PortInfo
	if *pf.address != "" {
		cfg := pf.config()
		c := printer.PortInfo{Transport: cfg.TransportAt(cfg.Address), Address: cfg.Address, Guess: *pf.profile}
		if ports, err := printer.Ports(); err == nil {
			real, _ := filepath.EvalSymlinks(c.Address)
			for _, p := range ports {
				if (p.Address == c.Address || p.Address == real) && c.Guess == "" {
					c.Guess = p.Guess
				}
			}
		}
		cands = append(cands, c)
	} else {
		ports, _ := printer.Ports()
		cands = append(cands, ports...)
	}
	if scan != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		found, err := printer.Scan(ctx, scan, 0, 0)
		cancel()
		if err != nil {
			return err
		}
		cands = append(cands, found...)
	}
	if len(cands) == 0 {
		return errors.New("no printer found: plug a USB printer in, or give --address, or --scan the venue's subnet")
	}
	tries := 0
	for _, c := range cands {
		if c.Transport == printer.TransportSerial {
			tries += len(printer.Bauds)
		} else {
			tries++
		}
	}
	bar := newProgress("probe", tries)
	defer bar.done()
	i := 0
	var cannotOpen []string // the first reason per address, so a technician fixes the right thing
	serialTried := false
	for _, c := range cands {
		opened := false
		var openErr error
		guess := c.Guess
		if guess == "" {
			guess = "default"
		}
		bauds := []int{0}
		if c.Transport == printer.TransportSerial {
			bauds = printer.Bauds
		}
		for _, b := range bauds {
			bar.set(i, fmt.Sprintf("%s %s%s", c.Transport, c.Address, baudText(b)))
			i++
			cfg := printer.Config{Transport: c.Transport, Address: c.Address, Profile: guess, Baud: b, Timeout: 300 * time.Millisecond}
			p, err := printer.Open(cfg, nil)
			if err != nil {
				if openErr == nil {
					openErr = err
				}
				continue
			}
			opened = true
			if c.Transport == printer.TransportSerial {
				serialTried = true
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			st, err := p.Status(ctx)
			cancel()
			p.Close()
			if err != nil || (st.Unknown && c.Transport == printer.TransportSerial) {
				continue // a serial line at the wrong rate answers nothing
			}
			bar.set(tries, "")
			bar.done()
			bar.on = false
			next := fmt.Sprintf("urnactl printer test --address %s --profile %s", c.Address, guess)
			if b > 0 {
				next += fmt.Sprintf(" --baud %d", b)
			}
			if st.Unknown {
				fmt.Printf("%s printer at %s takes data but answers no status request: it prints with state \"unknown\"; profile guess: %s\n", c.Transport, c.Address, guess)
			} else {
				fmt.Printf("%s printer %s answers%s: %s; profile guess: %s\n", c.Transport, c.Address, baudText(b), st, guess)
			}
			fmt.Println("next: " + next)
			return nil
		}
		if !opened && openErr != nil {
			cannotOpen = append(cannotOpen, openHint(openErr))
		}
	}
	msg := "no printer answered"
	if len(cannotOpen) > 0 {
		msg += "; could not open " + strings.Join(cannotOpen, "; ")
	}
	if serialTried {
		msg += "; where a serial port opened, check power and cable: it was tried at 9600, 19200, 38400, 57600 and 115200 baud"
	} else if len(cannotOpen) == 0 {
		msg += ": check power and cable"
	}
	return errors.New(msg)
}

// openHint says what to do about a printer that could not be opened.
func openHint(err error) string {
	s := err.Error()
	switch {
	case errors.Is(err, os.ErrPermission):
		return s + " (add this user to the dialout and lp groups, as the package does for the kiosk user, and log in again)"
	case errors.Is(err, syscall.EBUSY):
		return s + " (another program holds the port: stop it, e.g. the kiosk, and try again)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return s + " (nothing listens there: is the printer on, and is that its address and port?)"
	}
	return s
}

func baudText(b int) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprintf(" at %d baud", b)
}
