package agent

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/urna-kiosk/urna/sync/wire"
)

// SendClosing sends the kiosk's latest signed closing report once: the
// central compares it with what it holds, and counts the ballots still on
// their way. It reports whether a report was sent.
func (a *Agent) SendClosing(ctx context.Context) (bool, error) {
	sent, err := a.cfg.Queue.ClosingSent()
	if err != nil || sent {
		return false, err
	}
	r, err := a.cfg.Queue.Closing()
	if err != nil {
		return false, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	code, err := a.do(ctx, http.MethodPost, wire.PathClosing, body, nil)
	if code == http.StatusBadRequest {
		// refused for good (another edition, say): sending it again would
		// only hold back the ballots behind it
		a.cfg.Log.Warn("closing-report-refused", "last_seq", r.LastSeq)
		return false, a.cfg.Queue.SetClosingSent(r.ClosedAt)
	}
	if err != nil {
		return false, err
	}
	a.cfg.Log.Info("closing-report-sent", "last_seq", r.LastSeq)
	return true, a.cfg.Queue.SetClosingSent(r.ClosedAt)
}
