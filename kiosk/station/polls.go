package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
)

// Why a resident may not begin or cast, with the sentences residents see.
var (
	ErrNotOpen = election.Problem{Key: "station.not_open"}
	// ErrNotActivated: under staff activation, no staff member unlocked a ballot.
	ErrNotActivated = election.Problem{Key: "station.ask_staff"}
	// ErrBallotInUse: a resident is still voting on the ballot unlocked before.
	ErrBallotInUse = election.Problem{Key: "station.ballot_in_use"}
	// ErrKioskTooOld: the edition names a minimum kiosk version
	// (minKioskVersion) above the one this kiosk runs; the point stays
	// closed until a technician updates the kiosk.
	ErrKioskTooOld = election.Problem{Key: "station.kiosk_too_old"}
	// ErrAlreadyOpen: the point is open already; a second opening would
	// restart the day's count and spoil the closing report.
	ErrAlreadyOpen = election.Problem{Key: "station.already_open"}
)

// ErrCountsDisagree says a report's counts do not match the store's own:
// the report is not printed.
var ErrCountsDisagree = errors.New("report counts disagree with the ballot store")

// ErrReportDue says a report did not print: it is kept in the store and
// prints when the printer can (PrintReportsDue). The point's state changed
// all the same. It wraps the printer's error.
type ErrReportDue struct{ Err error }

func (e *ErrReportDue) Error() string { return "report kept to print later: " + e.Err.Error() }
func (e *ErrReportDue) Unwrap() error { return e.Err }

// pollsState returns the voting point's state, read once from the store.
func (s *Station) pollsState() queue.Polls {
	if s.polls == nil {
		p, err := s.Queue.Polls()
		if err != nil {
			s.Log.Warn("polls-unreadable", "err", err)
		}
		s.polls = &p
	}
	return *s.polls
}

// dayOf is the start of t's day in the edition's zone.
func (s *Station) dayOf(t time.Time) time.Time {
	loc := s.Edition.Location()
	n := t.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
}

// Opened reports whether staff opened the voting point today (and did not
// close it since): until then residents see "not yet open" and no ballot
// is taken. An opening holds for the day it was made on.
func (s *Station) Opened() bool {
	p := s.pollsState()
	return p.Open && s.dayOf(p.OpenedAt).Equal(s.dayOf(s.Clock()))
}

// report gathers a report's counts and checks them against the store.
func (s *Station) report(closing bool, lang string) (layout.Report, error) {
	now := s.Clock()
	st, err := s.Queue.Stats(s.dayOf(now))
	if err != nil {
		return layout.Report{}, err
	}
	if err := s.Queue.Verify(); err != nil {
		return layout.Report{}, err
	}
	seq, head := s.Queue.Head()
	if uint64(st.Total) != seq || st.Pending+st.Accepted+st.Rejected != st.Total || head != st.Head {
		return layout.Report{}, fmt.Errorf("%w: %d ballots, last seq %d, %d+%d+%d by state",
			ErrCountsDisagree, st.Total, seq, st.Pending, st.Accepted, st.Rejected)
	}
	p := s.pollsState()
	since := seq - min(p.ClosedSeq, seq)
	if closing {
		since = seq - min(p.OpenedSeq, seq)
	}
	return layout.Report{Closing: closing, Edition: s.Edition, Venue: s.Venue, KioskID: s.Queue.KioskID(),
		CatalogVersion: s.Edition.Version, CatalogHash: s.CatalogHash, Today: st.Today, Total: st.Total,
		Since: int(since), Synced: st.Accepted, Pending: st.Pending, LastSeq: st.LastSeq, Head: st.Head, At: now, Lang: lang,
		KeyFingerprint: s.keyFingerprint()}, nil
}

