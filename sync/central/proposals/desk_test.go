package proposals

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// Year is the demo edition with Kraków's calendar and proposal rules.
func Year(t testing.TB) *election.Edition {
	e := assets.MustDemoEdition()
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, e.Location()) }
	e.Opens, e.Closes = at(6, 1), at(6, 15)
	e.Phases = []election.Phase{
		{Kind: election.PhaseSubmission, Starts: at(2, 7), Ends: at(3, 10)},
		{Kind: election.PhaseFormalCheck, Starts: at(3, 10), Ends: at(4, 1), FixDays: 7},
		{Kind: election.PhaseMeritCheck, Starts: at(4, 1), Ends: at(4, 30)},
		{Kind: election.PhaseProtests, Starts: at(4, 30), Ends: at(5, 10)},
		{Kind: election.PhaseListPublished, Starts: at(5, 15), Ends: at(6, 1)},
		{Kind: election.PhaseResults, Starts: at(6, 15), Ends: at(7, 1)},
	}
	e.Proposals = &election.ProposalRules{
		CostLimits: map[election.PoolKind]election.CostLimit{election.District: {Min: 10_000_00, Max: 400_000_00}},
		Supporters: 15,
		Numbering:  map[election.PoolKind]string{election.CityWide: "BO.OM.{n}/{yy}", election.District: "BO.D{d}.{n}/{yy}"},
	}
	if ps := e.Check(); len(ps) > 0 {
		t.Fatal(ps)
	}
	return e
}

