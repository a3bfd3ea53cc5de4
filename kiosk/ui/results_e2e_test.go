package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// resultsRig is a kiosk enrolled at a real central (bbolt, the kiosk API
// on loopback, the results API served) whose ballots were counted,
// reconciled by its closing report and signed as final results.
type resultsRig struct {
	*rig
	st   store.Store
	keys central.Keys
	ag   *agent.Agent
	en   wire.EnrollResponse
	url  string
	year *election.Edition // the edition's year, with its results phase
}

func newResultsRig(t *testing.T, size fyne.Size) *resultsRig {
	ctx := context.Background()
	r := newRig(t, size)
	dir := t.TempDir()
	if err := central.Init(dir); err != nil {
		t.Fatal(err)
	}
	keys, err := central.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := central.Publish(ctx, st, keys, selfDeclared(t)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		Clock: r.c.now, Log: log, RatePerKiosk: 1000, Burst: 1000})
	srv.UseResults(&central.KioskResults{Key: keys.Edition})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	code, err := central.NewEnrollCode(ctx, st, "bk-podgorze", time.Hour, r.c.now())
	if err != nil {
		t.Fatal(err)
	}
	en, err := agent.Enroll(ctx, nil, hs.URL, code, r.q)
	if err != nil {
		t.Fatal(err)
	}
	r.st.EditionKey = en.EditionKey
	ag := agent.New(agent.Config{URL: hs.URL, Queue: r.q, EditionKey: en.EditionKey, Clock: r.c.now, Log: log})
	r.u.o.Results = func() *wire.ResultsFile { return agent.InstalledResults(r.q, en.EditionKey) }
	r.u.o.Built = func() *wire.SignedBuilt { return agent.InstalledBuilt(r.q, en.EditionKey) }

	// five residents vote at this point; the ballots reach the central
	ed := r.s.Edition()
	district := r.s.Venue().District
	for i := range 5 {
		b := election.Ballot{Edition: ed.ID, District: district}
		for _, pool := range []string{"city", district} {
			ps := ed.ProjectsIn(pool)
			b.Selections = append(b.Selections, election.Selection{Pool: pool, Choices: []election.Choice{
				{Project: ps[0].ID, Points: 3}, {Project: ps[1+i%2].ID, Points: 2}, {Project: ps[3].ID, Points: 1}}})
		}
		if _, err := r.q.Append(b, election.VoterKey{byte(i + 1)}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := ag.SyncOnce(ctx); err != nil || n != 5 {
		t.Fatalf("synced %d: %v", n, err)
	}
	// nothing is signed yet: the kiosk keeps nothing
	if err := ag.PullResults(ctx); err != nil {
		t.Fatalf("pull before signing: %v", err)
	}
	if agent.InstalledResults(r.q, en.EditionKey) != nil {
		t.Fatal("results kept before any were signed")
	}
	seq, head := r.q.Head()
	rep := wire.ClosingReport{ClosingReport: election.ClosingReport{Kiosk: r.q.KioskID(), Ballots: 5, LastSeq: seq, Head: head},
		Edition: ed.ID, ClosedAt: r.c.now(), Today: 5}
	if err := r.q.KeepClosing(&rep); err != nil {
		t.Fatal(err)
	}
	if sent, err := ag.SendClosing(ctx); !sent || err != nil {
		t.Fatalf("closing report: %v %v", sent, err)
	}
	year := assets.MustDemoEdition()
	civic.KrakowYear(year)
	var results election.Phase
	for _, p := range year.Phases {
		if p.Kind == election.PhaseResults {
			results = p
		}
	}
	r.c.t = results.Starts.Add(10 * time.Hour)
	if _, s, err := central.PublishResults(ctx, st, keys.Edition, "", r.c.now(), "", log); err != nil || s.State != election.Final {
		t.Fatalf("signing: %v %+v", err, s)
	}
	return &resultsRig{rig: r, st: st, keys: keys, ag: ag, en: en, url: hs.URL, year: year}
}

// offerYear gives the UI a year's timeline as the sync agent would.
func (r *resultsRig) offerYear(year *election.Edition) {
	r.t.Helper()
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, year); err != nil {
		r.t.Fatal(err)
	}
	r.u.OfferTimeline(b.Bytes())
	r.u.Refresh()
}

