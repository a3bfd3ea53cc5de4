package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// demoEdition is the demo edition open now.
func demoEdition(t testing.TB) []byte {
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	var b bytes.Buffer
	election.EncodeEdition(&b, ed)
	return b.Bytes()
}

// rig is a central on loopback with a published catalog.
type rig struct {
	t    testing.TB
	st   store.Store
	srv  *central.Server
	http *httptest.Server
	keys central.Keys
	ed   *election.Edition
}

func newRig(t testing.TB, st store.Store) *rig {
	dir := t.TempDir()
	if err := central.Init(dir); err != nil {
		t.Fatal(err)
	}
	keys, _ := central.LoadKeys(dir)
	ctx := context.Background()
	if _, err := central.Publish(ctx, st, keys, demoEdition(t)); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Catalog(ctx)
	ed, _ := election.DecodeEdition(bytes.NewReader(c.Edition))
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		RatePerKiosk: 1000, Burst: 1000})
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	return &rig{t: t, st: st, srv: srv, http: h, keys: keys, ed: ed}
}

// kiosk is an enrolled kiosk with its queue and agent.
type kiosk struct {
	q  *queue.Queue
	a  *agent.Agent
	er wire.EnrollResponse
}

func (r *rig) kiosk(url string) *kiosk { return r.kioskAt(url, queue.Options{}) }

func (r *rig) kioskWith(o queue.Options) *kiosk { return r.kioskAt("", o) }

