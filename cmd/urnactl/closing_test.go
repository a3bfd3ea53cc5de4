package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/kiosk/station"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// closingKiosk is an enrolled kiosk with its own data folder, station and agent.
type closingKiosk struct {
	data string
	q    *queue.Queue
	st   *station.Station
	a    *agent.Agent
	en   agent.Enrollment
	n    int
}

func openClosingKiosk(t *testing.T, data, venue, url string, edition []byte) *closingKiosk {
	t.Helper()
	q, err := openQueue(data)
	if err != nil {
		t.Fatal(err)
	}
	en, err := agent.LoadEnrollment(q)
	if err != nil {
		t.Fatal(err)
	}
	prof, _ := printer.LookupProfile("epson-tm-t20")
	st, err := station.New(edition, venue, q, printer.NewMemory(prof), assets.MustMessages(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a := agent.New(agent.Config{URL: url, Queue: q, EditionKey: en.EditionKey})
	return &closingKiosk{data: data, q: q, st: st, a: a, en: en}
}

func (k *closingKiosk) vote(t *testing.T, ed *election.Edition, n int) {
	t.Helper()
	for range n {
		k.n++
		k.voteAs(t, ed, k.q.KioskID()+"-"+string(rune('A'+k.n)))
	}
}

// voteAs casts one ballot for the voter with this code.
func (k *closingKiosk) voteAs(t *testing.T, ed *election.Edition, code string) {
	t.Helper()
	b := election.Ballot{Edition: ed.ID, District: "d18"}
	for _, pool := range []string{"city", "d18"} {
		ps := ed.ProjectsIn(pool)
		b.Selections = append(b.Selections, election.Selection{Pool: pool, Choices: []election.Choice{
			{Project: ps[0].ID, Points: 3}, {Project: ps[1].ID, Points: 2}, {Project: ps[2].ID, Points: 1}}})
	}
	id := election.Identity{Kind: election.ByCode, Value: code}
	if _, err := k.q.Append(b, election.NewVoterKey(k.en.VoterSecret, id), ed.Version); err != nil {
		t.Fatal(err)
	}
}

// states is each kiosk's reconciliation state and ballots still to come.
func states(t *testing.T, st store.Store) map[string]central.Point {
	t.Helper()
	ps, err := central.Reconcile(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]central.Point{}
	for _, p := range ps {
		out[p.Kiosk] = p
	}
	return out
}

// TestClosingDay: three voting points close. One reconciles online; one
// is offline (only its small closing report gets through) until its
// ballots arrive by USB the next morning; one was restored from an old
// backup, so its closing report disagrees with what the central holds,
// and the coordinator signs it off with a reason. The points' states
// change as they should, and the results go from provisional to final
// (on main there was no closing report to compare, nor a state).
func TestClosingDay(t *testing.T) {
	ctx := context.Background()
	cdir := t.TempDir()
	central.Init(cdir)
	keys, _ := central.LoadKeys(cdir)
	st, err := store.OpenBolt(filepath.Join(cdir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	var eb bytes.Buffer
	election.EncodeEdition(&eb, ed)
	if _, err := central.Publish(ctx, st, keys, eb.Bytes()); err != nil {
		t.Fatal(err)
	}
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		RatePerKiosk: 1000, Burst: 1000})
	hash, _ := bcrypt.GenerateFromPassword([]byte("koordynatorka-2025!"), bcrypt.MinCost)
	web := central.NewWeb(srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}})
	h := httptest.NewServer(web.Handler())
	defer h.Close()
	dash := signIn(t, h.URL, "anna", "koordynatorka-2025!")

	var ks []*closingKiosk
	venues := []string{"bk-podgorze", "bk-bienczyce", "nck"}
	for _, venue := range venues {
		code, _ := central.NewEnrollCode(ctx, st, venue, time.Hour, time.Now())
		data := t.TempDir()
		if err := cmdEnroll([]string{"--server", h.URL, "--code", code, "--data", data}); err != nil {
			t.Fatal(err)
		}
		k := openClosingKiosk(t, data, venue, h.URL, eb.Bytes())
		if _, err := k.st.OpenPolls(ctx, "pl"); err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	online, offline, restored := ks[0], ks[1], ks[2]
	defer func() {
		for _, k := range ks {
			k.q.Close()
		}
	}()

	// polls open: every point without a report, results provisional
	s, err := central.ResultsStatus(ctx, st, time.Now(), true, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != election.Provisional || !hasProblem(s.Problems, "results.polls_open", "") {
		t.Fatalf("while polls are open: %+v", s)
	}

	// the day: the online point syncs all it takes; the offline one
	// syncs two ballots before its link drops; the third is backed up
	// after two ballots, takes two more and syncs them
	online.vote(t, ed, 4)
	online.voteAs(t, ed, "twice") // this resident votes again at the offline point
	offline.vote(t, ed, 2)
	for _, k := range ks[:2] {
		if _, err := k.a.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	offline.vote(t, ed, 2)
	offline.voteAs(t, ed, "twice")
	restored.vote(t, ed, 2)
	restored.q.Close()
	backup := filepath.Join(t.TempDir(), "kiosk.db")
	copyFile(t, filepath.Join(restored.data, "kiosk.db"), backup)
	restored = openClosingKiosk(t, restored.data, "nck", h.URL, eb.Bytes())
	restored.n = 2
	restored.vote(t, ed, 2)
	if _, err := restored.a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// the kiosk's disk fails; the technician restores the morning's backup
	restored.q.Close()
	copyFile(t, backup, filepath.Join(restored.data, "kiosk.db"))
	restored = openClosingKiosk(t, restored.data, "nck", h.URL, eb.Bytes())
	ks[2] = restored

	// closing: each point prints and signs its closing report
	for _, k := range ks {
		if _, err := k.st.ClosePolls(ctx, "pl"); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []*closingKiosk{online, restored} {
		if sent, err := k.a.SendClosing(ctx); err != nil || !sent {
			t.Fatalf("closing report not sent: %v %v", sent, err)
		}
	}
	// the offline point's link carries the small report, not the ballots
	if sent, err := offline.a.SendClosing(ctx); err != nil || !sent {
		t.Fatalf("closing report not sent: %v %v", sent, err)
	}
	if sent, _ := online.a.SendClosing(ctx); sent {
		t.Fatal("a closing report sent twice")
	}

	got := states(t, st)
	want := map[string]election.PointState{online.q.KioskID(): election.Reconciled, offline.q.KioskID(): election.Pending,
		restored.q.KioskID(): election.Differing}
	for id, w := range want {
		if got[id].State != w {
			t.Errorf("%s: %s, want %s (%+v)", id, got[id].State, w, got[id])
		}
	}
	if got[offline.q.KioskID()].Missing != 3 {
		t.Errorf("pending point: %d ballots on their way, want 3", got[offline.q.KioskID()].Missing)
	}
	page := dash.page(t, "/dashboard/reconcile?lang=pl")
	for id, w := range want {
		if !strings.Contains(page, `data-kiosk="`+id+`" data-state="`+string(w)+`"`) {
			t.Errorf("the dashboard does not show %s as %s", id, w)
		}
	}
	for _, text := range []string{"karty w drodze", "brakuje 3 kart", "niezgodny", "zgodny", "Stan wyników: wstępne"} {
		if !strings.Contains(page, text) {
			t.Errorf("the dashboard lacks %q", text)
		}
	}
	afterClose := ed.Closes.Add(time.Hour)
	s, _ = central.ResultsStatus(ctx, st, afterClose, true, true)
	if s.State != election.Provisional || !hasProblem(s.Problems, "results.point_pending", offline.q.KioskID()) ||
		!hasProblem(s.Problems, "results.point_differing", restored.q.KioskID()) || hasProblem(s.Problems, "results.polls_open", "") {
		t.Fatalf("after closing: %+v", s)
	}

	// the next morning the offline point's ballots arrive by USB, with
	// its closing report in the same file
	offline.q.Close()
	usb := filepath.Join(t.TempDir(), "ballots.jsonl")
	if err := cmdExportBallots([]string{"--data", offline.data, "--out", usb}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(usb)
	counts, err := srv.ImportBallots(ctx, f)
	f.Close()
	if err != nil || counts[wire.Accepted] != 4 || counts[wire.Duplicate] != 1 || len(counts) != 3 || counts[central.ClosingKept] != 1 {
		t.Fatalf("USB import: %v %v", counts, err)
	}
	got = states(t, st)
	if got[offline.q.KioskID()].State != election.Reconciled || got[restored.q.KioskID()].State != election.Differing {
		t.Fatalf("after the USB import: %+v", got)
	}
	s, _ = central.ResultsStatus(ctx, st, afterClose, true, true)
	if s.State != election.Provisional || len(s.Problems) != 1 || !hasProblem(s.Problems, "results.point_differing", restored.q.KioskID()) {
		t.Fatalf("after the USB import: %+v", s)
	}

	// a sign-off needs a reason; with one, the results are final once signed
	code, body := dash.post(t, "/dashboard/reconcile/signoff?lang=pl", url.Values{"kiosk": {restored.q.KioskID()}, "reason": {"  "}})
	if code != http.StatusBadRequest || !strings.Contains(body, "Podaj powód zatwierdzenia punktu.") {
		t.Fatalf("sign-off without a reason: %d", code)
	}
	reason := "dysk wymieniony, przywrócona kopia z rana; 4 podpisane głosy są na serwerze"
	if code, _ := dash.post(t, "/dashboard/reconcile/signoff", url.Values{"kiosk": {restored.q.KioskID()}, "reason": {reason}}); code != http.StatusOK {
		t.Fatalf("sign-off: %d", code)
	}
	if page := dash.page(t, "/dashboard/reconcile?lang=en"); !strings.Contains(page, "Signed off by anna") || !strings.Contains(page, reason) {
		t.Fatal("the dashboard does not show the sign-off and its reason")
	}
	s, _ = central.ResultsStatus(ctx, st, afterClose, true, false)
	if s.State != election.Provisional || len(s.Problems) != 1 || s.Problems[0].Key != "results.not_signed" {
		t.Fatalf("signed off, not yet signed: %+v", s)
	}
	s, _ = central.ResultsStatus(ctx, st, afterClose, true, true)
	if s.State != election.Final {
		t.Fatalf("signed off and signed: %+v", s)
	}
	if total, counted, _ := st.Counts(ctx); total != 14 || counted != 13 {
		t.Fatalf("central holds %d, counts %d", total, counted)
	}

	// the public page says where the results stand: every point is
	// settled, and only the edition key's signature is missing
	resp, err := http.Get(h.URL + "/results/city?lang=pl")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(pub), "wstępne") || !strings.Contains(string(pub), "Wyniki nie są jeszcze podpisane kluczem edycji.") ||
		strings.Contains(string(pub), "Punkt k-") || !strings.Contains(string(pub), "Wybrane projekty") || !strings.Contains(string(pub), "Odłożone karty: 1.") {
		t.Fatalf("public results page: %d", resp.StatusCode)
	}

	// per point and day: turnout, online, by USB, set aside
	day := time.Now().In(ed.Location()).Format("2006-01-02")
	subs, err := central.Subtotals(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	wantSubs := []central.Subtotal{
		{Venue: "bk-bienczyce", Day: day, Counted: 4, Online: 2, USB: 3, SetAside: 1},
		{Venue: "bk-podgorze", Day: day, Counted: 5, Online: 5},
		{Venue: "nck", Day: day, Counted: 4, Online: 4},
	}
	if !slices.Equal(subs, wantSubs) {
		t.Fatalf("subtotals %+v, want %+v", subs, wantSubs)
	}
	page = dash.page(t, "/dashboard/reconcile?lang=pl")
	if !strings.Contains(page, `data-venue="bk-bienczyce" data-day="`+day+`" data-counts="4/2/3/1"`) || !strings.Contains(page, "Przywiezione na USB") {
		t.Fatal("the dashboard does not show the subtotals")
	}
}

// dashClient is a signed-in browser of the dashboard.
type dashClient struct {
	c    *http.Client
	base string
}

func signIn(t *testing.T, base, user, pass string) *dashClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	d := &dashClient{c: &http.Client{Jar: jar}, base: base}
	if code, _ := d.post(t, "/login", url.Values{"user": {user}, "password": {pass}}); code != http.StatusOK {
		t.Fatalf("sign-in: %d", code)
	}
	return d
}

func (d *dashClient) page(t *testing.T, path string) string {
	t.Helper()
	resp, err := d.c.Get(d.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s", path, resp.Status)
	}
	return string(b)
}

func (d *dashClient) post(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := d.c.PostForm(d.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func hasProblem(ps election.Problems, key, detail string) bool {
	return slices.ContainsFunc(ps, func(p election.Problem) bool { return p.Key == key && (detail == "" || p.Detail == detail) })
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}