// TestResultsPhaseEndToEnd: the kiosk fetches the final results the
// central signed with a kiosk-signed request, checks them with the edition
// key of its enrollment, keeps them, and in the results phase its attract
// screen shows the winners of its district and city-wide; a kiosk whose
// enrollment key is another refuses them (main had no such fetch and
// showed only the year's name).
func TestResultsPhaseEndToEnd(t *testing.T) {
	ctx := context.Background()
	r := newResultsRig(t, fyne.NewSize(1080, 1920))
	if err := r.ag.PullResults(ctx); err != nil {
		t.Fatal(err)
	}
	f := agent.InstalledResults(r.q, r.en.EditionKey)
	if f == nil || f.State != string(election.Final) {
		t.Fatalf("no final results kept: %+v", f)
	}
	// kept across a restart of the kiosk: read back from its store
	if again := agent.InstalledResults(r.q, r.en.EditionKey); again == nil || !bytes.Equal(again.Sig, f.Sig) {
		t.Fatal("the kept results do not read back")
	}
	r.offerYear(r.year)
	text := r.text()
	rm := r.u.resultsModel()
	if rm == nil {
		t.Fatalf("no results model: %s", text)
	}
	want := []string{"Wyniki głosowania", "Wyniki ostateczne:", "Projekty ogólnomiejskie", r.s.Edition().Pool(r.s.Venue().District).Name.In("pl")}
	for _, p := range rm.Pools {
		if len(p.Winners) == 0 {
			t.Fatalf("pool %s without winners", p.Name)
		}
		for _, w := range p.Winners {
			want = append(want, w.Number)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the attract screen lacks %q: %s", w, text)
		}
	}

	// every language, portrait and landscape: the title, the state and the
	// winners' numbers are on the attract screen
	titles := map[string][]string{"pl": {"Wyniki głosowania", "Wyniki ostateczne:"}, "en": {"Results of the vote", "Final results:"},
		"uk": {"Результати голосування", "Остаточні результати:"}}
	for _, lang := range []string{"pl", "en", "uk"} {
		for _, size := range []fyne.Size{{Width: 1080, Height: 1920}, {Width: 1920, Height: 1080}} {
			r.s.SetLang(lang)
			r.w.Resize(size)
			r.u.Refresh()
			text := r.text()
			for _, w := range append(slices.Clone(titles[lang]), want[4:]...) {
				if !strings.Contains(text, w) {
					t.Errorf("%s %vx%v: the attract screen lacks %q: %s", lang, size.Width, size.Height, w, text)
				}
			}
			if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
				shot(t, r.rig, dir, fmt.Sprintf("kiosk-attract-results-%s-%.0fx%.0f.png", lang, size.Width, size.Height))
			}
		}
	}
	r.s.SetLang("pl")

	// the same central to a kiosk that holds another edition key: refused, not kept
	other, _, _ := ed25519.GenerateKey(nil)
	r.q.SetSetting("results", "")
	bad := agent.New(agent.Config{URL: r.url, Queue: r.q, EditionKey: other, Clock: r.c.now, Log: slog.New(slog.DiscardHandler)})
	if err := bad.PullResults(ctx); err == nil {
		t.Fatal("results signed by another key were taken")
	}
	if agent.InstalledResults(r.q, other) != nil || agent.InstalledResults(r.q, r.en.EditionKey) != nil {
		t.Fatal("results that do not check were kept")
	}
	r.u.Refresh()
	if strings.Contains(r.text(), "Wyniki głosowania") {
		t.Fatal("the screen shows results the kiosk does not hold")
	}
}

// TestPromotionPhaseBuiltEndToEnd: what the winners became, recorded at
// the central, reaches the kiosk signed with the edition key, and in the
// next edition's promotion phase the attract screen shows what was built
// in the venue's district (main had no such fetch or screen).
func TestPromotionPhaseBuiltEndToEnd(t *testing.T) {
	ctx := context.Background()
	r := newResultsRig(t, fyne.NewSize(1080, 1920))
	district := r.s.Venue().District
	rm := func() string {
		_, recs, err := central.Implementation(ctx, r.st)
		if err != nil {
			t.Fatal(err)
		}
		for id, im := range recs {
			if im.Pool == district {
				return id
			}
		}
		t.Fatal("no winner in the district")
		return ""
	}()
	m := civic.Milestone{Date: r.c.now().AddDate(0, 4, 0), Stage: civic.Done, Note: "Otwarte"}
	if err := central.RecordMilestone(ctx, r.st, rm, "ZZM", m, "anna", slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if err := r.ag.PullResults(ctx); err != nil {
		t.Fatal(err)
	}
	b := agent.InstalledBuilt(r.q, r.en.EditionKey)
	if b == nil {
		t.Fatal("no implementation records kept")
	}
	// pulled again with nothing changed: the same signature is kept
	if err := r.ag.PullResults(ctx); err != nil {
		t.Fatal(err)
	}
	if again := agent.InstalledBuilt(r.q, r.en.EditionKey); again == nil || !bytes.Equal(again.Sig, b.Sig) {
		t.Fatal("records signed again though nothing changed")
	}
	// the next edition's year, in its promotion phase
	next := assets.MustDemoEdition()
	next.ID, next.Name = "krakow-2026", election.Text{"pl": "Budżet Obywatelski 2026", "en": "Civic Budget 2026", "uk": "Громадський бюджет 2026"}
	next.ShiftTimeline(365 * 24 * time.Hour)
	civic.KrakowYear(next)
	sub := next.Phases[0]
	next.Phases = append([]election.Phase{{Kind: election.PhasePromotion, Starts: sub.Starts.AddDate(0, 0, -30), Ends: sub.Starts}}, next.Phases...)
	r.c.t = sub.Starts.AddDate(0, 0, -10)
	r.s.SetLang("pl")
	r.offerYear(next)
	text := r.text()
	title := r.s.Edition().Project(rm).Title.In("pl")
	if !strings.Contains(text, title) || !strings.Contains(text, "zrealizowany") && !strings.Contains(text, "Zrealizowan") {
		t.Fatalf("the promotion screen does not show what was built (%s): %s", title, text)
	}
	if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
		shot(t, r.rig, dir, "kiosk-attract-promotion-pl.png")
	}
}

// shot writes what the window shows.
func shot(t *testing.T, r *rig, dir, name string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, r.w.Canvas().Capture())
}
