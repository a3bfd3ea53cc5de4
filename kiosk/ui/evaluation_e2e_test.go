package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestKioskEvaluationEndToEnd: answers to "how easy was it to vote?" at
// the kiosk reach a real central counted per venue, and what crosses the
// wire cannot be joined to a ballot: a body holds a day and five counts,
// nothing else (no ballot, tracker, sequence or time of day), and a batch
// leaves only once EvaluationBatch answers wait or the day is over, so its
// arrival names no single resident. Switched off at the central, nothing
// is taken and the kiosk keeps its counts. (Main sent no answers.)
func TestKioskEvaluationEndToEnd(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, portrait)
	dir := t.TempDir()
	if err := central.Init(dir); err != nil {
		t.Fatal(err)
	}
	keys, _ := central.LoadKeys(dir)
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := central.Publish(ctx, st, keys, selfDeclared(t)); err != nil {
		t.Fatal(err)
	}
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		Clock: r.c.now, Log: slog.New(slog.DiscardHandler), RatePerKiosk: 1000, Burst: 1000})
	results := &central.KioskResults{Key: keys.Edition}
	srv.UseResults(results)
	var mu sync.Mutex
	var bodies [][]byte
	api := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == wire.PathEvaluations {
			b, _ := io.ReadAll(req.Body)
			mu.Lock()
			bodies = append(bodies, b)
			mu.Unlock()
			req.Body = io.NopCloser(bytes.NewReader(b))
		}
		api.ServeHTTP(w, req)
	}))
	t.Cleanup(hs.Close)
	code, err := central.NewEnrollCode(ctx, st, "bk-podgorze", time.Hour, r.c.now())
	if err != nil {
		t.Fatal(err)
	}
	en, err := agent.Enroll(ctx, nil, hs.URL, code, r.q)
	if err != nil {
		t.Fatal(err)
	}
	ag := agent.New(agent.Config{URL: hs.URL, Queue: r.q, EditionKey: en.EditionKey, Clock: r.c.now, Log: slog.New(slog.DiscardHandler)})
	r.u.o.Evaluate = func(score int) {
		if err := ag.CountEvaluation(score); err != nil {
			t.Error(err)
		}
	}

	// a resident votes and answers 4
	r.identify("80011510017")
	r.toReview("pl")
	r.tap("Zatwierdzam")
	sealed, _ := r.s.Sealed()
	if sealed.Tracker == "" {
		t.Fatal("no tracker")
	}
	r.tap("Zakończ")
	r.want("evaluation")
	r.tap("4")
	if n, err := ag.SyncOnce(ctx); err != nil || n != 1 {
		t.Fatalf("ballot synced %d: %v", n, err)
	}
	counts := func() [5]int {
		t.Helper()
		c, err := st.EvaluationCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c["bk-podgorze"]
	}
	// one answer waits for the batch: its arrival would stand beside the ballot's
	if n, err := ag.SendEvaluations(ctx); n != 0 || err != nil || len(bodies) != 0 {
		t.Fatalf("a lone answer was sent: %d %v %d", n, err, len(bodies))
	}
	for range EvaluationBatchForTest - 1 {
		r.u.o.Evaluate(5)
	}
	// switched off at the central: refused, kept at the kiosk
	if n, err := ag.SendEvaluations(ctx); n != 0 || err != nil || counts() != [5]int{} {
		t.Fatalf("taken while switched off: %d %v %v", n, err, counts())
	}
	results.Evaluation = true
	if n, err := ag.SendEvaluations(ctx); n != EvaluationBatchForTest || err != nil {
		t.Fatalf("batch: %d %v", n, err)
	}
	if got := counts(); got != [5]int{0, 0, 0, 1, EvaluationBatchForTest - 1} {
		t.Fatalf("counted %v", got)
	}
	// sent once: nothing again
	if n, _ := ag.SendEvaluations(ctx); n != 0 {
		t.Fatalf("sent again: %d", n)
	}
	// the day's last answer goes once the day is over
	r.u.o.Evaluate(2)
	if n, _ := ag.SendEvaluations(ctx); n != 0 {
		t.Fatal("a lone answer of today was sent")
	}
	r.c.t = r.c.t.Add(24 * time.Hour)
	if n, err := ag.SendEvaluations(ctx); n != 1 || err != nil {
		t.Fatalf("yesterday's last answer: %d %v", n, err)
	}
	if got := counts(); got != [5]int{0, 1, 0, 1, EvaluationBatchForTest - 1} {
		t.Fatalf("counted %v", got)
	}

	// what crossed the wire: a day and five counts, nothing to join
	day := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) < 2 {
		t.Fatalf("%d bodies", len(bodies))
	}
	for _, b := range bodies {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var d string
		json.Unmarshal(m["day"], &d)
		if !slices.Equal(keys, []string{"counts", "day"}) || !day.MatchString(d) {
			t.Fatalf("a batch says more than a day and counts: %s", b)
		}
		for _, secret := range []string{sealed.Tracker, strings.ReplaceAll(sealed.Tracker, " ", ""), r.c.t.Format("15:04"), "80011510017"} {
			if secret != "" && bytes.Contains(b, []byte(secret)) {
				t.Fatalf("a batch holds %q: %s", secret, b)
			}
		}
	}
	// the kiosk keeps counts per day, nothing else
	raw, _ := r.q.Setting("evaluations")
	if strings.Contains(raw, sealed.Tracker) || strings.Contains(raw, "T") && strings.Contains(raw, ":") {
		t.Fatalf("the kiosk keeps more than counts per day: %s", raw)
	}
}

// EvaluationBatchForTest is the agent's batch size, as the test counts it.
const EvaluationBatchForTest = agent.EvaluationBatch
