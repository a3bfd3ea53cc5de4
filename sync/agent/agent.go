// Package agent is the kiosk's side of sync: it drains the ballot queue to
// the central in batches and marks only what the central answered, backs
// off with jitter while the central is away (the kiosk keeps taking votes),
// pulls signed catalogs and refuses older ones, and sends heartbeats.
package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Config are the agent's dependencies.
type Config struct {
	URL        string
	Client     *http.Client
	Queue      *queue.Queue
	EditionKey []byte
	// Catalog returns the installed catalog version; Install installs a
	// verified newer one.
	Catalog func() int
	Install func(wire.Catalog) error
	// InstallTimeline hears of each verified newer timeline (civic.go).
	InstallTimeline func(wire.Timeline)
	// Heartbeat fills the parts of the report only the kiosk knows (printer, disk).
	Heartbeat func() wire.Heartbeat
	Clock     func() time.Time
	Log       *slog.Logger
	Batch     int
	// Backoff between failed attempts: from MinBackoff doubling to MaxBackoff, with jitter.
	MinBackoff, MaxBackoff time.Duration
	Every                  time.Duration // how often to look for pending ballots
	HeartbeatEvery         time.Duration
	CatalogEvery           time.Duration
}

// Agent syncs one kiosk.
type Agent struct {
	cfg     Config
	mu      sync.Mutex
	last    time.Time // last successful contact
	revoked bool      // the central said the city office revoked this kiosk

	evalMu sync.Mutex // the evaluation counts (evaluation.go)
}

// New returns an agent with defaults filled in.
func New(cfg Config) *Agent {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Batch == 0 {
		cfg.Batch = wire.MaxBatch
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.Every == 0 {
		cfg.Every = time.Second
	}
	if cfg.HeartbeatEvery == 0 {
		cfg.HeartbeatEvery = time.Minute
	}
	if cfg.CatalogEvery == 0 {
		cfg.CatalogEvery = 5 * time.Minute
	}
	if cfg.Catalog == nil {
		cfg.Catalog = func() int { return 0 }
	}
	return &Agent{cfg: cfg}
}

// LastSync is the last time the central answered.
func (a *Agent) LastSync() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// Revoked reports whether the central refused this kiosk as revoked.
func (a *Agent) Revoked() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.revoked
}

func (a *Agent) contact() {
	a.mu.Lock()
	a.last = a.cfg.Clock()
	a.mu.Unlock()
}

// Errors the agent reports.
var (
	ErrRefused = errors.New("the central refused the request")
	ErrRevoked = errors.New("the city office revoked this kiosk")
	ErrStatus  = errors.New("unexpected answer from the central")
)

// do sends a signed request and decodes a JSON answer into out.
func (a *Agent) do(ctx context.Context, method, path string, body []byte, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(a.cfg.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	wire.SignRequest(req, a.cfg.Queue.KioskID(), a.cfg.Queue.Sign, body, a.cfg.Clock())
	resp, err := a.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxBodyBytes))
	if err != nil {
		return resp.StatusCode, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return resp.StatusCode, nil
	case resp.StatusCode == http.StatusForbidden && strings.Contains(string(raw), string(wire.RevokedKiosk)):
		a.mu.Lock()
		a.revoked = true
		a.mu.Unlock()
		return resp.StatusCode, fmt.Errorf("%w: %w", ErrRefused, ErrRevoked)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return resp.StatusCode, fmt.Errorf("%w: %s", ErrRefused, strings.TrimSpace(string(raw)))
	case resp.StatusCode != http.StatusOK:
		return resp.StatusCode, fmt.Errorf("%w: %s %s", ErrStatus, resp.Status, strings.TrimSpace(string(raw)))
	}
	a.contact()
	if out == nil {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.Unmarshal(raw, out)
}

