package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/image/font/sfnt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/config"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/agent"
)

// Check is one line of urnactl doctor.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Warn   bool   `json:"warn,omitempty"` // not a failure, but worth knowing
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

func cmdDoctor(args []string) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	cfgPath := fs.String("config", "/etc/urna/kiosk.toml", "kiosk configuration")
	data := fs.String("data", "", "data folder (default: the configuration's)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	checks := doctor(*cfgPath, *data)
	failed := 0
	for _, c := range checks {
		if !c.OK && !c.Warn {
			failed++
		}
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(checks)
	} else {
		for _, c := range checks {
			mark := "✓"
			switch {
			case c.Warn:
				mark = "!"
			case !c.OK:
				mark = "✗"
			}
			fmt.Printf("%s %-12s %s\n", mark, c.Name, c.Detail)
			if c.Fix != "" && !c.OK {
				fmt.Printf("  %-12s fix: %s\n", "", c.Fix)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

func doctor(cfgPath, data string) []Check {
	var out []Check
	add := func(c Check) { out = append(out, c) }
	cfg, err := config.Load(cfgPath)
	if err != nil {
		add(Check{Name: "config", Detail: err.Error(), Fix: "edit " + cfgPath + " (see docs/install.md)"})
	} else {
		add(Check{Name: "config", OK: true, Detail: cfgPath + ": venue " + cfg.Venue})
	}
	if data == "" {
		data = cfg.DataDir
	}

	// display
	if os.Getenv("WAYLAND_DISPLAY") != "" || os.Getenv("DISPLAY") != "" {
		add(Check{Name: "display", OK: true, Detail: "display available"})
	} else {
		add(Check{Name: "display", Warn: true, Detail: "no display in this shell; the kiosk session (cage on tty1) provides one",
			Fix: "systemctl status urna-kiosk"})
	}

	// fonts: the embedded fonts cover Polish and Ukrainian
	if f, err := sfnt.Parse(assets.FontSans()); err == nil {
		var buf sfnt.Buffer
		missing := ""
		for _, r := range "ąćęłńóśźżĄĆĘŁŃÓŚŹŻєіїґЄІЇҐ" {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				missing += string(r)
			}
		}
		if missing == "" {
			add(Check{Name: "fonts", OK: true, Detail: "DejaVu embedded: Polish and Ukrainian letters present"})
		} else {
			add(Check{Name: "fonts", Detail: "missing glyphs: " + missing, Fix: "reinstall urna-kiosk"})
		}
	} else {
		add(Check{Name: "fonts", Detail: err.Error(), Fix: "reinstall urna-kiosk"})
	}

	// printer: permissions on the device, then a status query
	port := cfg.Printer.Address
	checkStatus := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := printer.Open(cfg.Printer, nil)
		if err == nil {
			var st printer.Status
			st, err = p.Status(ctx)
			p.Close()
			if err == nil {
				switch r := st.Ready(); {
				case st.Unknown:
					add(Check{Name: "printer", OK: true, Warn: true, Detail: fmt.Sprintf("%s %s takes data but answers no status request: printed receipts cannot be confirmed", cfg.Printer.TransportAt(port), port), Fix: "a bidirectional USB cable or the printer's status setting; urnactl printer probe"})
				case r != nil:
					add(Check{Name: "printer", Detail: "printer says " + st.String(), Fix: "paper in, cover closed, power on"})
				default:
					add(Check{Name: "printer", OK: true, Warn: st.PaperNearEnd, Detail: fmt.Sprintf("%s answers on %s %s: %s", cfg.Printer.Profile, cfg.Printer.TransportAt(port), port, st)})
				}
			}
		}
		if err != nil {
			add(Check{Name: "printer", Detail: err.Error(), Fix: "check the cable (or network) and power; urnactl printer probe --address " + port + " finds it"})
		}
	}
	switch {
	case port == "":
		add(Check{Name: "printer", Detail: "no printer address configured", Fix: "set [printer] address in " + cfgPath})
	case cfg.Printer.TransportAt(port) == printer.TransportTCP:
		checkStatus()
	default:
		if real, err := filepath.EvalSymlinks(port); err != nil {
			add(Check{Name: "device", Detail: port + " does not exist", Fix: "plug the printer in; urnactl ports lists USB printers and serial ports; the udev rule names known printers /dev/urna-printer"})
		} else if err := canReadWrite(real); err != nil {
			add(Check{Name: "device", Detail: fmt.Sprintf("%s: no read/write access for this user", real), Fix: "add the kiosk user to the dialout and lp groups (the package does) and log in again"})
		} else {
			add(Check{Name: "device", OK: true, Detail: real + " readable and writable"})
			checkStatus()
		}
	}

	// disk
	if free, err := freeMB(data); err != nil {
		add(Check{Name: "disk", Detail: data + ": " + err.Error(), Fix: "create the data folder (the package does)"})
	} else if free < 500 {
		add(Check{Name: "disk", Detail: fmt.Sprintf("%d MB free in %s", free, data), Fix: "free at least 500 MB"})
	} else {
		add(Check{Name: "disk", OK: true, Detail: fmt.Sprintf("%d MB free in %s", free, data)})
	}

	// store and enrollment
	q, err := queue.Open(filepath.Join(data, "kiosk.db"), queue.Options{Timeout: time.Second})
	switch {
	case errors.Is(err, queue.ErrLocked):
		add(Check{Name: "store", Warn: true, Detail: "the kiosk is running; its store was not checked", Fix: "systemctl stop urna-kiosk for a full check"})
		return out
	case err != nil:
		add(Check{Name: "store", Detail: err.Error(), Fix: "restore kiosk.db from the last backup, or export what is readable with urnactl export-ballots"})
		return out
	}
	defer q.Close()
	if err := q.Check(); err != nil {
		add(Check{Name: "store", Detail: "bbolt check: " + err.Error(), Fix: "export the ballots (urnactl export-ballots) and call the city office"})
	} else {
		seq, _ := q.Head()
		add(Check{Name: "store", OK: true, Detail: fmt.Sprintf("consistent; ballot chain intact up to %d", seq)})
	}
	en, err := agent.LoadEnrollment(q)
	if err != nil {
		add(Check{Name: "enrollment", Detail: "not enrolled", Fix: "urnactl enroll --server URL --code CODE --pin FINGERPRINT"})
		return out
	}
	add(Check{Name: "enrollment", OK: true, Detail: "kiosk " + q.KioskID() + " of " + en.URL})
	client := &http.Client{Timeout: 10 * time.Second}
	if en.Pin != "" {
		client = agent.PinnedClient(en.Pin)
	}
	a := agent.New(agent.Config{URL: en.URL, Client: client, Queue: q, EditionKey: en.EditionKey,
		Catalog: func() int { return agent.CatalogVersion(q) }})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	skew, err := a.SendHeartbeat(ctx)
	switch {
	case err != nil:
		add(Check{Name: "central", Detail: err.Error(), Fix: "check the network and the central; ballots wait safely meanwhile"})
	case skew > 2*time.Minute || skew < -2*time.Minute:
		add(Check{Name: "clock", Detail: fmt.Sprintf("%v off the central", skew.Round(time.Second)), Fix: "enable time sync: timedatectl set-ntp true"})
	default:
		add(Check{Name: "clock", OK: true, Detail: fmt.Sprintf("%v off the central", skew.Round(time.Millisecond))})
	}
	return out
}
