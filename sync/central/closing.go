package central

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// ErrReportValues: a closing report with numbers or a time no kiosk
// honestly signs (errors.Is; the error names which).
var ErrReportValues = errors.New("closing report refused")

type reportValuesError struct{ reason string }

func (e *reportValuesError) Error() string        { return "closing report refused: " + e.reason }
func (e *reportValuesError) Is(target error) bool { return target == ErrReportValues }

// ClosingGrace is how long after the edition closes a point may still be
// closed (staff who close the next morning).
const ClosingGrace = 24 * time.Hour

// closingProblem names what makes a closing report unbelievable, or is "":
// negative counts, more ballots today than ever or than numbers, a last
// number beyond the kiosk's human pace since enrollment, a closing time in
// the future (beyond FutureSkew), before the kiosk's enrollment or outside
// the edition's window (from CastSkew before it opens to ClosingGrace
// after it closes).
func (s *Server) closingProblem(ctx context.Context, k store.Kiosk, ed *election.Edition, r wire.ClosingReport, now time.Time) error {
	var reason string
	switch {
	case r.Ballots < 0 || r.Today < 0:
		reason = fmt.Sprintf("ballots %d and today %d must not be negative", r.Ballots, r.Today)
	case r.Today > r.Ballots:
		reason = fmt.Sprintf("today %d is more than all ballots %d", r.Today, r.Ballots)
	case uint64(r.Ballots) > r.LastSeq:
		reason = fmt.Sprintf("ballots %d is more than the last number %d", r.Ballots, r.LastSeq)
	case r.ClosedAt.After(now.Add(FutureSkew)):
		reason = fmt.Sprintf("closedAt %s is in the future", r.ClosedAt.UTC().Format(time.RFC3339))
	case r.ClosedAt.Before(k.Enrolled.Add(-s.cfg.CastSkew)):
		reason = fmt.Sprintf("closedAt %s is before the kiosk was enrolled", r.ClosedAt.UTC().Format(time.RFC3339))
	case r.ClosedAt.Before(ed.Opens.Add(-s.cfg.CastSkew)) || r.ClosedAt.After(ed.Closes.Add(ClosingGrace)):
		reason = fmt.Sprintf("closedAt %s is outside the edition's window", r.ClosedAt.UTC().Format(time.RFC3339))
	}
	if reason == "" {
		var err error
		if reason, err = s.seqProblem(ctx, k, r.LastSeq, now); err != nil || reason == "" {
			return err
		}
	}
	return &reportValuesError{reason}
}

// closing takes a kiosk's signed closing report (wire.PathClosing).
func (s *Server) closing(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
	var cr wire.ClosingReport
	if err := json.Unmarshal(body, &cr); err != nil {
		apiError(w, http.StatusBadRequest, "malformed closing report")
		return
	}
	err := s.AcceptClosing(r.Context(), k, cr)
	switch {
	case errors.Is(err, ErrReportKiosk), errors.Is(err, ErrReportEdition), errors.Is(err, wire.ErrReportSignature), errors.Is(err, ErrReportValues):
		s.cfg.Log.Warn("closing-report-refused", "kiosk", k.ID, "err", err)
		apiError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.cfg.Log.Error("store-failed", "err", err)
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
	default:
		writeJSON(w, map[string]bool{"kept": true})
	}
}

// What import-ballots counts of the closing reports on a USB export.
const (
	ClosingKept    wire.Status = "closing-report-kept"
	ClosingRefused wire.Status = "closing-report-refused"
)

// closingLine reads a line of a USB export that holds a closing report.
func closingLine(line []byte) (wire.ClosingReport, bool) {
	var l wire.ExportLine
	if json.Unmarshal(line, &l) != nil || l.ClosingReport == nil {
		return wire.ClosingReport{}, false
	}
	return *l.ClosingReport, true
}

// importClosings keeps the closing reports carried by USB, each verified
// as if it had come online.
func (s *Server) importClosings(ctx context.Context, reports []wire.ClosingReport, out map[wire.Status]int) error {
	for _, r := range reports {
		k, err := s.cfg.Store.Kiosk(ctx, r.Kiosk)
		if errors.Is(err, store.ErrNotFound) {
			out[ClosingRefused]++
			continue
		}
		if err != nil {
			return err
		}
		switch err := s.AcceptClosing(ctx, k, r); {
		case errors.Is(err, ErrReportKiosk), errors.Is(err, ErrReportEdition), errors.Is(err, wire.ErrReportSignature), errors.Is(err, ErrReportValues):
			s.cfg.Log.Warn("closing-report-refused", "kiosk", k.ID, "err", err)
			out[ClosingRefused]++
		case err != nil:
			return err
		default:
			out[ClosingKept]++
		}
	}
	return nil
}

// notStored returns the ids of the ballots the central does not hold yet.
func (s *Server) notStored(ctx context.Context, bs []wire.SealedBallot) (map[string]bool, error) {
	fresh := map[string]bool{}
	for _, b := range bs {
		_, err := s.cfg.Store.Ballot(ctx, b.ID)
		if errors.Is(err, store.ErrNotFound) {
			fresh[b.ID] = true
		} else if err != nil {
			return nil, err
		}
	}
	return fresh, nil
}

// markUSB records the ballots that arrived by USB first, for the
// subtotals of ballots received online and by USB.
func (s *Server) markUSB(ctx context.Context, fresh map[string]bool, res []wire.Result) error {
	var ids []string
	for _, r := range res {
		if fresh[r.ID] && r.Status.Stored() {
			ids = append(ids, r.ID)
		}
	}
	return s.cfg.Store.MarkUSB(ctx, ids)
}
