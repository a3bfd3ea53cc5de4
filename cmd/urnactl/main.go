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
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/printer"
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

// subcommands are the words some commands take first, for completion
// and for asking a command its flags.
var subcommands = map[string][]string{
	"printer": {"probe", "test"},
}

// details describe commands at length, in their help and manual pages.
var details = map[string]string{
	"doctor":         "Check the configuration, display, fonts, serial permissions, printer, disk, store and chain, enrollment and clock; say how to fix each problem.",
	"enroll":         "Enroll this kiosk with the central using a one-time code and the certificate fingerprint.",
	"export-ballots": "Write the kiosk's sealed ballots to a file for the central's import-ballots; of a broken chain, every ballot that verifies, and the breaks are named.",
	"pin-hash":       "Hash a staff or technician PIN for the configuration file.",
	"ports":          "List USB printer-class devices (/dev/usb/lp*), serial ports and, with --scan SUBNET, the hosts of a subnet that take connections on port 9100 (network printers), with USB ids and a profile guess.",
	"printer":        "printer probe finds the printer on any transport (USB, TCP 9100, serial at every baud rate) and guesses its profile.\n\nprinter test --address A --profile NAME prints the test page: each code page the profile uses, with Polish and Ukrainian letters.",
	"render":         "Render an ESC/POS stream to PNG pages and text, as the virtual printer does.",
	"salvage":        "Copy every ballot that can still be read and verified from a damaged kiosk.db into a new store and report the numbers lost; --replace puts it in place, --public-key verifies with the key the central holds when the kiosk's own key is lost.",
	"status":         "Queue depth, last sync and catalog version.",
	"submit-poster":  "Make a venue's poster announcing the window for residents' proposals (--venue ID, --format a4|a3|flyer|thermal, --out FILE): its dates, the steps, the cost limits and a QR code of the web form.",
}

const long = `urnactl installs and checks a voting kiosk: it finds and tests the thermal printer, enrolls the
kiosk with the central, reports its state, and writes its sealed ballots to a USB stick.
"urnactl COMMAND --help" shows a command's flags; --json gives machine-readable output where it makes sense.

Files: /etc/urna/kiosk.toml is the kiosk's configuration; /var/lib/urna-kiosk/kiosk.db holds the
sealed ballots, outbox, audit log, key and enrollment.`

func main() {
	os.Exit(program().Execute(os.Args[1:]))
}

// program is urnactl's command line, built from the commands table.
func program() cli.Program {
	p := cli.Program{Name: "urnactl", Short: "the technician's tool of the Urna voting kiosks", Long: long,
		Version: version, Fail: fail, Values: values()}
	for name, c := range commands {
		p.Commands = append(p.Commands, cli.Command{Name: name, Short: c.summary, Long: details[name], Subs: subcommands[name], Run: c.run})
	}
	sort.Slice(p.Commands, func(i, j int) bool { return p.Commands[i].Name < p.Commands[j].Name })
	return p
}

// values are the values of flags that take a fixed list, for completion.
func values() map[string][]string {
	return map[string][]string{
		"--lang":                 assets.Languages,
		"--profile":              printer.ProfileNames(),
		"--doc":                  docs,
		"poster --format":        {"a4", "a3", "flyer", "list", "thermal"},
		"submit-poster --format": {"a4", "a3", "flyer", "thermal"},
	}
}

// fail tells the technician why a command failed and returns the exit status.
func fail(name string, err error) int {
	var s *said
	if errors.As(err, &s) {
		fmt.Fprintln(os.Stderr, "urnactl "+name+":", sentence(assets.EnvLanguage(os.Getenv), s))
		return 1
	}
	fmt.Fprintln(os.Stderr, "urnactl "+name+":", err)
	var damaged *boltfile.DamagedError
	if errors.As(err, &damaged) {
		fmt.Fprintln(os.Stderr, assets.MustMessages().T(assets.EnvLanguage(os.Getenv), damaged.Key,
			"path", damaged.Path, "salvage", "urnactl salvage"))
	}
	return 1
}
