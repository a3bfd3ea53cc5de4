package poster

import (
	"strings"

	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/election"
)

// ResultsStrip composes the results poster for the thermal printer: the
// state first, then each pool's winners with their points and cost, the QR
// code to the public page and the key's fingerprint.
func ResultsStrip(p *printer.Profile, rm *ResultsModel) (printer.Doc, error) {
	e := printer.NewEncoder(p)
	e.Align(printer.Center)
	e.Wrap(rm.Edition, 1)
	e.Feed(1)
	e.Bold(true)
	e.Size(2, 2)
	e.Wrap(rm.Title, 2)
	e.Size(1, 1)
	e.Wrap(rm.Place, 1)
	e.Bold(false)
	e.Rule()
	e.Bold(true)
	e.Wrap(rm.State, 1)
	e.Bold(false)
	e.Rule()
	for _, pool := range rm.Pools {
		e.Align(printer.Center)
		e.Bold(true)
		e.Size(1, 2)
		e.Wrap(pool.Name, 1)
		e.Size(1, 1)
		e.Bold(false)
		e.Wrap(pool.Summary, 1)
		e.Align(printer.Left)
		e.Feed(1)
		if pool.None != "" {
			e.Wrap(pool.None, 1)
		}
		for _, w := range pool.Winners {
			e.Bold(true)
			e.Wrap(w.Number, 1)
			e.Bold(false)
			e.Wrap(w.Title, 1)
			e.Pair(w.Points, election.FormatPLN(w.Cost))
		}
		e.Rule()
	}
	e.Align(printer.Center)
	e.Wrap(rm.Lines["poster.results.scan"], 1)
	if err := e.QR(rm.URL); err != nil {
		return printer.Doc{}, err
	}
	e.Wrap(strings.TrimPrefix(rm.URL, "https://"), 1)
	e.Wrap(rm.Lines["poster.results.neutral"], 1)
	if rm.KeyFingerprint != "" {
		e.Wrap(rm.Lines["report.edition_key"]+": "+rm.KeyFingerprint, 1)
	}
	e.Cut(false)
	return e.Doc(), nil
}
