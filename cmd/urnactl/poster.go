package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/election"
)

func cmdPoster(args []string) error {
	fs := flag.NewFlagSet("poster", flag.ContinueOnError)
	venue := fs.String("venue", "", "venue id from the edition")
	format := fs.String("format", "a4", "a4, a3, flyer, list or thermal")
	lang := fs.String("lang", "pl", "language: pl, en, uk")
	out := fs.String("out", "", "output file (.pdf, or .bin for thermal)")
	editionFile := fs.String("edition", "", "edition JSON (default: the demo edition)")
	url := fs.String("url", "", "address for the QR code (default: the edition's check page host + /projects)")
	prof := fs.String("profile", "generic-80mm", "printer profile, for thermal")
	order := fs.String("order", "number", "project order: number or ballot")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *venue == "" || *out == "" {
		return cli.Usage("urnactl poster --venue ID --format a4|a3|flyer|list|thermal --lang pl|en|uk --out FILE")
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
	if *url == "" {
		*url = strings.TrimSuffix(strings.TrimSuffix(ed.CheckURL, "/"), "/check") + "/projects"
	}
	if *order != string(poster.ByNumber) && *order != string(poster.ByBallot) {
		return fmt.Errorf("order %q: number or ballot", *order)
	}
	md, err := poster.NewModel(ed, assets.MustMessages(), *venue, *lang, *url, poster.Order(*order))
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
	var b bytes.Buffer
	if err := poster.Write(&b, md, poster.Format(*format)); err != nil {
		return err
	}
	return atomicfile.Write(*out, b.Bytes(), 0o644)
}
