package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

const settingTimeline = "timeline"

// InstalledTimeline is the timeline kept in the kiosk's store, verified
// again with the edition key.
func InstalledTimeline(q *queue.Queue, editionKey []byte) (t wire.Timeline, ok bool, err error) {
	raw, err := q.Setting(settingTimeline)
	if err != nil || raw == "" {
		return t, false, err
	}
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return t, false, err
	}
	if err := t.Verify(editionKey, time.Time{}); err != nil {
		return t, false, err
	}
	return t, true, nil
}

// PullTimeline fetches the edition's signed timeline and keeps it when its
// signature verifies and it is not older than the one kept. A central
// that serves no timeline (an older one, or no edition in hand) is no
// error: the kiosk goes on with the catalog's dates.
func (a *Agent) PullTimeline(ctx context.Context) error {
	have, ok, _ := InstalledTimeline(a.cfg.Queue, a.cfg.EditionKey)
	var t wire.Timeline
	code, err := a.civic(ctx, http.MethodGet, wire.PathTimeline, nil, &t)
	if code == http.StatusNotFound || code == http.StatusUnprocessableEntity {
		return nil
	}
	if err != nil {
		return err
	}
	var since time.Time
	if ok {
		since = have.Signed
	}
	if err := t.Verify(a.cfg.EditionKey, since); err != nil {
		a.cfg.Log.Warn("timeline-refused", "signed", t.Signed, "err", err)
		return err
	}
	if ok && bytes.Equal(have.Sig, t.Sig) {
		return nil
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := a.cfg.Queue.SetSetting(settingTimeline, string(raw)); err != nil {
		return err
	}
	a.cfg.Log.Info("timeline-updated", "signed", t.Signed)
	if a.cfg.InstallTimeline != nil {
		a.cfg.InstallTimeline(t)
	}
	return nil
}

// SubmitProposal sends a resident's proposal to the proposal desk. A
// refusal comes back as election.Problems, to be shown translated.
func (a *Agent) SubmitProposal(ctx context.Context, p wire.ProposalSubmit) (wire.ProposalReceipt, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return wire.ProposalReceipt{}, err
	}
	var rc wire.ProposalReceipt
	_, err = a.civic(ctx, http.MethodPost, wire.PathProposals, body, &rc)
	return rc, err
}

// ProposalStatus looks a proposal up by its tracker and secret.
func (a *Agent) ProposalStatus(ctx context.Context, tracker, secret string) (wire.ProposalStatus, error) {
	body, _ := json.Marshal(wire.ProposalLookup{Tracker: tracker, Secret: secret})
	var st wire.ProposalStatus
	_, err := a.civic(ctx, http.MethodPost, wire.PathProposalStatus, body, &st)
	return st, err
}

// Protest files a protest against a proposal's rejection.
func (a *Agent) Protest(ctx context.Context, tracker, secret, reason string) (wire.ProposalStatus, error) {
	body, _ := json.Marshal(wire.ProposalLookup{Tracker: tracker, Secret: secret, Reason: reason})
	var st wire.ProposalStatus
	_, err := a.civic(ctx, http.MethodPost, wire.PathProposalProtest, body, &st)
	return st, err
}

// HandOff hands a draft (without its contact) to the central, to finish on
// the web form at home.
func (a *Agent) HandOff(ctx context.Context, d wire.ProposalDraft) (wire.ProposalHandoff, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return wire.ProposalHandoff{}, err
	}
	var h wire.ProposalHandoff
	_, err = a.civic(ctx, http.MethodPost, wire.PathProposalHandoff, body, &h)
	return h, err
}

// ErrNoAnswer means the central could not be reached or did not answer
// as it should: the screen says "try again", never the Go error.
var ErrNoAnswer = errors.New("the central did not answer")

// civic sends a signed request of the civic API. A refusal with problem
// keys (422, 429) is returned as election.Problems; every other failure
// wraps ErrNoAnswer. The body is never logged: it may hold a contact.
func (a *Agent) civic(ctx context.Context, method, path string, body []byte, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(a.cfg.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	wire.SignRequest(req, a.cfg.Queue.KioskID(), a.cfg.Queue.Sign, body, a.cfg.Clock())
	resp, err := a.cfg.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxBodyBytes))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		a.contact()
		return resp.StatusCode, json.Unmarshal(raw, out)
	case http.StatusUnprocessableEntity, http.StatusTooManyRequests:
		var ref wire.CivicRefusal
		if json.Unmarshal(raw, &ref) == nil && len(ref.Problems) > 0 {
			ps := make(election.Problems, len(ref.Problems))
			for i, p := range ref.Problems {
				ps[i] = election.Problem{Key: p.Key, Field: p.Field, Detail: p.Detail}
			}
			return resp.StatusCode, ps
		}
	}
	return resp.StatusCode, fmt.Errorf("%w: %s", ErrNoAnswer, resp.Status)
}
