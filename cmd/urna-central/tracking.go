package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/election"
)

// cmdTracking follows the winning projects: tracking import
// FILE applies the city's tracking sheet (CSV); tracking sign --out
// FILE signs what they became for the kiosks (wire.SignedBuilt).
func cmdTracking(args []string) error {
	const use = "urna-central tracking import FILE | tracking sign --out FILE"
	if len(args) < 1 || (args[0] != "import" && args[0] != "sign") {
		return cli.Usage(use)
	}
	var c common
	fs := flag.NewFlagSet("tracking", flag.ContinueOnError)
	c.add(fs)
	lang := fs.String("lang", "pl", "language of messages: pl, en, uk")
	out := fs.String("out", "", "sign: where to write the signed records")
	by := fs.String("by", "", "import: who imports the sheet, logged (default: the user running the command, $USER)")
	rest := args[1:]
	file := ""
	if args[0] == "import" {
		if len(rest) == 0 || rest[0] == "" || rest[0][0] == '-' {
			return cli.Usage(use)
		}
		file, rest = rest[0], rest[1:]
	}
	if err := cli.Parse(fs, rest); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	m := assets.MustMessages()
	if args[0] == "import" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		if *by == "" {
			*by = os.Getenv("USER")
		}
		n, err := central.ImportImplementation(ctx, st, f, *by, slog.Default())
		var ps election.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintln(os.Stderr, m.T(*lang, "dash.impl.line", "line", strconv.Itoa(p.Line)), m.T(*lang, p.Key), p.Detail)
			}
			return errors.New(m.T(*lang, "implementation.refused"))
		}
		if err != nil {
			return err
		}
		fmt.Println(m.T(*lang, "dash.impl.imported", "n", n))
		return nil
	}
	if *out == "" {
		return cli.Usage(use)
	}
	keys, err := central.LoadKeys(c.data)
	if err != nil {
		return err
	}
	s, err := central.SignBuilt(ctx, st, keys.Edition, time.Now())
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSynced(*out, append(raw, '\n'))
}
