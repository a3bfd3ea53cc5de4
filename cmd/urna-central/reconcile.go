package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// cmdSignOff records the coordinator's sign-off of a voting point that
// does not reconcile: urna-central signoff KIOSK --reason "…".
func cmdSignOff(args []string) error {
	var c common
	fs := flag.NewFlagSet("signoff", flag.ContinueOnError)
	c.add(fs)
	reason := fs.String("reason", "", "why the point is signed off although it does not reconcile (required, recorded)")
	by := fs.String("by", "", "who signs it off (default: the user running the command, $USER)")
	lang := fs.String("lang", "pl", "language of messages: pl, en, uk")
	var kiosk string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		kiosk, args = args[0], args[1:]
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if kiosk == "" && fs.NArg() == 1 {
		kiosk = fs.Arg(0)
	}
	if kiosk == "" {
		return cli.Usage("urna-central signoff KIOSK --reason TEXT [--by NAME]")
	}
	m := assets.MustMessages()
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *by == "" {
		*by = os.Getenv("USER")
	}
	err = central.SignOffPoint(ctx, st, kiosk, *reason, *by, time.Now())
	switch {
	case errors.Is(err, store.ErrNoReason):
		return errors.New(m.T(*lang, "dash.err.reason_needed"))
	case errors.Is(err, store.ErrNotFound):
		return errors.New(m.T(*lang, "dash.err.unknown_kiosk"))
	case err != nil:
		return err
	}
	fmt.Println(m.T(*lang, "signoff.done", "kiosk", kiosk, "reason", *reason))
	return nil
}

// signResults writes the signed results document (results --sign).
func signResults(c *common, seed, out, lang string) error {
	ctx := context.Background()
	keys, err := central.LoadKeys(c.data)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	f, s, err := central.SignResults(ctx, st, keys.Edition, seed, time.Now())
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	m := assets.MustMessages()
	for _, p := range s.Problems {
		fmt.Fprintln(os.Stderr, m.T(lang, p.Key, "kiosk", p.Detail))
	}
	if out == "" {
		_, err = os.Stdout.Write(append(raw, '\n'))
		return err
	}
	if err := writeFileSynced(out, append(raw, '\n')); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, m.T(lang, "results.signed", "state", m.T(lang, "results.state."+string(s.State)),
		"fp", wire.KeyFingerprint(f.EditionKey), "file", out))
	return nil
}

// writeFileSynced writes a file whole and durably (a new file beside it,
// synced, then renamed over it).
func writeFileSynced(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// cmdVerifyResults checks a signed results document against the edition
// key's fingerprint as printed at the voting points; it needs no server.
func cmdVerifyResults(args []string) error {
	fs := flag.NewFlagSet("verify-results", flag.ContinueOnError)
	fp := fs.String("key-fingerprint", "", "the edition key's fingerprint as printed on the opening report or the poster")
	lang := fs.String("lang", "pl", "language of messages: pl, en, uk")
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" || *fp == "" {
		return cli.Usage("urna-central verify-results FILE --key-fingerprint \"xxxx xxxx …\"")
	}
	m := assets.MustMessages()
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var f wire.ResultsFile
	if err := json.Unmarshal(raw, &f); err != nil || f.Sig == nil {
		return errors.New(m.T(*lang, "results.verify.unreadable"))
	}
	switch err := f.Check(*fp); {
	case errors.Is(err, wire.ErrKeyFingerprint):
		return errors.New(m.T(*lang, "results.verify.wrong_key"))
	case err != nil:
		return errors.New(m.T(*lang, "results.verify.bad_signature"))
	}
	fmt.Println(m.T(*lang, "results.verify.ok", "fp", wire.KeyFingerprint(f.EditionKey), "edition", f.Edition,
		"catalog", f.Catalog, "state", m.T(*lang, "results.state."+f.State)))
	return nil
}