// OpenPolls opens the voting point for the day and prints the opening
// ("zero") report: ballots since the last closing (zero, as ballots are
// refused while closed), the cumulative count and the chain head. A printer
// without paper does not keep the point closed: the error is an
// *ErrReportDue and the report prints when the printer can. The report is
// returned for the screen either way.
func (s *Station) OpenPolls(ctx context.Context, lang string) (layout.Report, error) {
	if !s.Edition.KioskAllowed(s.Version) {
		s.Queue.Log(queue.Event{Name: queue.EventPollsOpened, OK: false,
			Detail: fmt.Sprintf("version=%s min=%s", s.Version, s.Edition.MinKioskVersion)})
		s.Log.Warn(string(queue.EventPollsOpened), "ok", false, "version", s.Version, "min", s.Edition.MinKioskVersion)
		return layout.Report{}, ErrKioskTooOld
	}
	if s.Opened() {
		return layout.Report{}, ErrAlreadyOpen
	}
	r, err := s.report(false, lang)
	if err != nil {
		s.logPolls(queue.EventPollsOpened, r, err)
		return r, err
	}
	p := s.pollsState()
	p.Open, p.OpenedAt, p.OpenedSeq = true, r.At, r.LastSeq
	if err := s.setPolls(p); err != nil {
		return r, err
	}
	return r, s.printReport(ctx, r, queue.EventPollsOpened)
}

// ClosePolls closes the voting point and prints the closing report.
func (s *Station) ClosePolls(ctx context.Context, lang string) (layout.Report, error) {
	if !s.Opened() {
		return layout.Report{}, ErrNotOpen
	}
	r, err := s.report(true, lang)
	if err != nil {
		s.logPolls(queue.EventPollsClosed, r, err)
		return r, err
	}
	p := s.pollsState()
	p.Open, p.ClosedAt, p.ClosedSeq = false, r.At, r.LastSeq
	if err := s.setPolls(p); err != nil {
		return r, err
	}
	if err := s.keepClosing(r); err != nil {
		return r, err
	}
	s.Release()
	return r, s.printReport(ctx, r, queue.EventPollsClosed)
}

func (s *Station) setPolls(p queue.Polls) error {
	if err := s.Queue.SetPolls(p); err != nil {
		return err
	}
	s.polls = &p
	return nil
}

// printReport prints a report, or keeps it for later when the printer fails.
func (s *Station) printReport(ctx context.Context, r layout.Report, ev queue.EventName) error {
	doc, err := layout.BuildReport(s.Printer.Profile(), s.Messages, r)
	if err != nil {
		s.logPolls(ev, r, err)
		return err
	}
	if err = s.Printer.Print(ctx, doc); err != nil {
		raw, _ := json.Marshal(doc)
		if kerr := s.Queue.AddReportDue(raw, s.Clock()); kerr != nil {
			err = errors.Join(err, kerr)
		} else {
			err = &ErrReportDue{Err: err}
		}
	}
	s.logPolls(ev, r, err)
	return err
}

func (s *Station) logPolls(ev queue.EventName, r layout.Report, err error) {
	e := queue.Event{Name: ev, OK: err == nil, Detail: fmt.Sprintf("since=%d total=%d", r.Since, r.Total)}
	if err != nil {
		e.Detail += " " + printer.ErrorKey(err)
	}
	s.Queue.Log(e)
	s.Log.Info(string(ev), "ok", err == nil, "since", r.Since, "total", r.Total)
}

// ReportsDue is how many reports wait for the printer.
func (s *Station) ReportsDue() int {
	due, _ := s.Queue.ReportsDue()
	return len(due)
}

// PrintReportsDue prints the reports that wait for the printer, oldest
// first, once it is ready; it stops at the first that fails.
func (s *Station) PrintReportsDue(ctx context.Context) error {
	due, err := s.Queue.ReportsDue()
	if err != nil || len(due) == 0 {
		return err
	}
	st, err := s.Printer.Status(ctx)
	if err == nil {
		err = st.Ready()
	}
	if err != nil {
		return err
	}
	for _, d := range due {
		var doc printer.Doc
		if err := json.Unmarshal(d.Doc, &doc); err != nil {
			return err
		}
		if err := s.Printer.Print(ctx, doc); err != nil {
			return err
		}
		if err := s.Queue.ReportPrinted(d.Key); err != nil {
			return err
		}
		s.Log.Info("report-printed")
	}
	return nil
}

// Run prints waiting reports once the printer is back (paper loaded),
// until ctx ends.
func (s *Station) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.ReportsDue() > 0 {
				pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				s.PrintReportsDue(pctx)
				cancel()
			}
		}
	}
}
