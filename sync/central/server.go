// Package central is the central server: enrollment of kiosks, signed
// catalogs, idempotent ballot ingest with de-duplication across kiosks,
// heartbeats and the voter-status check, over a store.Store.
package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Config are the server's dependencies.
type Config struct {
	Store          store.Store
	EditionKey     ed25519.PublicKey // given to kiosks at enrollment
	VoterSecret    []byte            // the master secret: kiosks get the edition's (EditionSecret); never logged
	TLSFingerprint string
	Clock          func() time.Time
	Log            *slog.Logger
	// RatePerKiosk and Burst limit each kiosk's requests (10/s, burst 20).
	RatePerKiosk, Burst float64
	// CastSkew is how far outside the voting window a cast time may be,
	// for kiosk clocks that drift (10 minutes).
	CastSkew time.Duration
	// Limits keeps the enrollment limit's buckets (the store, so that
	// replicas share them); nil keeps them in this process.
	Limits limit.Backend
	// EnrollRule limits enrollment requests per address (burst 20, then 1 per 3 s).
	EnrollRule limit.Rule
	// TrustedProxies are the load balancers whose X-Forwarded-For names
	// the client for per-address limits.
	TrustedProxies []netip.Prefix
	// LookupsPerMinute and LookupBurst are each kiosk's budget of voter
	// lookups: a human pace (one resident takes well over a minute), so a
	// stolen kiosk key cannot ask about the whole city (4/min, burst 30).
	LookupsPerMinute, LookupBurst float64
}

// Server serves the API.
type Server struct {
	cfg Config

	mu       sync.Mutex
	editions map[int]*election.Edition // published catalog versions, decoded once each
	held     heldCache                 // the editions held (edition.go)
	limits   limit.Limiter             // per kiosk
	lookups  limit.Limiter             // voter lookups per kiosk
	enrolls  limit.Limiter             // per address
	Counters Counters
	metrics  apiMetrics // metrics.go

	overMu     sync.Mutex
	overBudget map[string]int // kiosk -> voter lookups refused beyond its budget

	audits auditCache
	checks fleetChecks // fleet.go
	watch  watch       // judge.go

	civic *KioskCivic // the stages before the vote (kioskcivic.go), nil: not served

	results *KioskResults // the stages after the vote (kioskresults.go), nil: not served
}

// OverBudget returns, per kiosk, how many voter lookups were refused
// beyond its budget since this process started (an alert on the fleet page).
func (s *Server) OverBudget() map[string]int {
	s.overMu.Lock()
	defer s.overMu.Unlock()
	out := make(map[string]int, len(s.overBudget))
	for k, v := range s.overBudget {
		out[k] = v
	}
	return out
}

// Counters are the ingest figures the metrics page shows.
type Counters struct {
	mu       sync.Mutex
	Received atomic.Int64
	Stored   atomic.Int64
	ByStatus map[wire.Status]int64
}

func (c *Counters) add(s wire.Status) {
	c.mu.Lock()
	if c.ByStatus == nil {
		c.ByStatus = map[wire.Status]int64{}
	}
	c.ByStatus[s]++
	c.mu.Unlock()
}

// Snapshot returns the counts by status.
func (c *Counters) Snapshot() map[wire.Status]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[wire.Status]int64{}
	for k, v := range c.ByStatus {
		out[k] = v
	}
	return out
}

// New returns a server.
func New(cfg Config) *Server {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.RatePerKiosk == 0 {
		cfg.RatePerKiosk, cfg.Burst = 10, 20
	}
	if cfg.CastSkew == 0 {
		cfg.CastSkew = 10 * time.Minute
	}
	if cfg.EnrollRule == (limit.Rule{}) {
		cfg.EnrollRule = limit.Rule{Rate: 1.0 / 3, Burst: 20}
	}
	if cfg.LookupsPerMinute == 0 {
		cfg.LookupsPerMinute, cfg.LookupBurst = 4, 30
	}
	return &Server{cfg: cfg, limits: limit.NewMemory(limit.Rule{Rate: cfg.RatePerKiosk, Burst: cfg.Burst}, cfg.Clock),
		lookups:    limit.NewMemory(limit.Rule{Rate: cfg.LookupsPerMinute / 60, Burst: cfg.LookupBurst}, cfg.Clock),
		enrolls:    limit.Ready(cfg.Limits, "enroll", cfg.EnrollRule, cfg.Clock),
		overBudget: map[string]int{}}
}