// Clock is a clock a test moves.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// stores opens each store; scan lists the files it writes.
var stores = map[string]func(t *testing.T) (store.Store, string){
	"bolt": func(t *testing.T) (store.Store, string) {
		dir := t.TempDir()
		s, err := store.OpenBolt(filepath.Join(dir, "central.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s, dir
	},
	"postgres": func(t *testing.T) (store.Store, string) {
		s, err := store.OpenPostgres(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		return s, pgtest.Dir()
	},
}

func key(err error) string {
	var p election.Problem
	var ps election.Problems
	switch {
	case errors.As(err, &p):
		return p.Key
	case errors.As(err, &ps) && len(ps) > 0:
		return ps[0].Key
	}
	return ""
}

func draft(pool, title string, cost int64) civic.Draft {
	return civic.Draft{Pool: pool, Lang: "pl", Title: title, Summary: "Krótki opis: " + title, Location: "ul. Długa 1",
		Category: "green", Cost: cost}
}

// TestDeskWholePath goes through the year on each store: submissions, a
// formal check with a fix, a merit rejection, a protest upheld and one
// restoring its proposal, a withdrawal, a merge, and the ballot built.
func TestDeskWholePath(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := open(t)
			defer s.Close()
			ed := Year(t)
			at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, ed.Location()) }
			clk := &Clock{t: at(2, 20)}
			var log bytes.Buffer
			var saved *election.Edition
			sealer, _ := contact.LoadOrCreate(t.TempDir())
			d := New(Config{Store: s.(store.Proposals), Edition: func(context.Context) (*election.Edition, error) { return ed, nil },
				Sealer: sealer, Clock: clk.Now, Log: slog.New(slog.NewTextHandler(&log, nil)),
				SaveDraft: func(e *election.Edition) error { saved = e; return nil }})
			titles := []string{"Ławki przy Wiśle", "Zieleń na Kazimierzu", "Plac zabaw", "Rowery miejskie", "Łąka kwietna", "Łąka kwietna bis"}
			rc := map[string]Receipt{}
			for i, title := range titles {
				clk.Set(at(2, 20).Add(time.Duration(i) * time.Minute))
				pool := "d01"
				if i == 3 {
					pool = ed.CityPool().ID
				}
				r, err := d.Submit(ctx, draft(pool, title, 50_000_00), "jan.kowalski@example.pl", "10.0.0."+string(rune('1'+i)))
				if err != nil {
					t.Fatal(title, err)
				}
				rc[title] = r
			}
			if _, err := d.Submit(ctx, draft("d01", "Zieleń na Kazimierzu", 50_000_00), "", "10.0.0.9"); err != nil {
				t.Fatal(err)
			}
			held, _ := d.List(ctx, Filter{Held: true})
			if len(held) != 1 || held[0].Held != HeldDuplicate {
				t.Fatalf("moderation queue: %+v", held)
			}
			for range 5 {
				d.Submit(ctx, draft("d01", "Spam", 50_000_00), "", "10.9.9.9")
			}
			if _, err := d.Submit(ctx, draft("d01", "Spam", 50_000_00), "", "10.9.9.9"); key(err) != KeyLimit {
				t.Fatalf("sixth from one address in an hour: %v", err)
			}
			if c, err := d.Contact(ctx, rc["Plac zabaw"].Proposal.ID); err != nil || c != "jan.kowalski@example.pl" {
				t.Fatalf("contact for staff: %q %v", c, err)
			}
			if _, err := d.Look(ctx, rc["Plac zabaw"].Tracker, "WRONG", "a"); key(err) != KeySecret {
				t.Fatalf("wrong secret: %v", err)
			}
			id := func(title string) string { return rc[title].Proposal.ID }
			staff := func(title string, kind civic.EventKind, reason, detail string) {
				t.Helper()
				if _, err := d.Staff(ctx, "anna.verifier", id(title), civic.Event{Kind: kind, Reason: reason, Detail: detail}); err != nil {
					t.Fatalf("%s %s: %v", title, kind, err)
				}
			}
			applicant := func(title string, kind civic.EventKind, reason string, fix *civic.Draft) {
				t.Helper()
				r := rc[title]
				if _, err := d.Applicant(ctx, strings.ToLower(Group(r.Tracker)), Group(r.Secret), "a", kind, reason, fix); err != nil {
					t.Fatalf("%s %s: %v", title, kind, err)
				}
			}
			for _, title := range titles {
				staff(title, civic.EvAssign, "", "ZZM")
			}
			// withdrawal in the submission phase
			applicant("Łąka kwietna bis", civic.EvWithdraw, "", nil)
			clk.Set(at(3, 12))
			staff("Ławki przy Wiśle", civic.EvFormalFix, "Brak mapki z lokalizacją.", "")
			fix := draft("d01", "Ławki przy Wiśle", 60_000_00)
			fix.Location = "Bulwar Czerwieński, mapka w opisie"
			clk.Set(at(3, 15))
			applicant("Ławki przy Wiśle", civic.EvFixed, "Dodałem mapkę.", &fix)
			for _, title := range titles[:5] {
				staff(title, civic.EvFormalPass, "", "")
			}
			staff("Łąka kwietna", civic.EvMerge, "Ten sam teren co Zieleń na Kazimierzu.", id("Zieleń na Kazimierzu"))
			clk.Set(at(4, 10))
			staff("Ławki przy Wiśle", civic.EvMeritPass, "", "5500000")
			staff("Rowery miejskie", civic.EvMeritPass, "", "")
			staff("Zieleń na Kazimierzu", civic.EvMeritReject, "Teren nie należy do miasta.", "")
			staff("Plac zabaw", civic.EvMeritReject, "Koszt utrzymania przekracza limit.", "")
			clk.Set(at(5, 2))
			applicant("Zieleń na Kazimierzu", civic.EvProtest, "Teren jest miejski, załączam wypis.", nil)
			applicant("Plac zabaw", civic.EvProtest, "Koszt utrzymania jest niższy.", nil)
			staff("Zieleń na Kazimierzu", civic.EvRestore, "Rada: teren jest miejski.", "2025-05-08")
			staff("Plac zabaw", civic.EvUphold, "Rada: koszt utrzymania potwierdzony.", "2025-05-08")
			clk.Set(at(5, 12))
			built, err := d.Build(ctx, "ewa.coordinator")
			if err != nil {
				t.Fatal(err)
			}
			if saved == nil || len(built.Projects) != 3 {
				t.Fatalf("built: %+v", built)
			}
			want := map[string]string{id("Ławki przy Wiśle"): "BO.D1.1/25", id("Zieleń na Kazimierzu"): "BO.D1.2/25", id("Rowery miejskie"): "BO.OM.1/25"}
			for _, pr := range built.Projects {
				if want[pr.ID] != pr.Number {
					t.Errorf("project %s numbered %s, want %s", pr.ID, pr.Number, want[pr.ID])
				}
				if pr.ID == id("Ławki przy Wiśle") && (pr.Cost != 5500000 || pr.Location.In("pl") != "Bulwar Czerwieński, mapka w opisie") {
					t.Errorf("fixed proposal on the ballot: %+v", pr)
				}
			}
			if _, err := d.Build(ctx, "ewa.coordinator"); key(err) != KeyBuilt {
				t.Fatalf("second build: %v", err)
			}
			statuses := map[string]civic.Status{}
			all, _ := s.(store.Proposals).ProposalsOf(ctx, ed.ID)
			for _, r := range all {
				statuses[r.Proposal.Title] = r.Proposal.Status
			}
			for title, st := range map[string]civic.Status{"Plac zabaw": civic.Upheld, "Łąka kwietna": civic.Merged,
				"Łąka kwietna bis": civic.Withdrawn, "Ławki przy Wiśle": civic.OnBallot} {
				if statuses[title] != st {
					t.Errorf("%s: %s, want %s", title, statuses[title], st)
				}
			}
			// after the last phase the contacts are forgotten
			clk.Set(at(7, 2))
			if n, err := d.Sweep(ctx); err != nil || n != 6 {
				t.Fatalf("sweep: %d %v", n, err)
			}
			if strings.Contains(log.String(), "kowalski") {
				t.Fatal("a contact reached the log")
			}
		})
	}
}

