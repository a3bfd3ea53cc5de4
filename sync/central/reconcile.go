package central

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Point is one voting point's reconciliation: its kiosk's signed closing
// report against what the central holds of its chain.
type Point struct {
	Kiosk, Venue string
	State        election.PointState
	Missing      int // ballots the report counts that have not arrived (pending)
	Report       *wire.ClosingReport
	Received     election.Received
	SignOff      *store.SignOff
}

// Errors of a closing report the central refuses.
var (
	ErrReportKiosk   = errors.New("closing report of another kiosk")
	ErrReportEdition = errors.New("closing report of another edition")
)

// AcceptClosing verifies a kiosk's closing report (its own, signed by its
// key, for the running edition) and keeps it.
func (s *Server) AcceptClosing(ctx context.Context, k store.Kiosk, r wire.ClosingReport) error {
	if r.Kiosk != k.ID {
		return ErrReportKiosk
	}
	if err := r.Verify(k.PublicKey); err != nil {
		return err
	}
	ed, err := s.current(ctx)
	if err != nil {
		return err
	}
	if r.Edition != ed.ID {
		return ErrReportEdition
	}
	if err := s.closingProblem(ctx, k, ed, r, s.cfg.Clock()); err != nil { // closing.go
		return err
	}
	if err := s.cfg.Store.PutClosing(ctx, r, s.cfg.Clock()); err != nil {
		return err
	}
	s.cfg.Log.Info("closing-report-kept", "kiosk", k.ID, "ballots", r.Ballots, "last_seq", r.LastSeq)
	return nil
}

// Reconcile compares every enrolled kiosk's latest closing report with
// what the central holds, in kiosk order.
func Reconcile(ctx context.Context, st store.Store) ([]Point, error) {
	ks, err := st.Kiosks(ctx)
	if err != nil {
		return nil, err
	}
	reports, err := st.Closings(ctx)
	if err != nil {
		return nil, err
	}
	offs, err := st.SignOffs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Point
	for _, k := range ks {
		c, err := st.Chain(ctx, k.ID)
		if err != nil {
			return nil, err
		}
		p := Point{Kiosk: k.ID, Venue: k.Venue, Received: election.Received{Ballots: c.Count, LastSeq: c.MaxSeq, Breaks: len(c.Breaks)}}
		var er *election.ClosingReport
		if rc, ok := reports[k.ID]; ok {
			p.Report = &rc.Report
			er = &rc.Report.ClosingReport
			if er.LastSeq > 0 {
				id, err := st.BallotAt(ctx, k.ID, er.LastSeq)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				p.Received.HeadAt = id
			}
		}
		p.State, p.Missing = election.Reconcile(er, p.Received)
		if so, ok := offs[k.ID]; ok {
			p.SignOff = &so
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Point) int {
		if a.Venue != b.Venue {
			return compare(a.Venue, b.Venue)
		}
		return compare(a.Kiosk, b.Kiosk)
	})
	return out, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SignOffPoint records the coordinator's sign-off of a voting point that
// does not reconcile; the reason is required and kept with who and when.
func SignOffPoint(ctx context.Context, st store.Store, kiosk, reason, by string, at time.Time) error {
	if _, err := st.Kiosk(ctx, kiosk); err != nil {
		return fmt.Errorf("kiosk %s: %w", kiosk, err)
	}
	return st.SignOff(ctx, store.SignOff{Kiosk: kiosk, Reason: reason, By: by, At: at})
}

// auditAgrees runs the audit (RunAudit: every signature verified,
// de-duplication re-run, the recount compared with the fast tally) and
// says whether it agrees.
func auditAgrees(ctx context.Context, st store.Store) (bool, error) {
	a, err := RunAudit(ctx, st, time.Now())
	if err != nil {
		return false, err
	}
	return a.Agrees, nil
}

// Status is where the results stand, with the points behind it.
type Status struct {
	State    election.ResultsState
	Problems election.Problems
	Points   []Point
}

// ResultsStatus computes the results' state (election.ResultsStatus) from
// the store at now: polls closed, every point reconciled or signed off,
// the audit run. signed says whether the edition key signs these results
// (the state a signed document carries).
func ResultsStatus(ctx context.Context, st store.Store, now time.Time, audit, signed bool) (Status, error) {
	var run AuditFunc
	if audit {
		run = auditAgrees
	}
	return ResultsStatusWith(ctx, st, now, run, signed)
}

// AuditFunc runs the audit (Audit, or a cached one); nil: not run.
type AuditFunc func(context.Context, store.Store) (bool, error)

// ResultsStatusWith is ResultsStatus with the audit to run.
func ResultsStatusWith(ctx context.Context, st store.Store, now time.Time, audit AuditFunc, signed bool) (Status, error) {
	ed, err := latestEdition(ctx, st)
	if err != nil {
		return Status{}, err
	}
	points, err := Reconcile(ctx, st)
	if err != nil {
		return Status{}, err
	}
	in := election.ResultsInputs{PollsClosed: !now.Before(ed.Closes), Points: map[string]election.PointState{},
		SignedOff: map[string]string{}, Signed: signed}
	for _, p := range points {
		in.Points[p.Kiosk] = p.State
		if p.SignOff != nil {
			in.SignedOff[p.Kiosk] = p.SignOff.Reason
		}
	}
	if audit != nil {
		in.AuditRun = true
		if in.AuditAgrees, err = audit(ctx, st); err != nil {
			return Status{}, err
		}
	}
	state, why := election.ResultsStatus(in)
	// polls first, then the points, the audit, the signature
	rank := func(p election.Problem) string {
		switch {
		case p.Key == "results.polls_open":
			return "0"
		case strings.HasPrefix(p.Key, "results.point_"):
			return "1" + p.Key + p.Detail
		case p.Key == "results.not_signed":
			return "3"
		}
		return "2" + p.Key
	}
	slices.SortFunc(why, func(a, b election.Problem) int { return compare(rank(a), rank(b)) })
	return Status{State: state, Problems: why, Points: points}, nil
}

// CachedAudit says whether the server's latest audit agrees
// (LatestAudit: run again only when the store's counts changed), so that
// pages showing the results' state do not verify every signature on
// every request. Signing the results runs it afresh.
func (s *Server) CachedAudit(ctx context.Context, _ store.Store) (bool, error) {
	a, err := s.LatestAudit(ctx)
	if err != nil {
		return false, err
	}
	return a.Agrees, nil
}
