package station

import (
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// keepClosing signs the closing report's counts and chain head with the
// kiosk key and keeps them, for the sync agent to send and the USB export
// to carry: the central then reconciles the point without anyone reading
// the paper.
func (s *Station) keepClosing(r layout.Report) error {
	cr := &wire.ClosingReport{
		ClosingReport: election.ClosingReport{Ballots: r.Total, LastSeq: r.LastSeq, Head: r.Head},
		Edition:       s.Edition.ID, ClosedAt: r.At, Today: r.Since,
	}
	if err := s.Queue.KeepClosing(cr); err != nil {
		return err
	}
	s.Log.Info("closing-report-signed", "ballots", cr.Ballots, "last_seq", cr.LastSeq)
	return nil
}

// keyFingerprint is the edition key's fingerprint, "" before enrollment.
func (s *Station) keyFingerprint() string {
	if len(s.EditionKey) == 0 {
		return ""
	}
	return wire.KeyFingerprint(s.EditionKey)
}
