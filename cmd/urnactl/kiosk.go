package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/wire"
)

const defaultData = "/var/lib/urna-kiosk"

// openQueue opens the kiosk's store; the kiosk must not be running.
func openQueue(data string) (*queue.Queue, error) {
	q, err := queue.Open(filepath.Join(data, "kiosk.db"), queue.Options{Timeout: time.Second})
	if errors.Is(err, queue.ErrLocked) {
		return nil, fmt.Errorf("%w: stop the kiosk first (systemctl stop urna-kiosk)", err)
	}
	return q, err
}

func cmdEnroll(args []string) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	server := fs.String("server", "", "the central's URL, e.g. https://central.example:8443")
	code := fs.String("code", "", "one-time enrollment code from the city office")
	pin := fs.String("pin", "", "the central's TLS certificate fingerprint (urna-central serve prints it)")
	data := fs.String("data", defaultData, "the kiosk's data folder")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *server == "" || *code == "" {
		return cli.Usage("urnactl enroll --server URL --code CODE --pin FINGERPRINT")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	switch {
	case strings.HasPrefix(*server, "https://"):
		if *pin == "" {
			return errors.New("--pin is required for https: the kiosk trusts only that certificate")
		}
		client = agent.PinnedClient(*pin)
	case !strings.HasPrefix(*server, "http://127.0.0.1") && !strings.HasPrefix(*server, "http://localhost"):
		return errors.New("plain http only to a central on this machine; use https with --pin")
	}
	if err := atomicfile.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	q, err := openQueue(*data)
	if err != nil {
		return err
	}
	defer q.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	er, err := agent.Enroll(ctx, client, *server, *code, q)
	var busy *agent.BusyError
	if errors.As(err, &busy) {
		return say("ctl.enroll.busy", "s", int(busy.RetryAfter/time.Second))
	}
	if err != nil {
		return err
	}
	en := agent.Enrollment{URL: *server, Pin: *pin, EditionKey: er.EditionKey, VoterSecret: er.VoterSecret}
	if err := agent.SaveEnrollment(q, en); err != nil {
		return err
	}
	a := agent.New(agent.Config{URL: *server, Client: client, Queue: q, EditionKey: er.EditionKey,
		Catalog: func() int { return agent.CatalogVersion(q) }, Install: func(c wire.Catalog) error { return agent.InstallCatalog(q, c) }})
	catalog := "not yet published"
	if err := a.PullCatalog(ctx); err == nil && agent.CatalogVersion(q) > 0 {
		catalog = fmt.Sprint("version ", agent.CatalogVersion(q))
	}
	fmt.Printf("enrolled as %s at venue %s; catalog %s\n", er.KioskID, er.Venue, catalog)
	return nil
}

func cmdExportBallots(args []string) error {
	fs := flag.NewFlagSet("export-ballots", flag.ContinueOnError)
	data := fs.String("data", defaultData, "the kiosk's data folder")
	out := fs.String("out", "", "file on the USB stick (JSON lines)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return cli.Usage("urnactl export-ballots --out FILE")
	}
	// A broken chain must not block the rescue: every ballot that verifies
	// goes out, and the breaks are named.
	path := filepath.Join(*data, "kiosk.db")
	bs, breaks, err := queue.Rescue(path, time.Second)
	if errors.Is(err, queue.ErrLocked) {
		return fmt.Errorf("%w: stop the kiosk first (systemctl stop urna-kiosk)", err)
	}
	if err != nil {
		return err
	}
	// the signed closing report rides along, where the store still opens
	var closing *wire.ClosingReport
	if q, err := queue.Open(path, queue.Options{Timeout: time.Second}); err == nil {
		closing, _ = q.Closing()
		q.Close()
	}
	bar := newProgress("export", len(bs))
	err = atomicfile.WriteWith(*out, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for i, b := range bs {
			if err := enc.Encode(b); err != nil {
				return err
			}
			if i%100 == 0 || i == len(bs)-1 {
				bar.set(i+1, "ballots")
			}
		}
		if closing != nil {
			return enc.Encode(wire.ExportLine{ClosingReport: closing})
		}
		return nil
	})
	bar.done()
	if err != nil {
		return err
	}
	if q, err := queue.Open(path, queue.Options{Timeout: time.Second}); err == nil {
		// the audit log is written only where the chain is whole
		q.Log(queue.Event{Name: queue.EventBallotsExported, OK: true, Detail: fmt.Sprint(len(bs))})
		q.Close()
	}
	fmt.Printf("%d sealed ballots written to %s (import them with urna-central import-ballots)\n", len(bs), *out)
	if len(breaks) > 0 {
		fmt.Printf("breaks in the chain: %d; ballots that do not verify were left out:\n", len(breaks))
		for _, b := range breaks {
			fmt.Printf("  number %d: %s\n", b.Seq, b.Reason)
		}
	}
	return nil
}