func (r *rig) kioskAt(url string, o queue.Options) *kiosk {
	r.t.Helper()
	if url == "" {
		url = r.http.URL
	}
	ctx := context.Background()
	code, err := central.NewEnrollCode(ctx, r.st, "nck", time.Hour, time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	q, err := queue.Open(filepath.Join(r.t.TempDir(), "kiosk.db"), o)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { q.Close() })
	er, err := agent.Enroll(ctx, nil, url, code, q)
	if err != nil {
		r.t.Fatal(err)
	}
	a := agent.New(agent.Config{URL: url, Queue: q, EditionKey: er.EditionKey, MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	return &kiosk{q: q, a: a, er: er}
}

// ballot is a valid 3-2-1 ballot for the demo edition's district d18.
func ballot(ed *election.Edition) election.Ballot {
	b := election.Ballot{Edition: ed.ID, District: "d18"}
	for _, pool := range []string{"city", "d18"} {
		ps := ed.ProjectsIn(pool)
		b.Selections = append(b.Selections, election.Selection{Pool: pool, Choices: []election.Choice{
			{Project: ps[0].ID, Points: 3}, {Project: ps[1].ID, Points: 2}, {Project: ps[2].ID, Points: 1}}})
	}
	return b
}

func pesel(i int) string {
	s := fmt.Sprintf("%02d%02d%02d%04d", 50+i%50, 1+i/50%12, 1+i/600%28, i%10000)
	w := []int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for j := range w {
		sum += int(s[j]-'0') * w[j]
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

func (k *kiosk) vote(t testing.TB, ed *election.Edition, i int) wire.SealedBallot {
	id := election.Identity{Kind: election.ByPESEL, Value: pesel(i), Resident: true}
	s, err := k.q.Append(ballot(ed), election.NewVoterKey(k.er.VoterSecret, id), ed.Version)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bolt(t testing.TB) store.Store {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSyncAndStatuses(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	for i := range 30 {
		k.vote(t, r.ed, i)
	}
	n, err := k.a.SyncOnce(context.Background())
	if err != nil || n != 30 {
		t.Fatalf("synced %d: %v", n, err)
	}
	st, _ := k.q.Stats(time.Time{})
	if st.Pending != 0 || st.Accepted != 30 {
		t.Fatalf("queue %+v", st)
	}
	// The same voter at a second kiosk, later: stored as a duplicate.
	k2 := r.kiosk("")
	voted, err := k2.a.Voted(context.Background(), election.NewVoterKey(k2.er.VoterSecret, election.Identity{Kind: election.ByPESEL, Value: pesel(3)}))
	if err != nil || !voted {
		t.Fatalf("voter status: %v %v", voted, err)
	}
	k2.vote(t, r.ed, 3)
	k2.a.SyncOnce(context.Background())
	total, counted, _ := r.st.Counts(context.Background())
	if total != 31 || counted != 30 {
		t.Fatalf("central holds %d, counts %d", total, counted)
	}
	if r.srv.Counters.Snapshot()[wire.Duplicate] != 1 {
		t.Fatalf("counters %v", r.srv.Counters.Snapshot())
	}
	// heartbeat and catalog
	skew, err := k.a.SendHeartbeat(context.Background())
	if err != nil || skew > time.Second || skew < -time.Second {
		t.Fatalf("heartbeat: %v %v", skew, err)
	}
	ks, _ := r.st.Kiosk(context.Background(), k.q.KioskID())
	if ks.Heartbeat.LastSeq != 30 || ks.LastSeen.IsZero() {
		t.Fatalf("heartbeat stored: %+v", ks)
	}
}

// post sends a signed request as a kiosk would, with full control.
func post(t testing.TB, url, path, kioskID string, sign func([]byte) []byte, body []byte) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodPost, url+path, bytes.NewReader(body))
	if sign != nil {
		wire.SignRequest(req, kioskID, sign, body, time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp, b.Bytes()
}

func TestRejections(t *testing.T) {
	r := newRig(t, bolt(t))
	a, b := r.kiosk(""), r.kiosk("")
	good := a.vote(t, r.ed, 1)
	batch := func(bs ...wire.SealedBallot) []byte {
		raw, _ := json.Marshal(wire.BallotBatch{Ballots: bs})
		return raw
	}
	status := func(raw []byte) wire.Result {
		var br wire.BatchResponse
		json.Unmarshal(raw, &br)
		if len(br.Results) != 1 {
			t.Fatalf("answer %s", raw)
		}
		return br.Results[0]
	}
	// A forged signature: the content changed after sealing.
	forged := good
	forged.District = "d01"
	_, raw := post(t, r.http.URL, wire.PathBallots, a.q.KioskID(), a.q.Sign, batch(forged))
	if s := status(raw); s.Status != wire.BadSignature {
		t.Errorf("forged: %+v", s)
	}
	// Kiosk A's ballot replayed by kiosk B.
	_, raw = post(t, r.http.URL, wire.PathBallots, b.q.KioskID(), b.q.Sign, batch(good))
	if s := status(raw); s.Status != wire.WrongKiosk {
		t.Errorf("replayed by another kiosk: %+v", s)
	}
	// A ballot naming a kiosk nobody enrolled, sent by B.
	ghost := good
	ghost.Kiosk = "k-ghost"
	_, raw = post(t, r.http.URL, wire.PathBallots, b.q.KioskID(), b.q.Sign, batch(ghost))
	if s := status(raw); s.Status != wire.UnknownKiosk {
		t.Errorf("unknown kiosk in ballot: %+v", s)
	}
	// An unknown kiosk sending: refused whole.
	_, key, _ := ed25519.GenerateKey(nil)
	resp, _ := post(t, r.http.URL, wire.PathBallots, "k-nobody", func(m []byte) []byte { return ed25519.Sign(key, m) }, batch(good))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown kiosk: %s", resp.Status)
	}
	// Unsigned and wrongly signed requests.
	if resp, _ := post(t, r.http.URL, wire.PathBallots, a.q.KioskID(), nil, batch(good)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: %s", resp.Status)
	}
	if resp, _ := post(t, r.http.URL, wire.PathBallots, a.q.KioskID(), b.q.Sign, batch(good)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed by another key: %s", resp.Status)
	}
	// An oversized body.
	huge := bytes.Repeat([]byte(" "), wire.MaxBodyBytes+10)
	if resp, _ := post(t, r.http.URL, wire.PathBallots, a.q.KioskID(), a.q.Sign, huge); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %s", resp.Status)
	}
	// Malformed JSON.
	if resp, _ := post(t, r.http.URL, wire.PathBallots, a.q.KioskID(), a.q.Sign, []byte(`{"ballots":[{`)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed: %s", resp.Status)
	}
	// Wrong edition and an invalid ballot, sealed properly by A.
	for name, want := range map[string]wire.Status{"edition": wire.WrongEdition, "invalid": wire.Invalid} {
		bal, voter := ballot(r.ed), election.VoterKey{1}
		if name == "edition" {
			voter = election.VoterKey{2}
			bal.Edition = "warszawa-2025"
		} else {
			bal.Selections[0].Choices[0].Points = 2
		}
		s, err := a.q.Append(bal, voter, 1)
		if err != nil {
			t.Fatal(err)
		}
		_, raw := post(t, r.http.URL, wire.PathBallots, a.q.KioskID(), a.q.Sign, batch(s))
		if got := status(raw); got.Status != want {
			t.Errorf("%s: %+v, want %s", name, got, want)
		} else if name == "invalid" && got.Reason != election.KeyPointsNotPerm {
			t.Errorf("invalid ballot reason %q", got.Reason)
		}
	}
	// Outside the window: a kiosk whose clock runs a month ahead.
	late := r.kioskWith(queue.Options{Clock: func() time.Time { return time.Now().AddDate(0, 1, 0) }})
	s := late.vote(t, r.ed, 77)
	_, raw = post(t, r.http.URL, wire.PathBallots, late.q.KioskID(), late.q.Sign, batch(s))
	if got := status(raw); got.Status != wire.OutsideWindow {
		t.Errorf("outside the window: %+v", got)
	}
	// Enrollment codes are single-use.
	code, _ := central.NewEnrollCode(context.Background(), r.st, "nck", time.Hour, time.Now())
	q1, _ := queue.Open(filepath.Join(t.TempDir(), "e1.db"), queue.Options{})
	defer q1.Close()
	if _, err := agent.Enroll(context.Background(), nil, r.http.URL, code, q1); err != nil {
		t.Fatal(err)
	}
	q2, _ := queue.Open(filepath.Join(t.TempDir(), "e2.db"), queue.Options{})
	defer q2.Close()
	if _, err := agent.Enroll(context.Background(), nil, r.http.URL, code, q2); !errors.Is(err, agent.ErrRefused) {
		t.Errorf("second use of a code: %v", err)
	}
}

func TestCatalogRollbackRefused(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	installed := 0
	a := agent.New(agent.Config{URL: r.http.URL, Queue: k.q, EditionKey: k.er.EditionKey,
		Catalog: func() int { return installed }, Install: func(c wire.Catalog) error { installed = c.Version; return nil }})
	if err := a.PullCatalog(context.Background()); err != nil || installed != 1 {
		t.Fatalf("pull: %v, installed %d", err, installed)
	}
	installed = 5 // the kiosk has a newer one than the central offers
	if err := a.PullCatalog(context.Background()); !errors.Is(err, wire.ErrCatalogRollback) {
		t.Fatalf("rollback: %v", err)
	}
	// a catalog signed by another key is refused too
	_, other, _ := ed25519.GenerateKey(nil)
	bad := agent.New(agent.Config{URL: r.http.URL, Queue: k.q, EditionKey: other.Public().(ed25519.PublicKey)})
	if err := bad.PullCatalog(context.Background()); !errors.Is(err, wire.ErrCatalogSignature) {
		t.Fatalf("foreign signature: %v", err)
	}
}

// Two central replicas on one PostgreSQL; the same voter votes at two
// kiosks at the same moment, each kiosk syncing to a different replica.
func TestReplicasOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	st1, err := store.OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st1.Close()
	r1 := newRig(t, st1)
	st2, err := store.OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	srv2 := central.New(central.Config{Store: st2, EditionKey: r1.keys.Edition.Public().(ed25519.PublicKey), VoterSecret: r1.keys.VoterSecret})
	h2 := httptest.NewServer(srv2.Handler())
	defer h2.Close()
	k1, k2 := r1.kiosk(r1.http.URL), r1.kiosk(h2.URL)
	for round := range 20 {
		k1.vote(t, r1.ed, 1000+round)
		k2.vote(t, r1.ed, 1000+round)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); k1.a.SyncOnce(ctx) }()
		go func() { defer wg.Done(); k2.a.SyncOnce(ctx) }()
		wg.Wait()
	}
	total, counted, _ := st1.Counts(ctx)
	if total != 40 || counted != 20 {
		t.Fatalf("stored %d, counted %d; want 40 and 20", total, counted)
	}
}

// agentWithPrinter is an agent for k whose heartbeats report a printer state.
func agentWithPrinter(k *kiosk, url, printer string) *agent.Agent {
	return agent.New(agent.Config{URL: url, Queue: k.q, EditionKey: k.er.EditionKey,
		Heartbeat: func() wire.Heartbeat { return wire.Heartbeat{Printer: printer, Version: "test"} }})
}

// TestBallotJudgedByItsCatalog: the city withdraws a project and publishes
// a new catalog while a kiosk still runs the old one. A resident who chose
// that project keeps the vote (it is valid under the catalog shown); a
// ballot naming a version never published is refused.
func TestBallotJudgedByItsCatalog(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	s := k.vote(t, r.ed, 1) // under version 1, with the first city project
	withdrawn := s.Selections[0].Choices[0].Project

	ed, _ := election.DecodeEdition(bytes.NewReader(demoEdition(t)))
	for i, p := range ed.Projects {
		if p.ID == withdrawn {
			ed.Projects = append(ed.Projects[:i], ed.Projects[i+1:]...)
			break
		}
	}
	var buf bytes.Buffer
	election.EncodeEdition(&buf, ed)
	if v, err := central.Publish(context.Background(), r.st, r.keys, buf.Bytes()); err != nil || v != 2 {
		t.Fatalf("publish v2: %d %v", v, err)
	}
	unknown, err := k.q.Append(ballot(r.ed), election.VoterKey{9}, 7)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(wire.BallotBatch{Ballots: []wire.SealedBallot{s, unknown}})
	_, raw := post(t, r.http.URL, wire.PathBallots, k.q.KioskID(), k.q.Sign, body)
	var resp wire.BatchResponse
	if err := json.Unmarshal(raw, &resp); err != nil || len(resp.Results) != 2 {
		t.Fatalf("answer %s: %v", raw, err)
	}
	if got := resp.Results[0]; got.Status != wire.Accepted {
		t.Errorf("ballot under version 1 after version 2 withdrew %s: %+v", withdrawn, got)
	}
	if got := resp.Results[1]; got.Status != wire.WrongEdition {
		t.Errorf("ballot under version 7, never published: %+v", got)
	}
	// The tally reads the latest catalog: the withdrawn project is not in
	// it, and the resident's other choices still count.
	_, rs, err := central.Results(context.Background(), r.st, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range rs {
		if (pr.Pool == "city" || pr.Pool == "d18") && pr.Voters != 1 {
			t.Errorf("pool %s: %d voters, want 1", pr.Pool, pr.Voters)
		}
	}
}

// TestRevokedKiosk: once the city office revokes a kiosk (stolen or lost),
// the central refuses its requests, and ballots of it carried by USB are
// answered revoked-kiosk and not stored.
func TestRevokedKiosk(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	k.vote(t, r.ed, 1)
	if n, err := k.a.SyncOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("synced %d: %v", n, err)
	}
	if err := r.st.RevokeKiosk(context.Background(), k.q.KioskID(), time.Now()); err != nil {
		t.Fatal(err)
	}
	s := k.vote(t, r.ed, 2) // the thief votes
	if n, err := k.a.SyncOnce(context.Background()); err == nil || n != 0 {
		t.Fatalf("a revoked kiosk synced %d: %v", n, err)
	}
	if _, err := k.a.SendHeartbeat(context.Background()); !errors.Is(err, agent.ErrRevoked) || !k.a.Revoked() {
		t.Fatalf("a revoked kiosk's heartbeat: %v (agent knows: %v)", err, k.a.Revoked())
	}
	body, _ := json.Marshal(wire.BallotBatch{Ballots: []wire.SealedBallot{s}})
	if resp, raw := post(t, r.http.URL, wire.PathBallots, k.q.KioskID(), k.q.Sign, body); resp.StatusCode != http.StatusForbidden || !strings.Contains(string(raw), string(wire.RevokedKiosk)) {
		t.Fatalf("revoked kiosk's batch: %s %s", resp.Status, raw)
	}
	line, _ := json.Marshal(s)
	out, err := r.srv.ImportBallots(context.Background(), bytes.NewReader(line))
	if err != nil || out[wire.RevokedKiosk] != 1 || len(out) != 1 {
		t.Fatalf("USB import of a revoked kiosk's ballot: %v %v", out, err)
	}
	if total, _, _ := r.st.Counts(context.Background()); total != 1 {
		t.Fatalf("%d ballots stored, want the one from before the revocation", total)
	}
	if st, _ := k.q.Stats(time.Time{}); st.Pending != 1 {
		t.Fatalf("the kiosk keeps %d pending, want 1", st.Pending)
	}
}
