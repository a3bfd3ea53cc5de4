package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// SignResults tallies the counted ballots, runs the audit, and signs the
// results' JSON with the edition key, recording the state the results are
// in with this signature: final only when every voting point is reconciled
// or signed off and the audit agrees; otherwise the document says
// provisional (or unverified) and s says why.
func SignResults(ctx context.Context, st store.Store, key ed25519.PrivateKey, seed string, now time.Time) (wire.ResultsFile, Status, error) {
	ed, rs, err := Results(ctx, st, seed)
	if err != nil {
		return wire.ResultsFile{}, Status{}, err
	}
	s, err := ResultsStatus(ctx, st, now, true, true)
	if err != nil {
		return wire.ResultsFile{}, Status{}, err
	}
	var b bytes.Buffer
	if err := WriteResults(&b, ed, rs, "json", "pl", now); err != nil {
		return wire.ResultsFile{}, Status{}, err
	}
	f := wire.ResultsFile{EditionKey: key.Public().(ed25519.PublicKey), SignedResults: wire.SignedResults{
		Edition: ed.ID, Catalog: ed.Version, At: now.UTC(), State: string(s.State), Results: b.Bytes()}}
	f.Sign(key)
	return f, s, nil
}
