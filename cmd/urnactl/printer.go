package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
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

func cmdPrint(args []string) error {
	fs := flag.NewFlagSet("print", flag.ContinueOnError)
	doc := fs.String("doc", "test-page", "document: "+strings.Join(docs, ", "))
	prof := fs.String("profile", "generic-80mm", "printer profile: "+strings.Join(printer.ProfileNames(), ", "))
	lang := fs.String("lang", "pl", "language: pl, en, uk")
	out := fs.String("out", "", "write the raw ESC/POS stream to this file")
	port := fs.String("port", "", "print on the printer at this serial port instead")
	baud := fs.Int("baud", 19200, "baud rate of --port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := printer.LookupProfile(*prof)
	if err != nil {
		return err
	}
	if !strings.Contains(" pl en uk ", " "+*lang+" ") {
		return fmt.Errorf("language %q: pl, en or uk", *lang)
	}
	d, err := sampleDoc(*doc, p, *lang, *baud)
	if err != nil {
		return err
	}
	switch {
	case *out != "" && *port != "":
		return errors.New("give --out or --port, not both")
	case *out != "":
		return atomicfile.Write(*out, d.Data, 0o644)
	case *port != "":
		s, err := printer.OpenSerial(printer.Config{Port: *port, Profile: *prof, Baud: *baud}, nil, nil)
		if err != nil {
			return err
		}
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return s.Print(ctx, d)
	}
	return errors.New("give --out FILE or --port PORT")
}

func cmdRender(args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	prof := fs.String("profile", "generic-80mm", "printer profile the stream was made for")
	out := fs.String("out", ".", "folder for page-NNNN.png and page-NNNN.txt")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: urnactl render [--profile P] [--out DIR] FILE.bin")
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	ports, err := printer.Ports()
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(ports)
	}
	if len(ports) == 0 {
		fmt.Println("no serial ports found")
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PORT\tUSB ID\tSERIAL\tPRODUCT\tKNOWN PRINTER")
	for _, p := range ports {
		id := "-"
		if p.USB {
			id = p.VID + ":" + p.PID
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, id, p.Serial, p.Product, strings.Join(p.Profiles, ", "))
	}
	return w.Flush()
}
