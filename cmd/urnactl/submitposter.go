package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// cmdSubmitPoster writes a venue's poster announcing the window for
// residents' proposals: A4, A3, flyer (PDF) or the thermal strip.
func cmdSubmitPoster(args []string) error {
	fs := flag.NewFlagSet("submit-poster", flag.ContinueOnError)
	venue := fs.String("venue", "", "venue id from the edition")
	format := fs.String("format", "a4", "a4, a3, flyer or thermal")
	lang := fs.String("lang", "pl", "language: pl, en, uk")
	out := fs.String("out", "", "output file (.pdf, or .bin for thermal)")
	editionFile := fs.String("edition", "", "edition JSON with its timeline (default: the demo edition with Kraków's year)")
	url := fs.String("url", "", "address of the web form for the QR code (default: the edition's check page host + /proposals/new)")
	prof := fs.String("profile", "generic-80mm", "printer profile, for thermal")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *venue == "" || *out == "" {
		return cli.Usage("urnactl submit-poster --venue ID --format a4|a3|flyer|thermal --lang pl|en|uk --out FILE")
	}
	src := assets.DemoEdition()
	if *editionFile != "" {
		b, err := os.ReadFile(*editionFile)
		if err != nil {
			return err
		}
		src = b
	}
	ed, err := election.DecodeEdition(bytes.NewReader(src))
	if err != nil {
		return err
	}
	if *editionFile == "" {
		civic.KrakowYear(ed)
	}
	if *url == "" {
		*url = strings.TrimSuffix(strings.TrimSuffix(ed.CheckURL, "/"), "/check") + "/proposals/new"
	}
	md, err := poster.SubmissionModel(ed, assets.MustMessages(), *venue, *lang, *url)
	if err != nil {
		return err
	}
	if poster.Format(*format) == poster.Strip {
		p, err := printer.LookupProfile(*prof)
		if err != nil {
			return err
		}
		doc, err := layout.BuildPosterStrip(p, md)
		if err != nil {
			return err
		}
		return atomicfile.Write(*out, doc.Data, 0o644)
	}
	if poster.Format(*format) == poster.List {
		return errors.New("submit-poster: a4, a3, flyer or thermal")
	}
	var b bytes.Buffer
	if err := poster.Write(&b, md, poster.Format(*format)); err != nil {
		return err
	}
	return atomicfile.Write(*out, b.Bytes(), 0o644)
}
