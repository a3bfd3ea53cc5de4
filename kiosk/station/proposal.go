package station

import (
	"context"

	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/election"
)

// PrintProposalSlip prints a proposal's confirmation, a protest's, or a
// hand-over slip, for the edition of the year (the timeline's: before the
// list is published the kiosk's catalog may be last year's). It logs the
// outcome without the slip's codes.
func (s *Station) PrintProposalSlip(ctx context.Context, year *election.Edition, slip layout.ProposalSlip) error {
	if year == nil {
		year = s.Edition
	}
	slip.Edition, slip.Venue = year, s.Venue
	if s.Venue != nil {
		if v := year.Venue(s.Venue.ID); v != nil {
			slip.Venue = v
		}
	}
	if slip.At.IsZero() {
		slip.At = s.Clock()
	}
	doc, err := layout.BuildProposalSlip(s.Printer.Profile(), s.Messages, slip)
	if err == nil {
		err = s.Printer.Print(ctx, doc)
	}
	if err != nil {
		s.Log.Warn("proposal-slip-not-printed", "reason", printer.ErrorKey(err))
		return err
	}
	s.Log.Info("proposal-slip-printed")
	return nil
}
