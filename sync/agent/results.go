package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/wire"
)

const (
	settingResults = "results"
	settingBuilt   = "built"
)

// ErrResultsRollback means the central served signed results or
// implementation records older than the ones the kiosk keeps.
var ErrResultsRollback = errors.New("signed document is older than the one kept")

// InstalledResults is the signed final results kept in the kiosk's store,
// verified again with the edition key (nil when none is kept or it does
// not verify).
func InstalledResults(q *queue.Queue, editionKey []byte) *wire.ResultsFile {
	raw, err := q.Setting(settingResults)
	if err != nil || raw == "" {
		return nil
	}
	var f wire.ResultsFile
	if json.Unmarshal([]byte(raw), &f) != nil || f.Verify(editionKey) != nil {
		return nil
	}
	return &f
}

// InstalledBuilt is the signed implementation records kept in the kiosk's
// store, verified again with the edition key (nil when none verify).
func InstalledBuilt(q *queue.Queue, editionKey []byte) *wire.SignedBuilt {
	raw, err := q.Setting(settingBuilt)
	if err != nil || raw == "" {
		return nil
	}
	var b wire.SignedBuilt
	if json.Unmarshal([]byte(raw), &b) != nil || b.Verify(editionKey) != nil {
		return nil
	}
	return &b
}

// PullResults fetches the signed final results and the signed
// implementation records, and keeps each when it verifies with the edition
// key the kiosk got at enrollment and is not older than the one kept. A
// central that has none (404) is no error.
func (a *Agent) PullResults(ctx context.Context) error {
	var f wire.ResultsFile
	rerr := a.pullSigned(ctx, wire.PathResults, settingResults, &f, func() (time.Time, []byte, error) {
		return f.At, f.Sig, f.Verify(a.cfg.EditionKey)
	}, func(raw string) (time.Time, bool) {
		var have wire.ResultsFile
		if json.Unmarshal([]byte(raw), &have) != nil || have.Verify(a.cfg.EditionKey) != nil {
			return time.Time{}, false
		}
		return have.At, true
	})
	var b wire.SignedBuilt
	berr := a.pullSigned(ctx, wire.PathBuilt, settingBuilt, &b, func() (time.Time, []byte, error) {
		return b.At, b.Sig, b.Verify(a.cfg.EditionKey)
	}, func(raw string) (time.Time, bool) {
		var have wire.SignedBuilt
		if json.Unmarshal([]byte(raw), &have) != nil || have.Verify(a.cfg.EditionKey) != nil {
			return time.Time{}, false
		}
		return have.At, true
	})
	return errors.Join(rerr, berr)
}

// pullSigned fetches one signed document into out, checks it (check gives
// its time and signature and whether it verifies) against the one kept
// under setting (kept gives its time), and keeps it.
func (a *Agent) pullSigned(ctx context.Context, path, setting string, out any, check func() (time.Time, []byte, error), kept func(string) (time.Time, bool)) error {
	code, err := a.civic(ctx, http.MethodGet, path, nil, out)
	if code == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	at, sig, err := check()
	if err != nil {
		a.cfg.Log.Warn("signed-refused", "what", setting, "err", err)
		return err
	}
	raw, _ := a.cfg.Queue.Setting(setting)
	if raw != "" {
		if haveAt, ok := kept(raw); ok {
			if at.Before(haveAt) {
				a.cfg.Log.Warn("signed-refused", "what", setting, "err", ErrResultsRollback)
				return fmt.Errorf("%s: %w", setting, ErrResultsRollback)
			}
		}
	}
	enc, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if raw != "" && bytes.Contains([]byte(raw), sigJSON(sig)) {
		return nil
	}
	if err := a.cfg.Queue.SetSetting(setting, string(enc)); err != nil {
		return err
	}
	a.cfg.Log.Info("signed-updated", "what", setting, "signed", at)
	return nil
}

// sigJSON is a signature as it appears in the documents' JSON.
func sigJSON(sig []byte) []byte {
	b, _ := json.Marshal(sig)
	return b
}
