// Command urnactl is the technician's tool: printers, documents, posters,
// enrollment and diagnosis.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/boltfile"
)

var version = "dev"

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"print":          {"write a document's ESC/POS stream to a file or a printer", cmdPrint},
	"render":         {"render an ESC/POS stream to PNG pages and text, as the virtual printer would", cmdRender},
	"ports":          {"list USB printers, serial ports and (--scan SUBNET) network printers, with profile guesses", cmdPorts},
	"poster":         {"make a venue's poster, flyer or project list (PDF) or thermal strip", cmdPoster},
	"submit-poster":  {"make a venue's poster announcing the window for residents' proposals (PDF or thermal strip)", cmdSubmitPoster},
	"enroll":         {"enroll this kiosk with the central", cmdEnroll},
	"export-ballots": {"write the kiosk's sealed ballots to a file (USB stick)", cmdExportBallots},
	"status":         {"queue depth, last sync, catalog version", cmdStatus},
	"salvage":        {"copy every ballot that can still be read and verified from a damaged store into a new one", cmdSalvage},
	"pin-hash":       {"hash a staff or technician PIN for the configuration", cmdPINHash},
	"doctor":         {"check display, fonts, printer, disk, store, enrollment and clock; say how to fix each", cmdDoctor},
	"printer":        {"printer probe [--address A] (find the printer on USB, TCP 9100 or serial) | printer test --address A --profile P", cmdPrinter},
}

func usage() {
	fmt.Fprintf(os.Stderr, "urnactl %s: the technician's tool\n\nusage: urnactl COMMAND [flags]\n\n", version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nurnactl COMMAND -h shows a command's flags.")
}

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println("urnactl", version)
		return
	}
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "urnactl: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := c.run(os.Args[2:]); err != nil {
		var s *said
		if errors.As(err, &s) {
			fmt.Fprintln(os.Stderr, "urnactl "+os.Args[1]+":", sentence(assets.EnvLanguage(os.Getenv), s))
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "urnactl "+os.Args[1]+":", err)
		var damaged *boltfile.DamagedError
		if errors.As(err, &damaged) {
			fmt.Fprintln(os.Stderr, assets.MustMessages().T(assets.EnvLanguage(os.Getenv), damaged.Key,
				"path", damaged.Path, "salvage", "urnactl salvage"))
		}
		os.Exit(1)
	}
}