// Handler is the API's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PathEnroll, s.enroll)
	mux.HandleFunc("GET "+wire.PathCatalog, s.kiosk(s.countedCatalog(s.catalog)))
	mux.HandleFunc("POST "+wire.PathBallots, s.kiosk(s.ballots))
	mux.HandleFunc("POST "+wire.PathHeartbeat, s.kiosk(s.countedHeartbeat(s.heartbeat)))
	mux.HandleFunc("POST "+wire.PathClosing, s.kiosk(s.closing))
	mux.HandleFunc("GET "+wire.PathVoter+"{key}", s.kiosk(s.voter))
	if s.civic != nil {
		s.civic.routes(mux, s)
	}
	if s.results != nil {
		s.results.routes(mux, s)
	}
	return mux
}

// apiError writes a JSON error.
func apiError(w http.ResponseWriter, code int, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": reason})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) allow(kiosk string) bool {
	ok, _ := s.limits.Allow(context.Background(), kiosk) // in memory: never fails
	return ok
}

type kioskHandler func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte)

// kiosk authenticates a kiosk's signed request, limits its rate and body.
func (s *Server) kiosk(h kioskHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(wire.HeaderKiosk)
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
		if err != nil {
			apiError(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		k, err := s.cfg.Store.Kiosk(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			apiError(w, http.StatusUnauthorized, string(wire.UnknownKiosk))
			return
		}
		if err != nil {
			s.cfg.Log.Error("store-failed", "err", err)
			apiError(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
		if err := wire.VerifyRequest(r, k.PublicKey, body, s.cfg.Clock()); err != nil {
			apiError(w, http.StatusUnauthorized, err.Error())
			return
		}
		if !k.Revoked.IsZero() {
			s.cfg.Log.Warn("revoked-kiosk-refused", "kiosk", k.ID, "path", r.URL.Path)
			apiError(w, http.StatusForbidden, string(wire.RevokedKiosk))
			return
		}
		if !s.allow(id) {
			w.Header().Set("Retry-After", "1")
			apiError(w, http.StatusTooManyRequests, "too many requests")
			return
		}
		h(w, r, k, body)
	}
}

// newID makes a kiosk id.
func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "k-" + hex.EncodeToString(b)
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	if !s.allowAddr(w, r, s.enrolls) {
		apiError(w, http.StatusTooManyRequests, "too many requests")
		return
	}
	var req wire.EnrollRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || len(req.PublicKey) != ed25519.PublicKeySize {
		apiError(w, http.StatusBadRequest, "malformed enrollment request")
		return
	}
	// the voter-key secret is the running edition's: none before a catalog
	ed, err := s.current(r.Context())
	if errors.Is(err, store.ErrNotFound) {
		apiError(w, http.StatusConflict, "no catalog published: publish the edition before enrolling kiosks")
		return
	}
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	venue, err := s.cfg.Store.UseEnrollCode(r.Context(), req.Code, s.cfg.Clock())
	if err != nil {
		apiError(w, http.StatusForbidden, "enrollment code unknown, used or expired")
		return
	}
	k := store.Kiosk{ID: newID(), Venue: venue, PublicKey: req.PublicKey, Enrolled: s.cfg.Clock()}
	if err := s.cfg.Store.AddKiosk(r.Context(), k); err != nil {
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	s.cfg.Log.Info("kiosk-enrolled", "kiosk", k.ID, "venue", venue)
	writeJSON(w, wire.EnrollResponse{KioskID: k.ID, Venue: venue, EditionKey: s.cfg.EditionKey,
		VoterSecret: EditionSecret(s.cfg.VoterSecret, ed.ID), TLSFingerprint: s.cfg.TLSFingerprint})
}

func (s *Server) catalog(w http.ResponseWriter, r *http.Request, _ store.Kiosk, _ []byte) {
	// kiosks follow the edition in force: its latest catalog
	h, err := s.inForce(r.Context())
	c := h.Catalog
	if errors.Is(err, store.ErrNotFound) {
		apiError(w, http.StatusNotFound, "no catalog published")
		return
	}
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	etag := `"v` + itoa(c.Version) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, c)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// editionAt returns the edition of one published catalog version.
func (s *Server) editionAt(ctx context.Context, version int) (*election.Edition, error) {
	s.mu.Lock()
	e, ok := s.editions[version]
	s.mu.Unlock()
	if ok {
		return e, nil
	}
	c, err := s.cfg.Store.CatalogAt(ctx, version)
	if err != nil {
		return nil, err
	}
	return s.editionOf(c)
}

// current returns the edition in force of those held (edition.go).
func (s *Server) current(ctx context.Context) (*election.Edition, error) {
	h, err := s.inForce(ctx)
	return h.Edition, err
}

// editionOf decodes a catalog's edition, once per version: a published
// version never changes.
func (s *Server) editionOf(c wire.Catalog) (*election.Edition, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.editions[c.Version]; ok {
		return e, nil
	}
	e, err := election.DecodeEdition(bytes.NewReader(c.Edition))
	if err != nil {
		return nil, err
	}
	if s.editions == nil {
		s.editions = map[int]*election.Edition{}
	}
	s.editions[c.Version] = e
	return e, nil
}

func (s *Server) ballots(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
	batch, err := wire.DecodeBatch(bytes.NewReader(body))
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, wire.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		apiError(w, code, err.Error())
		return
	}
	results, err := s.measuredIngest(r.Context(), k, batch.Ballots)
	if err != nil {
		s.cfg.Log.Error("ingest-failed", "err", err)
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	if err := s.withhold(r.Context(), k, results); err != nil { // guard.go: no "who voted" beyond the budget
		s.cfg.Log.Error("ingest-failed", "err", err)
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	writeJSON(w, wire.BatchResponse{Results: results})
}

// Ingest checks a kiosk's ballots and stores the valid ones; online sync
// and USB import both come through here, so both are idempotent alike.
func (s *Server) Ingest(ctx context.Context, k store.Kiosk, bs []wire.SealedBallot) ([]wire.Result, error) {
	ed, err := s.current(ctx)
	if err != nil {
		return nil, fmt.Errorf("no catalog: %w", err)
	}
	var results []wire.Result
	var holds []store.Hold
	if !k.Revoked.IsZero() {
		// a stolen kiosk can sign anything: nothing of it is checked or stored
		results = make([]wire.Result, len(bs))
		for i, b := range bs {
			results[i] = wire.Result{ID: b.ID, Seq: b.Seq, Status: wire.RevokedKiosk}
		}
	} else {
		// A ballot is judged by the catalog the resident saw: a kiosk takes
		// up a new catalog only between residents, ballots wait in its
		// queue, and a project withdrawn meanwhile must not cost a resident
		// the vote. Unknown versions are refused.
		versions := map[int]*election.Edition{}
		for _, b := range bs {
			if _, ok := versions[b.Catalog]; !ok {
				e, err := s.editionAt(ctx, b.Catalog)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				versions[b.Catalog] = e // nil when never published
			}
		}
		results = s.check(ctx, k, ed, versions, bs)
		if holds, err = s.judge(ctx, k, ed, bs, results); err != nil {
			return nil, err
		}
	}
	var ok []wire.SealedBallot
	var okHolds []store.Hold
	var at []int
	for i, res := range results {
		if res.Status == "" {
			ok = append(ok, bs[i])
			at = append(at, i)
			if holds != nil {
				okHolds = append(okHolds, holds[i])
			}
		}
	}
	if len(ok) > 0 {
		before, err := s.mayDisplace(ctx, k, ok, okHolds) // judge.go
		if err != nil {
			return nil, err
		}
		statuses, err := s.cfg.Store.AddBallots(ctx, ok, okHolds, s.cfg.Clock())
		if err != nil {
			return nil, err
		}
		displaced := 0
		seqs := map[uint64]bool{}
		for j, st := range statuses {
			if st == wire.Accepted && before[j] {
				displaced++
			}
			results[at[j]].Status = st
			if st == wire.Contested && results[at[j]].Reason == "" {
				results[at[j]].Reason = string(store.HoldContested)
			}
			if st != wire.Contested {
				results[at[j]].Reason = ""
			}
			if st.Stored() {
				seqs[ok[j].Seq] = true
			}
		}
		if err := s.flagForged(ctx, k, seqs); err != nil { // judge.go
			return nil, err
		}
		if err := s.flagDisplaced(ctx, k, displaced); err != nil { // judge.go
			return nil, err
		}
	}
	s.watch.add(k.ID, results)
	s.Counters.Received.Add(int64(len(results)))
	for _, res := range results {
		s.Counters.add(res.Status)
		if res.Status.Stored() {
			s.Counters.Stored.Add(1)
		}
	}
	return results, nil
}

// check verifies each ballot (signatures in parallel) and returns the
// results; an empty Status means "valid, store it".
func (s *Server) check(ctx context.Context, k store.Kiosk, ed *election.Edition, versions map[int]*election.Edition, bs []wire.SealedBallot) []wire.Result {
	results := make([]wire.Result, len(bs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(bs); i += workers {
				results[i] = s.checkOne(k, ed, versions[bs[i].Catalog], &bs[i])
			}
		}()
	}
	wg.Wait()
	known := map[string]bool{}
	for i, b := range bs {
		if results[i].Status != wire.WrongKiosk {
			continue
		}
		// a ballot of another kiosk: replayed, or from a kiosk we do not know
		if _, seen := known[b.Kiosk]; !seen {
			_, err := s.cfg.Store.Kiosk(ctx, b.Kiosk)
			known[b.Kiosk] = err == nil
		}
		if !known[b.Kiosk] {
			results[i].Status = wire.UnknownKiosk
		}
	}
	return results
}

// checkOne checks one ballot against the latest edition (which edition is
// running) and against cast, the catalog version it was cast under (its
// rules and voting window); cast is nil when that version is unknown.
func (s *Server) checkOne(k store.Kiosk, ed, cast *election.Edition, b *wire.SealedBallot) wire.Result {
	res := wire.Result{ID: b.ID, Seq: b.Seq}
	switch {
	case b.Kiosk != k.ID:
		res.Status = wire.WrongKiosk
	case b.Verify(k.PublicKey) != nil:
		res.Status = wire.BadSignature
	case cast == nil || cast.ID != b.Edition:
		// judged by the edition it was cast under, one of those held
		res.Status = wire.WrongEdition
	case b.CastAt.Before(cast.Opens.Add(-s.cfg.CastSkew)) || b.CastAt.After(cast.Closes.Add(s.cfg.CastSkew)):
		res.Status = wire.OutsideWindow
	default:
		if ps := cast.Validate(election.Ballot{Edition: b.Edition, District: b.District, Selections: b.Selections}); len(ps) > 0 {
			res.Status, res.Reason = wire.Invalid, ps[0].Key
		}
	}
	return res
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
	var hb wire.Heartbeat
	if err := json.Unmarshal(body, &hb); err != nil {
		apiError(w, http.StatusBadRequest, "malformed heartbeat")
		return
	}
	reason := heartbeatProblem(hb)
	if reason == "" && len(hb.HeadID) > 128 {
		reason = "headID longer than 128 bytes"
	}
	if reason != "" {
		s.cfg.Log.Warn("heartbeat-refused", "kiosk", k.ID, "reason", reason)
		apiError(w, http.StatusBadRequest, "heartbeat refused: "+reason)
		return
	}
	now := s.cfg.Clock()
	if err := s.commitment(r.Context(), k, &hb, now); err != nil { // guard.go: no absurd commitment
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	if err := s.cfg.Store.RecordHeartbeat(r.Context(), k.ID, hb, now); err != nil {
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	if hb.HeadID != "" {
		if err := s.flagForged(r.Context(), k, map[uint64]bool{hb.LastSeq: true}); err != nil { // judge.go
			apiError(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
	}
	resp := wire.HeartbeatResponse{CentralTime: now}
	if h, err := s.inForce(r.Context()); err == nil {
		resp.Catalog = h.Catalog.Version
	}
	writeJSON(w, resp)
}

// ErrLookupBudget is the answer to a voter lookup beyond the kiosk's budget.
const ErrLookupBudget = "voter-lookup-budget"

func (s *Server) voter(w http.ResponseWriter, r *http.Request, k store.Kiosk, _ []byte) {
	key, err := hex.DecodeString(strings.TrimSpace(r.PathValue("key")))
	if err != nil || len(key) != 32 {
		apiError(w, http.StatusBadRequest, "malformed voter key")
		return
	}
	if ok, _ := s.lookups.Allow(r.Context(), k.ID); !ok {
		// no human pace asks this often: answer nothing, and tell the office
		s.overMu.Lock()
		s.overBudget[k.ID]++
		n := s.overBudget[k.ID]
		s.overMu.Unlock()
		if n == 1 || n%100 == 0 {
			s.cfg.Log.Warn("voter-lookup-over-budget", "kiosk", k.ID, "refused", n)
		}
		w.Header().Set("Retry-After", "15")
		apiError(w, http.StatusTooManyRequests, ErrLookupBudget)
		return
	}
	voted, err := s.cfg.Store.VoterCounted(r.Context(), key)
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	vs := wire.VoterStatus{Voted: voted}
	if ed, err := s.current(r.Context()); err == nil && ed.AdmissionPolicy() == election.IssuedCodes {
		ok, err := s.cfg.Store.Admitted(r.Context(), store.ListIssuedCodes, key)
		if err != nil {
			apiError(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
		vs.NotAdmitted = !ok
	}
	writeJSON(w, vs)
}
