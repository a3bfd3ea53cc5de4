package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
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
	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

type civicClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *civicClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *civicClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *lockedBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A kiosk, with no catalog of the year yet, takes the signed timeline,
// submits a proposal, follows it and protests its rejection, all through
// the kiosk API on a real central (bbolt), and no contact or secret is
// left in the kiosk's folder or either side's log.
func TestKioskCivicPath(t *testing.T) {
	for _, name := range []string{"bolt", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var st store.Store
			var err error
			dirs := []string{dir}
			if name == "bolt" {
				st, err = store.OpenBolt(filepath.Join(dir, "central.db"))
			} else {
				st, err = store.OpenPostgres(context.Background(), pgtest.DSN(t))
				dirs = append(dirs, pgtest.Dir())
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			kioskCivicPath(t, st, dir, dirs)
		})
	}
}

func kioskCivicPath(t *testing.T, st store.Store, dir string, dirs []string) {
	const contactText = "jan.kiosk.e2e@example.pl"
	var err error
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	loc := ed.Location()
	clk := &civicClock{t: time.Date(2025, 2, 20, 12, 0, 0, 0, loc)}
	if p, _ := ed.PhaseAt(clk.Now()); p.Kind != election.PhaseSubmission {
		t.Fatalf("20 February is %q", p.Kind)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	sealer, err := contact.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	desk := proposals.New(proposals.Config{Store: st.(store.Proposals), Sealer: sealer, Clock: clk.Now, Log: log,
		Edition: func(context.Context) (*election.Edition, error) { mu.Lock(); defer mu.Unlock(); return ed, nil }})
	pub, priv, _ := ed25519.GenerateKey(nil)
	srv := central.New(central.Config{Store: st, EditionKey: pub, Clock: clk.Now, Log: log})
	srv.UseCivic(&central.KioskCivic{Desk: desk, Key: priv, PublicURL: "https://budzet.example.pl", Handoffs: &proposals.Handoffs{Clock: clk.Now}})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	kdir := t.TempDir()
	q, err := queue.Open(filepath.Join(kdir, "kiosk.db"), queue.Options{Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	q.SetKioskID("k-civic")
	if err := st.AddKiosk(context.Background(), store.Kiosk{ID: "k-civic", Venue: "bk-podgorze", PublicKey: q.PublicKey(), Enrolled: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	var installed []wire.Timeline
	ag := agent.New(agent.Config{URL: hs.URL, Queue: q, EditionKey: pub, Clock: clk.Now, Log: log,
		InstallTimeline: func(tl wire.Timeline) { installed = append(installed, tl) }})
	ctx := context.Background()

	// 1. the timeline: signed, verified, kept, not installed twice
	if err := ag.PullTimeline(ctx); err != nil {
		t.Fatal(err)
	}
	tl, ok, err := agent.InstalledTimeline(q, pub)
	if !ok || err != nil || len(installed) != 1 {
		t.Fatalf("timeline not kept: %v %v %d", ok, err, len(installed))
	}
	year, err := election.DecodeEdition(bytes.NewReader(tl.Edition))
	if err != nil {
		t.Fatal(err)
	}
	if len(year.Projects) != 0 || len(year.Phases) == 0 || year.Proposals == nil || len(year.Pools) != len(ed.Pools) {
		t.Fatalf("timeline: %d projects, %d phases, rules %v, %d pools", len(year.Projects), len(year.Phases), year.Proposals, len(year.Pools))
	}
	if p, _ := year.PhaseAt(clk.Now()); p.Kind != election.PhaseSubmission {
		t.Fatalf("the kiosk's timeline says %q", p.Kind)
	}
	if err := ag.PullTimeline(ctx); err != nil || len(installed) != 1 {
		t.Fatalf("the same timeline again: %v, installed %d times", err, len(installed))
	}
	// a timeline signed by another key is refused and the kept one stays
	_, other, _ := ed25519.GenerateKey(nil)
	forged := central.New(central.Config{Store: st, EditionKey: pub, Clock: clk.Now, Log: log})
	forged.UseCivic(&central.KioskCivic{Desk: desk, Key: other})
	fs := httptest.NewServer(forged.Handler())
	defer fs.Close()
	bad := agent.New(agent.Config{URL: fs.URL, Queue: q, EditionKey: pub, Clock: clk.Now, Log: log})
	mu.Lock()
	ed.Phases[0].Ends = ed.Phases[0].Ends.Add(time.Hour) // new content: signed anew
	mu.Unlock()
	if err := bad.PullTimeline(ctx); !errors.Is(err, wire.ErrTimelineSignature) {
		t.Fatalf("a forged timeline: %v", err)
	}
	if again, _, _ := agent.InstalledTimeline(q, pub); !bytes.Equal(again.Sig, tl.Sig) {
		t.Fatal("a forged timeline replaced the kept one")
	}

	// 2. submit: a refusal comes back as problem keys, then the receipt
	draft := wire.ProposalDraft{Pool: "d13", Lang: "pl", Title: "Ławki przy Wiśle", Summary: "Dziesięć ławek na bulwarze.",
		Location: "Bulwar Podgórski", Category: "green", Cost: 5_000_00}
	_, err = ag.SubmitProposal(ctx, wire.ProposalSubmit{Draft: draft, Contact: contactText})
	var ps election.Problems
	if !errors.As(err, &ps) || ps[0].Key != civic.KeyCostLow {
		t.Fatalf("a cost below the minimum: %v", err)
	}
	draft.Cost = 50_000_00
	rc, err := ag.SubmitProposal(ctx, wire.ProposalSubmit{Draft: draft, Contact: contactText})
	if err != nil {
		t.Fatal(err)
	}
	if rc.ID == "" || len(rc.Tracker) != 9 || len(rc.Secret) != 19 || rc.Supporters != 15 || rc.StatusURL != "https://budzet.example.pl/proposals/status" {
		t.Fatalf("receipt: %+v", rc)
	}
	if c, _ := desk.Contact(ctx, rc.ID); c != contactText {
		t.Fatalf("the contact at the central: %q", c)
	}

	// 3. status, with a wrong secret refused by key
	if _, err := ag.ProposalStatus(ctx, rc.Tracker, "AAAA-AAAA-AAAA-AAAA"); !errors.As(err, &ps) || ps[0].Key != proposals.KeySecret {
		t.Fatalf("a wrong secret: %v", err)
	}
	s, err := ag.ProposalStatus(ctx, strings.ToLower(rc.Tracker), rc.Secret)
	if err != nil || s.Status != string(civic.Submitted) || s.Protest {
		t.Fatalf("status: %+v %v", s, err)
	}

	// 4. rejected in the formal check, protested in the protest window
	clk.Set(time.Date(2025, 3, 20, 12, 0, 0, 0, loc))
	if _, err := desk.Staff(ctx, "anna", rc.ID, civic.Event{Kind: civic.EvFormalReject, Reason: "Brak listy poparcia."}); err != nil {
		t.Fatal(err)
	}
	if _, err := ag.Protest(ctx, rc.Tracker, rc.Secret, "Lista jest w bibliotece."); !errors.As(err, &ps) {
		t.Fatalf("a protest before the protest window: %v", err)
	}
	clk.Set(time.Date(2025, 5, 5, 12, 0, 0, 0, loc))
	if p, _ := ed.PhaseAt(clk.Now()); p.Kind != election.PhaseProtests {
		t.Fatalf("5 May is %q", p.Kind)
	}
	s, err = ag.ProposalStatus(ctx, rc.Tracker, rc.Secret)
	if err != nil || s.Status != string(civic.Rejected) || !s.Protest || s.History[len(s.History)-1].Reason != "Brak listy poparcia." {
		t.Fatalf("rejected: %+v %v", s, err)
	}
	if _, err := ag.Protest(ctx, rc.Tracker, rc.Secret, " "); !errors.As(err, &ps) || ps[0].Key != civic.KeyReason {
		t.Fatalf("a protest without its reason: %v", err)
	}
	s, err = ag.Protest(ctx, rc.Tracker, rc.Secret, "Lista jest w bibliotece.")
	if err != nil || s.Status != string(civic.Protested) {
		t.Fatalf("protest: %+v %v", s, err)
	}
	// restored after a formal rejection: on to the merit check
	if _, err := desk.Staff(ctx, "rada", rc.ID, civic.Event{Kind: civic.EvRestore, Reason: "Lista była złożona.", Detail: "2025-05-05"}); err != nil {
		t.Fatal(err)
	}
	s, _ = ag.ProposalStatus(ctx, rc.Tracker, rc.Secret)
	if last := s.History[len(s.History)-1]; s.Status != string(civic.FormallyOK) || last.Kind != string(civic.EvRestore) ||
		last.Detail != "2025-05-05" || last.Reason != "Lista była złożona." {
		t.Fatalf("restored: %+v", s)
	}

	// 5. hand a draft over: only in the submission phase
	if _, err := ag.HandOff(ctx, draft); !errors.As(err, &ps) || ps[0].Key != civic.KeyPhase {
		t.Fatalf("a hand-over after the submission phase: %v", err)
	}
	clk.Set(time.Date(2025, 2, 21, 12, 0, 0, 0, loc))
	h, err := ag.HandOff(ctx, draft)
	if err != nil || !strings.HasPrefix(h.URL, "https://budzet.example.pl/proposals/resume/") {
		t.Fatalf("hand-over: %+v %v", h, err)
	}

	// nothing personal or secret on the kiosk's disk or in the logs
	q.Close()
	for _, d := range append(dirs, kdir) {
		scanFor(t, d, logs.String(), contactText, rc.Secret, strings.ReplaceAll(rc.Secret, "-", ""))
	}
}

// scanFor fails if any of secrets is in a file under dir or in logs.
func scanFor(t *testing.T, dir, logs string, secrets ...string) {
	t.Helper()
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", path, s)
			}
		}
		return nil
	})
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q", s)
		}
	}
}
