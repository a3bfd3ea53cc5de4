package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// editionSecret returns the latest catalog's edition and its voter-key secret.
func editionSecret(ctx context.Context, c *common) (*election.Edition, []byte, error) {
	keys, err := central.LoadKeys(c.data)
	if err != nil {
		return nil, nil, err
	}
	st, err := c.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	ed, _, err := central.Profiles(ctx, st)
	if err != nil {
		return nil, nil, fmt.Errorf("no published catalog (urna-central catalog publish): %w", err)
	}
	return ed, central.EditionSecret(keys.VoterSecret, ed.ID), nil
}

// output opens --out, or standard output.
func output(path string) (io.Writer, func() error, error) {
	if path == "" {
		return os.Stdout, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

func cmdVoterCodes(args []string) error {
	const use = "usage: urna-central voter-codes issue --n N [--format text|pdf] [--out FILE] [--lang pl|en|uk]"
	if len(args) == 0 || args[0] != "issue" {
		return errors.New(use)
	}
	var c common
	fs := flag.NewFlagSet("voter-codes", flag.ContinueOnError)
	c.add(fs)
	n := fs.Int("n", 0, "how many codes to issue")
	format := fs.String("format", "text", "text or pdf: one letter per code")
	out := fs.String("out", "", "write the letters here (a new file, mode 0600) instead of standard output")
	lang := fs.String("lang", "pl", "language of the letters: pl, en, uk")
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	if *n <= 0 || *n > 1_000_000 {
		return errors.New(use)
	}
	if *format == "pdf" && *out == "" {
		return errors.New("--out FILE is needed for pdf")
	}
	ctx := context.Background()
	ed, secret, err := editionSecret(ctx, &c)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	w, closeOut, err := output(*out)
	if err != nil {
		return err
	}
	codes, err := central.IssueVoterCodes(ctx, st, secret, ed, *n, nil)
	if err != nil {
		return err
	}
	if err := central.WriteCodeLetters(w, ed, codes, *format, *lang, time.Now()); err != nil {
		return err
	}
	if err := closeOut(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, assets.MustMessages().T(*lang, "codes.issued", "n", len(codes)))
	return nil
}

func cmdRegister(args []string) error {
	const use = "usage: urna-central register import FILE (one PESEL a line)"
	if len(args) < 2 || args[0] != "import" {
		return errors.New(use)
	}
	var c common
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	c.add(fs)
	lang := fs.String("lang", "pl", "language of the report: pl, en, uk")
	if err := cli.Parse(fs, args[2:]); err != nil {
		return err
	}
	ctx := context.Background()
	_, secret, err := editionSecret(ctx, &c)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := central.ImportRegister(ctx, st, secret, f)
	if err != nil {
		return err
	}
	fmt.Println(assets.MustMessages().T(*lang, "register.imported", "added", res.Added, "skipped", res.Skipped))
	return nil
}

func cmdAudit(args []string) error {
	var c common
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	c.add(fs)
	format := fs.String("format", "text", "text or json")
	lang := fs.String("lang", "", "language of the report: pl, en, uk (default: the locale's, as every command's)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *lang == "" {
		*lang = assets.EnvLanguage(os.Getenv)
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := central.RunAudit(ctx, st, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		// no catalog: a new store, or one emptied (a 0-byte file whose
		// marker was removed opens as a new one)
		name, ok := strings.CutPrefix(c.db, "bolt:")
		if !ok {
			name = "PostgreSQL" // never the DSN: it may hold a password
		}
		return say("audit.no_catalog", "store", name)
	}
	if err != nil {
		return err
	}
	if err := central.WriteAudit(os.Stdout, a, *format, *lang); err != nil {
		return err
	}
	if !a.Agrees {
		return errors.New(assets.MustMessages().T(*lang, a.Verdict)) // what failed: the recount, or only a chain
	}
	return nil
}

// setAside sets a kiosk's ballots aside for review, or releases them.
func setAside(ctx context.Context, st store.Store, id string, aside bool) error {
	if err := st.SetAside(ctx, id, aside, time.Now()); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no kiosk %q is enrolled (urna-central kiosk list shows them)", id)
	} else if err != nil {
		return err
	}
	_, counted, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	if aside {
		fmt.Printf("kiosk %s: its ballots are set aside for review and do not count; %d voters count now\n", id, counted)
	} else {
		fmt.Printf("kiosk %s: its ballots count again; %d voters count now\n", id, counted)
	}
	return nil
}