// SyncOnce sends every pending ballot, batch by batch, and marks each one
// as the central answered it. It returns how many the central stored.
func (a *Agent) SyncOnce(ctx context.Context) (int, error) {
	stored := 0
	for {
		pending, err := a.cfg.Queue.Pending(a.cfg.Batch)
		if err != nil || len(pending) == 0 {
			return stored, err
		}
		body, err := json.Marshal(wire.BallotBatch{Ballots: pending})
		if err != nil {
			return stored, err
		}
		var resp wire.BatchResponse
		if _, err := a.do(ctx, http.MethodPost, wire.PathBallots, body, &resp); err != nil {
			return stored, err
		}
		sent := map[string]uint64{}
		for _, b := range pending {
			sent[b.ID] = b.Seq
		}
		var ok []uint64
		rejected := map[string][]uint64{}
		for _, r := range resp.Results {
			seq, mine := sent[r.ID]
			if !mine {
				continue // not an answer to what we sent
			}
			if r.Status == wire.SeqAhead {
				continue // stays pending: sent again once the numbers before it arrive
			}
			if r.Status.Stored() {
				ok = append(ok, seq)
			} else {
				reason := string(r.Status)
				if r.Reason != "" {
					reason += ": " + r.Reason
				}
				rejected[reason] = append(rejected[reason], seq)
			}
		}
		if len(ok) > 0 {
			if err := a.cfg.Queue.Mark(queue.Accepted, "", ok...); err != nil {
				return stored, err
			}
		}
		for reason, seqs := range rejected {
			a.cfg.Log.Warn("ballots-rejected", "count", len(seqs), "reason", reason)
			if err := a.cfg.Queue.Mark(queue.Rejected, reason, seqs...); err != nil {
				return stored, err
			}
		}
		stored += len(ok)
		if len(ok)+len(rejected) == 0 {
			return stored, fmt.Errorf("%w: no answer for the batch", ErrStatus)
		}
	}
}

// PullCatalog fetches the central's catalog and installs it when it is
// newer and its signature verifies. An older catalog is refused.
func (a *Agent) PullCatalog(ctx context.Context) error {
	var c wire.Catalog
	code, err := a.do(ctx, http.MethodGet, wire.PathCatalog, nil, &c)
	if err != nil || code == http.StatusNotModified {
		return err
	}
	have := a.cfg.Catalog()
	if err := c.Verify(a.cfg.EditionKey, have); err != nil {
		a.cfg.Log.Warn("catalog-refused", "version", c.Version, "have", have, "err", err)
		return err
	}
	if c.Version == have || a.cfg.Install == nil {
		return nil
	}
	if err := a.cfg.Install(c); err != nil {
		return err
	}
	a.cfg.Queue.Log(queue.Event{Name: queue.EventCatalogUpdated, OK: true, Detail: fmt.Sprint(c.Version)})
	a.cfg.Log.Info("catalog-updated", "version", c.Version)
	return nil
}

// SendHeartbeat reports the kiosk's state; it returns the clock skew
// (kiosk minus central).
func (a *Agent) SendHeartbeat(ctx context.Context) (time.Duration, error) {
	var hb wire.Heartbeat
	if a.cfg.Heartbeat != nil {
		hb = a.cfg.Heartbeat()
	}
	st, err := a.cfg.Queue.Stats(time.Time{})
	if err != nil {
		return 0, err
	}
	hb.QueueDepth, hb.OldestPending, hb.LastSeq, hb.Catalog = st.Pending, st.OldestPending, st.LastSeq, a.cfg.Catalog()
	hb.HeadID = st.Head // the signed commitment to the chain so far
	hb.KioskTime = a.cfg.Clock()
	body, _ := json.Marshal(hb)
	var resp wire.HeartbeatResponse
	if _, err := a.do(ctx, http.MethodPost, wire.PathHeartbeat, body, &resp); err != nil {
		return 0, err
	}
	return hb.KioskTime.Sub(resp.CentralTime), nil
}

// Voted asks the central whether a voter already has a counted ballot
// (session.VoterCheck).
func (a *Agent) Voted(ctx context.Context, voter election.VoterKey) (bool, error) {
	vs, err := a.VoterStatus(ctx, voter)
	return vs.Voted, err
}