// TestDeskRefuses: what the desk does not take, each with the key the
// resident or staff member reads.
func TestDeskRefuses(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ed := Year(t)
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, ed.Location()) }
	clk := &Clock{t: at(2, 20)}
	d := New(Config{Store: s, Edition: func(context.Context) (*election.Edition, error) { return ed, nil }, Clock: clk.Now, StatusPerAddress: 3})
	a, err := d.Submit(ctx, draft("d01", "Ławki", 50_000_00), "", "1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := d.Submit(ctx, draft("d01", "Drzewa", 50_000_00), "", "1")
	links := draft("d01", "Tanie buty", 50_000_00)
	links.Summary = "https://a.example https://b.example www.c.example"
	spam, _ := d.Submit(ctx, links, "", "1")
	if r, _ := d.Record(ctx, spam.Proposal.ID); r.Held != HeldLinks {
		t.Errorf("links: held %q", r.Held)
	}
	cases := map[string]struct {
		do   func() error
		want string
	}{
		"too cheap": {func() error { _, err := d.Submit(ctx, draft("d01", "X", 1), "", "2"); return err }, civic.KeyCostLow},
		"a contact that is a letter": {func() error {
			_, err := d.Submit(ctx, draft("d01", "Y", 50_000_00), strings.Repeat("ą", MaxContact+1), "2")
			return err
		}, KeyContact},
		"merge into itself": {func() error {
			_, err := d.Staff(ctx, "ewa", a.Proposal.ID, civic.Event{Kind: civic.EvMerge, Reason: "r", Detail: a.Proposal.ID})
			return err
		}, KeyTarget},
		"merge into nothing": {func() error {
			_, err := d.Staff(ctx, "ewa", a.Proposal.ID, civic.Event{Kind: civic.EvMerge, Reason: "r", Detail: "W-NONE"})
			return err
		}, KeyTarget},
		"unknown proposal": {func() error {
			_, err := d.Staff(ctx, "ewa", "W-NONE", civic.Event{Kind: civic.EvAssign, Detail: "ZZM"})
			return err
		}, KeyNotFound},
		"an applicant's kind by staff": {func() error {
			_, err := d.Staff(ctx, "ewa", a.Proposal.ID, civic.Event{Kind: civic.EvProtest, Reason: "r"})
			return err
		}, civic.KeyTransition},
		"a hearing date that is not a date": {func() error {
			_, err := d.Staff(ctx, "rada", a.Proposal.ID, civic.Event{Kind: civic.EvRestore, Reason: "r", Detail: "next Tuesday"})
			return err
		}, KeyHearing},
		"a staff kind by the applicant": {func() error {
			_, err := d.Applicant(ctx, a.Tracker, a.Secret, "3", civic.EvFormalPass, "", nil)
			return err
		}, civic.KeyTransition},
		"a protest before a rejection": {func() error {
			_, err := d.Applicant(ctx, b.Tracker, b.Secret, "3", civic.EvProtest, "bo tak", nil)
			return err
		}, civic.KeyTransition},
		"another proposal's secret": {func() error {
			_, err := d.Applicant(ctx, a.Tracker, b.Secret, "4", civic.EvWithdraw, "", nil)
			return err
		}, KeySecret},
	}
	for name, c := range cases {
		if got := key(c.do()); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
	// a fix after the fix-by date
	clk.Set(at(3, 12))
	if _, err := d.Staff(ctx, "ewa", a.Proposal.ID, civic.Event{Kind: civic.EvFormalFix, Reason: "Brak mapki."}); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(3, 20))
	fix := draft("d01", "Ławki", 50_000_00)
	if _, err := d.Applicant(ctx, a.Tracker, a.Secret, "5", civic.EvFixed, "", &fix); key(err) != civic.KeyFixLate {
		t.Errorf("late fix: %v", err)
	}
	// status look-ups per address are limited: secrets cannot be guessed
	for range 3 {
		d.Look(ctx, a.Tracker, "GUESS", "6")
	}
	if _, err := d.Look(ctx, a.Tracker, a.Secret, "6"); key(err) != KeyLookLimit {
		t.Errorf("fourth look-up in a minute: %v", err)
	}
	if _, err := d.Look(ctx, a.Tracker, a.Secret, "7"); err != nil {
		t.Errorf("another address: %v", err)
	}
	// no edition
	none := New(Config{Store: s, Edition: func(context.Context) (*election.Edition, error) { return nil, store.ErrNotFound }})
	if _, err := none.Submit(ctx, draft("d01", "X", 50_000_00), "", "1"); key(err) != KeyNoEdition {
		t.Errorf("without an edition: %v", err)
	}
}

