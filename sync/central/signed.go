package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// SignResults is PublishResults with no replacement and the default logger.
func SignResults(ctx context.Context, st store.Store, key ed25519.PrivateKey, seed string, now time.Time) (wire.ResultsFile, Status, error) {
	return PublishResults(ctx, st, key, seed, now, "", slog.Default())
}

// PublishResults tallies the counted ballots, runs the audit, and signs
// the results' JSON with the edition key, recording the state the results
// are in with this signature: final only when every voting point is
// reconciled or signed off and the audit agrees; otherwise the document
// says provisional (or unverified) and s says why.
//
// Final results are kept in the store, and the public page serves them.
// Signing again gives back the kept document while the count is the same;
// when it changed since (a late ballot, a sign-off), signing is refused
// with a *ChangedError that says what changed, unless replace gives the
// recorded reason for publishing corrected results.
func PublishResults(ctx context.Context, st store.Store, key ed25519.PrivateKey, seed string, now time.Time, replace string, log *slog.Logger) (wire.ResultsFile, Status, error) {
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
	fp := wire.KeyFingerprint(f.EditionKey)
	if s.State != election.Final {
		log.Info("results-signed", "state", s.State, "kept", false, "problems", problemKeys(s.Problems), "fingerprint", fp)
		return f, s, nil
	}
	kept, err := KeptResults(ctx, st)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return wire.ResultsFile{}, Status{}, err
	}
	if kept != nil {
		changes := compareResults(kept, ed, rs)
		if len(changes) == 0 {
			log.Info("results-final-unchanged", "edition", ed.ID, "catalog", ed.Version, "signed", kept.File.At, "fingerprint", fp)
			return kept.File, s, nil
		}
		if replace == "" {
			log.Warn("results-resign-refused", "edition", ed.ID, "signed", kept.File.At, "changed", len(changes))
			return wire.ResultsFile{}, s, &ChangedError{SignedAt: kept.File.At, Loc: ed.Location(), Changes: changes}
		}
	}
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return wire.ResultsFile{}, Status{}, err
	}
	if err := st.PutSignedResults(ctx, store.SignedResults{At: now, State: string(s.State), Reason: replace, File: append(raw, '\n')}); err != nil {
		return wire.ResultsFile{}, Status{}, err
	}
	if kept != nil {
		log.Warn("results-final-replaced", "edition", ed.ID, "catalog", ed.Version, "was", kept.File.At, "reason", replace, "fingerprint", fp)
	} else {
		log.Info("results-final", "edition", ed.ID, "catalog", ed.Version, "fingerprint", fp)
	}
	return f, s, nil
}

func problemKeys(ps election.Problems) string {
	var keys []string
	for _, p := range ps {
		keys = append(keys, p.Key)
	}
	return strings.Join(keys, ",")
}

// ErrResultsChanged: final results were signed and kept, and the count
// has changed since; they are not signed again without a reason.
var ErrResultsChanged = errors.New("final results were signed and the count has changed since")

// ChangedError says when the kept final results were signed and what
// changed since, pool by pool.
type ChangedError struct {
	SignedAt time.Time
	Loc      *time.Location // the edition's zone, for the sentence
	Changes  []PoolChange
}

// PoolChange is one pool whose count differs from the signed results.
type PoolChange struct {
	Pool                   string
	VotersWas, VotersNow   int
	WinnersWas, WinnersNow []string
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%v (signed %s, %d pools differ)", ErrResultsChanged, e.SignedAt.Format(time.RFC3339), len(e.Changes))
}

// Is makes errors.Is(err, ErrResultsChanged) hold.
func (e *ChangedError) Is(target error) bool { return target == ErrResultsChanged }

// Kept is the latest signed final results document the store keeps: its
// bytes as served, the file, and its pools.
type Kept struct {
	Raw    []byte
	File   wire.ResultsFile
	Reason string
	Pools  []PoolResult
}

// KeptResults returns the latest kept signed results (ErrNotFound when
// none is), checked: it verifies under the key in it, and the latest
// catalog verifies under that key too, so that a document is served only
// when it is signed by the key the voting points printed.
func KeptResults(ctx context.Context, st store.Store) (*Kept, error) {
	d, err := st.LatestSignedResults(ctx)
	if err != nil {
		return nil, err
	}
	k := &Kept{Raw: d.File, Reason: d.Reason}
	if err := json.Unmarshal(d.File, &k.File); err != nil {
		return nil, fmt.Errorf("kept results: %w", err)
	}
	if err := k.File.Verify(k.File.EditionKey); err != nil {
		return nil, fmt.Errorf("kept results: %w", err)
	}
	c, err := st.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Verify(k.File.EditionKey, 0); err != nil {
		return nil, fmt.Errorf("kept results are not signed by the catalog's key: %w", err)
	}
	var doc struct {
		Pools []PoolResult `json:"pools"`
	}
	if err := json.Unmarshal(k.File.Results, &doc); err != nil {
		return nil, fmt.Errorf("kept results: %w", err)
	}
	k.Pools = doc.Pools
	return k, nil
}

// compareResults lists the pools whose outcome differs between the kept
// document and rs (the catalog version counts as a change of every pool).
func compareResults(k *Kept, ed *election.Edition, rs []PoolResult) []PoolChange {
	was := map[string]PoolResult{}
	for _, p := range k.Pools {
		was[p.Pool] = p
	}
	var out []PoolChange
	for _, r := range rs {
		old, ok := was[r.Pool]
		delete(was, r.Pool)
		a, _ := json.Marshal(old)
		b, _ := json.Marshal(r)
		if ok && k.File.Catalog == ed.Version && bytes.Equal(a, b) {
			continue
		}
		out = append(out, PoolChange{Pool: r.Pool, VotersWas: old.Voters, VotersNow: r.Voters, WinnersWas: old.Result.Winners, WinnersNow: r.Result.Winners})
	}
	for _, old := range was {
		out = append(out, PoolChange{Pool: old.Pool, VotersWas: old.Voters, WinnersWas: old.Result.Winners})
	}
	return out
}

// Current says whether the kept results are the results of ed as
// tallied now (rs): only then may a page call them final.
func (k *Kept) Current(ed *election.Edition, rs []PoolResult) bool {
	return k != nil && len(compareResults(k, ed, rs)) == 0
}