// VoterStatus asks the central whether a voter already has a counted
// ballot and whether the edition admits them (an issued code, a register
// entry): the kiosk refuses a code the central never issued.
func (a *Agent) VoterStatus(ctx context.Context, voter election.VoterKey) (wire.VoterStatus, error) {
	var vs wire.VoterStatus
	_, err := a.do(ctx, http.MethodGet, wire.PathVoter+voter.String(), nil, &vs)
	return vs, err
}

// Run syncs until ctx ends: pending ballots every Every, with backoff on
// failure; a heartbeat every HeartbeatEvery; the catalog every CatalogEvery.
func (a *Agent) Run(ctx context.Context) {
	failures := 0
	var nextHeartbeat, nextCatalog time.Time
	for {
		now := a.cfg.Clock()
		if !now.Before(nextCatalog) {
			if err := a.PullCatalog(ctx); err == nil {
				nextCatalog = now.Add(a.cfg.CatalogEvery)
			}
			a.PullTimeline(ctx) // with the catalog: before the list is published, the only news
			a.PullResults(ctx)  // the signed final results and what the winners became

		}
		// the closing report first: small, and it tells the central how
		// many ballots are still on their way
		_, cerr := a.SendClosing(ctx)
		n, err := a.SyncOnce(ctx)
		if n > 0 {
			a.cfg.Log.Info("ballots-synced", "count", n)
		}
		if err == nil {
			err = cerr
		}
		if err == nil && !now.Before(nextHeartbeat) {
			if _, err = a.SendHeartbeat(ctx); err == nil {
				nextHeartbeat = now.Add(a.cfg.HeartbeatEvery)
				a.SendEvaluations(ctx) // batched answers to "how easy was it to vote?"
			}
		}
		wait := a.cfg.Every
		if err != nil {
			failures++
			wait = a.backoff(failures)
			a.cfg.Log.Warn("sync-failed", "attempt", failures, "retry_in", wait.Round(time.Millisecond), "err", err)
		} else {
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// backoff is the wait after n failures: doubling from MinBackoff up to
// MaxBackoff, each time a random half to whole of it (jitter, so that a
// fleet of kiosks does not return at the same moment).
func (a *Agent) backoff(n int) time.Duration {
	d := a.cfg.MinBackoff << min(n-1, 20)
	d = min(d, a.cfg.MaxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// PinnedClient is an HTTPS client that trusts only the certificate whose
// SHA-256 fingerprint (hex, as urna-central prints it) is pin.
func PinnedClient(pin string) *http.Client {
	pin = strings.ToLower(strings.ReplaceAll(pin, ":", ""))
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // the pin below is the verification
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if hex.EncodeToString(sum[:]) != pin {
				return fmt.Errorf("certificate fingerprint %x does not match the pin", sum)
			}
			return nil
		},
	}}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Fingerprint is the SHA-256 fingerprint of a certificate, as pinned.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// Enroll enrolls the kiosk: it sends the queue's public key and the code,
// and records the kiosk id the central gives.
func Enroll(ctx context.Context, client *http.Client, url, code string, q *queue.Queue) (wire.EnrollResponse, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	body, _ := json.Marshal(wire.EnrollRequest{Code: code, PublicKey: q.PublicKey()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(url, "/")+wire.PathEnroll, bytes.NewReader(body))
	if err != nil {
		return wire.EnrollResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return wire.EnrollResponse{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return wire.EnrollResponse{}, fmt.Errorf("%w: %s %s", ErrRefused, resp.Status, strings.TrimSpace(string(raw)))
	}
	var er wire.EnrollResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&er); err != nil {
		return er, err
	}
	if err := q.SetKioskID(er.KioskID); err != nil {
		return er, err
	}
	q.Log(queue.Event{Name: queue.EventEnrolled, OK: true, Detail: er.KioskID})
	return er, nil
}