// TestProposalsBelongToTheirEdition, on each store: with two editions'
// proposals in one store, each edition lists only its own, and neither
// staff nor the applicant can move a proposal on under the other
// edition's rules.
func TestProposalsBelongToTheirEdition(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := open(t)
			defer s.Close()
			this, next := Year(t), Year(t)
			next.ID = "krakow-next"
			at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, this.Location()) }
			clk := &Clock{t: at(2, 20)}
			ed := this
			d := New(Config{Store: s.(store.Proposals), Edition: func(context.Context) (*election.Edition, error) { return ed, nil }, Clock: clk.Now})
			mine, err := d.Submit(ctx, draft("d01", "Ławki przy Wiśle", 50_000_00), "", "1")
			if err != nil {
				t.Fatal(err)
			}
			ed = next
			theirs, err := d.Submit(ctx, draft("d01", "Drzewa na Kazimierzu", 50_000_00), "", "1")
			if err != nil {
				t.Fatal(err)
			}
			if rs, _ := d.List(ctx, Filter{}); len(rs) != 1 || rs[0].Proposal.ID != theirs.Proposal.ID {
				t.Fatalf("next edition's list: %v", rs)
			}
			clk.Set(at(3, 12))
			if _, err := d.Staff(ctx, "v", mine.Proposal.ID, civic.Event{Kind: civic.EvFormalPass}); key(err) != KeyOtherEdition {
				t.Fatalf("staff step on another edition's proposal: %v", err)
			}
			if _, err := d.Applicant(ctx, mine.Tracker, mine.Secret, "1", civic.EvWithdraw, "", nil); key(err) != KeyOtherEdition {
				t.Fatalf("withdrawing another edition's proposal: %v", err)
			}
			ed = this
			if rs, _ := d.List(ctx, Filter{}); len(rs) != 1 || rs[0].Proposal.ID != mine.Proposal.ID {
				t.Fatalf("this edition's list: %v", rs)
			}
			if _, err := d.Staff(ctx, "v", mine.Proposal.ID, civic.Event{Kind: civic.EvFormalPass}); err != nil {
				t.Fatalf("its own edition's step: %v", err)
			}
		})
	}
}