func cmdSalvage(args []string) error {
	fs := flag.NewFlagSet("salvage", flag.ContinueOnError)
	data := fs.String("data", defaultData, "the kiosk's data folder")
	out := fs.String("out", "", "the new store (default: kiosk.db.salvaged in the data folder)")
	pubHex := fs.String("public-key", "", "the kiosk's public key (hex, from the central) when its own key is lost")
	replace := fs.Bool("replace", false, "put the new store in place of kiosk.db, keeping the damaged one as kiosk.db.damaged-TIME")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	path := filepath.Join(*data, "kiosk.db")
	if *out == "" {
		*out = path + ".salvaged"
	}
	var pub ed25519.PublicKey
	if *pubHex != "" {
		b, err := hex.DecodeString(*pubHex)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return errors.New("--public-key: 64 hex digits")
		}
		pub = b
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return say("salvage.no_store", "path", path)
	}
	if _, err := os.Stat(*out); err == nil {
		return say("salvage.out_exists", "path", *out)
	}
	rep, err := queue.Salvage(path, *out, pub)
	if err != nil {
		return err
	}
	lang := assets.EnvLanguage(os.Getenv)
	for _, kind := range rep.RecordsLost {
		fmt.Println(sentence(lang, say("salvage.kiosk_lost_"+strings.ReplaceAll(kind, "-", "_"))))
	}
	fmt.Printf("%d ballots recovered and verified into %s (highest number %d)\n", rep.Recovered, *out, rep.Highest)
	if len(rep.Missing) > 0 {
		fmt.Printf("lost: %d ballots, numbers %s\n", len(rep.Missing), ranges(rep.Missing))
	}
	if rep.Unverifiable > 0 {
		fmt.Printf("left out: %d ballot records that do not verify under the kiosk's key\n", rep.Unverifiable)
	}
	fmt.Printf("the central's answer was recovered for %d of them; the others are sent again (the central keeps one copy)\n", rep.Outbox)
	fmt.Println("ballots numbered above the highest cannot be known from the file: compare with the closing report and the central's count")
	if len(rep.Problems) > 0 {
		fmt.Printf("damage met: %d problems, the first: %s\n", len(rep.Problems), rep.Problems[0])
	}
	if rep.KeyLost || len(rep.Missing) > 0 {
		fmt.Println("this store takes no new ballots: send its ballots to the central with urnactl export-ballots and urna-central import-ballots")
	}
	if !*replace {
		return nil
	}
	aside := fmt.Sprintf("%s.damaged-%s", path, time.Now().UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(*out, path); err != nil {
		return err
	}
	os.Remove(*out + boltfile.MarkerSuffix) // kiosk.db's own marker stays
	if err := atomicfile.SyncDir(*data); err != nil {
		return err
	}
	fmt.Printf("the new store is now %s; the damaged one is kept as %s\n", path, aside)
	return nil
}

// ranges writes sorted numbers as "3, 7-9".
func ranges(ns []uint64) string {
	var b strings.Builder
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", ns[i], ns[j])
		} else {
			fmt.Fprint(&b, ns[i])
		}
		i = j + 1
	}
	return b.String()
}

// Status is what urnactl status reports.
type Status struct {
	Kiosk         string    `json:"kiosk"`
	Central       string    `json:"central"`
	Catalog       int       `json:"catalog"`
	Ballots       int       `json:"ballots"`
	Pending       int       `json:"pending"`
	OldestPending time.Time `json:"oldestPending,omitzero"`
	LastSync      time.Time `json:"lastSync,omitzero"`
	LastSeq       uint64    `json:"lastSeq"`
}

func cmdStatus(args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	data := fs.String("data", defaultData, "the kiosk's data folder")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	q, err := openQueue(*data)
	if err != nil {
		return err
	}
	defer q.Close()
	st, err := q.Stats(time.Time{})
	if err != nil {
		return err
	}
	s := Status{Kiosk: q.KioskID(), Catalog: agent.CatalogVersion(q), Ballots: st.Total, Pending: st.Pending,
		OldestPending: st.OldestPending, LastSeq: st.LastSeq}
	if en, err := agent.LoadEnrollment(q); err == nil {
		s.Central = en.URL
	}
	events, _ := q.Events()
	for _, e := range events {
		if e.Name == queue.EventBallotsSynced {
			s.LastSync = e.At
		}
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(s)
	}
	or := func(v, none string) string {
		if v == "" {
			return none
		}
		return v
	}
	fmt.Printf("kiosk:          %s\n", or(s.Kiosk, "not enrolled"))
	fmt.Printf("central:        %s\n", or(s.Central, "-"))
	fmt.Printf("catalog:        %d\n", s.Catalog)
	fmt.Printf("ballots:        %d (last number %d)\n", s.Ballots, s.LastSeq)
	fmt.Printf("waiting to sync: %d", s.Pending)
	if !s.OldestPending.IsZero() {
		fmt.Printf(" (oldest from %s)", s.OldestPending.Local().Format("2006-01-02 15:04"))
	}
	fmt.Println()
	last := "never"
	if !s.LastSync.IsZero() {
		last = s.LastSync.Local().Format("2006-01-02 15:04:05")
	}
	fmt.Printf("last sync:      %s\n", last)
	return nil
}

func cmdPINHash(args []string) error {
	fs := flag.NewFlagSet("pin-hash", flag.ContinueOnError)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if args = fs.Args(); len(args) != 1 {
		return cli.Usage("urnactl pin-hash PIN (4 digits or more)")
	}
	if len(args[0]) < 4 || strings.Trim(args[0], "0123456789") != "" {
		return say("cli.pin_digits")
	}
	h, err := session.HashPIN(args[0])
	if err != nil {
		return err
	}
	fmt.Println(h)
	return nil
}
