package layout

import (
	"strings"

	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
)

// BuildPosterStrip composes the thermal poster strip from the poster model:
// a big headline, the dates, the venue and its hours, the QR code and the
// district's projects.
func BuildPosterStrip(p *printer.Profile, md *poster.Model) (printer.Doc, error) {
	e := printer.NewEncoder(p)
	e.Align(printer.Center)
	e.Wrap(md.Edition, 1)
	e.Feed(1)
	e.Bold(true)
	e.Size(2, 3)
	e.Wrap(md.Headline, 2)
	e.Size(1, 1)
	e.Bold(false)
	e.Wrap(strings.Join(md.Others, " · "), 1)
	e.Feed(1)
	e.Bold(true)
	e.Size(1, 2)
	e.Wrap(md.Dates, 1)
	e.Size(1, 1)
	e.Bold(false)
	e.Rule()
	e.Wrap(md.Lines["poster.where"]+":", 1)
	e.Bold(true)
	e.Wrap(md.Venue, 1)
	e.Bold(false)
	e.Wrap(md.Address, 1)
	for _, h := range md.Hours {
		e.Line(h)
	}
	e.Rule()
	e.Wrap(md.Lines["poster.scan"], 1)
	if err := e.QR(md.URL); err != nil {
		return printer.Doc{}, err
	}
	e.Wrap(strings.TrimPrefix(md.URL, "https://"), 1)
	e.Rule()
	e.Bold(true)
	e.Wrap(md.Lines["poster.projects"], 1)
	e.Bold(false)
	e.Align(printer.Left)
	for _, pr := range md.Projects {
		e.Wrap(pr.Number+"  "+pr.Title, 1)
	}
	e.Feed(1)
	e.Wrap(md.Lines["poster.city_projects"], 1)
	e.Rule()
	e.Wrap(md.Lines["poster.who"], 1)
	e.Wrap(md.Lines["poster.neutral"], 1)
	if md.KeyFingerprint != "" {
		e.Wrap(md.Lines["report.edition_key"]+": "+md.KeyFingerprint, 1)
	}
	e.Cut(false)
	return e.Doc(), nil
}
