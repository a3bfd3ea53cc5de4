package central_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

func get(t *testing.T, url string, hdr ...string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCheckPage(t *testing.T) {
	r := newRig(t, bolt(t))
	var waits []time.Duration
	web := central.NewWeb(r.srv, central.WebConfig{CheckFloor: 10 * time.Second, CheckRate: 1, CheckBurst: 25,
		// The floor is long and not slept, so that a busy machine's slow
		// lookup still leaves some of it: the test sees what is asked.
		Sleep: func(_ context.Context, d time.Duration) { waits = append(waits, d) }})
	h := httptest.NewServer(web.Handler())
	defer h.Close()
	k, k2 := r.kiosk(""), r.kiosk("")
	counted := k.vote(t, r.ed, 1)
	k.a.SyncOnce(context.Background())
	dup := k2.vote(t, r.ed, 1) // the same resident, later, elsewhere
	k2.a.SyncOnce(context.Background())
	unknown := wire.TrackerOf(strings.Repeat("ab", 32))
	cases := []struct {
		name, tracker string
		want          central.CheckAnswer
		words         map[string]string
	}{
		{"counted", counted.Tracker(), central.CheckAnswer{Received: true, Counted: true},
			map[string]string{"pl": "jest liczony", "en": "is counted", "uk": "зараховується"}},
		{"duplicate", dup.Tracker(), central.CheckAnswer{Received: true, Duplicate: true},
			map[string]string{"pl": "liczy się wcześniejszy", "en": "an earlier vote", "uk": "попередній голос"}},
		{"unknown", unknown, central.CheckAnswer{},
			map[string]string{"pl": "Nie znamy głosu", "en": "We know of no vote", "uk": "не знайдено"}},
	}
	timing := map[string][]time.Duration{}
	for _, c := range cases {
		for lang, word := range c.words {
			start := time.Now()
			code, body := get(t, h.URL+"/check/"+strings.ToLower(c.tracker)+"?lang="+lang)
			timing[c.name] = append(timing[c.name], time.Since(start))
			if code != http.StatusOK || !strings.Contains(body, word) {
				t.Errorf("%s %s: %d, page lacks %q", c.name, lang, code, word)
			}
			for _, secret := range []string{"BO.OM", "BO.XVIII", r.ed.ProjectsIn("city")[0].Title.In("pl"), "voterKey"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s: the page shows %q", c.name, secret)
				}
			}
		}
		_, body := get(t, h.URL+"/check/"+c.tracker, "Accept", "application/json")
		var a central.CheckAnswer
		json.Unmarshal([]byte(body), &a)
		if a.Received != c.want.Received || a.Counted != c.want.Counted || a.Duplicate != c.want.Duplicate || a.Tracker != c.tracker {
			t.Errorf("%s JSON: %s", c.name, body)
		}
		if strings.Contains(body, "selections") || strings.Contains(body, "voterKey") {
			t.Errorf("%s JSON tells too much: %s", c.name, body)
		}
	}
	if code, _ := get(t, h.URL+"/check/NOT-A-CODE?format=json"); code != http.StatusBadRequest {
		t.Errorf("malformed tracker: %d", code)
	}
	if _, body := get(t, h.URL+"/check?tracker=xx&lang=en"); !strings.Contains(body, "XXXX-XXXX-XXXX-XXXX") {
		t.Error("malformed tracker page")
	}
	// Every tracker lookup waits out the same floor: the handler asks to
	// sleep whatever the lookup left of it, never nothing.
	for _, d := range waits {
		if d <= 0 || d > 10*time.Second {
			t.Fatalf("a check waited %v of a 10 s floor", d)
		}
	}
	for name, ds := range timing {
		slices.Sort(ds)
		t.Logf("%s: median answer %v", name, ds[len(ds)/2].Round(time.Millisecond))
	}
	// Rate limit: a burst from one address is stopped.
	limited := false
	for range 40 {
		if code, _ := get(t, h.URL+"/check"); code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("no rate limit on the check page")
	}
}

func TestDashboardInChromium(t *testing.T) {
	r := newRig(t, bolt(t))
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	web := central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}, MetricsToken: "metrics-token"})
	h := httptest.NewServer(web.Handler())
	defer h.Close()
	k1, k2 := r.kiosk(""), r.kiosk("")
	for i := range 7 {
		k1.vote(t, r.ed, i)
	}
	for i := range 3 {
		k2.vote(t, r.ed, 100+i)
	}
	k1.a.SyncOnce(context.Background())
	k2.a.SyncOnce(context.Background())
	k1.a.SendHeartbeat(context.Background())
	stolen := r.kiosk("")
	r.st.RevokeKiosk(context.Background(), stolen.q.KioskID(), time.Now())
	out := agentWithPrinter(k2, h.URL, "paper-out")
	if _, err := out.SendHeartbeat(context.Background()); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("URNA_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	os.MkdirAll(shots, 0o755)

	b := browser.Start(t)
	b.Go(h.URL + "/dashboard")
	b.Wait("/login", "City office sign-in") // headless Chromium asks for English
	b.Go(h.URL + "/login?lang=pl")          // the city office's language, kept in a cookie
	b.Wait("/login", "Logowanie pracowników urzędu")
	b.Type(b.Find("#user"), "anna")
	b.Type(b.Find("#password"), "wrong password")
	b.Click(b.Find("#login"))
	b.Wait("/login", "Nieprawidłowy użytkownik lub hasło.")
	b.Type(b.Find("#user"), "anna")
	b.Type(b.Find("#password"), "urzednik-2025!")
	b.Click(b.Find("#login"))
	src := b.Wait("/dashboard", k2.q.KioskID())
	if !strings.Contains(src, "brak papieru") || !strings.Contains(src, "drukarka: brak papieru") {
		t.Fatal("the fleet page does not show the kiosk without paper")
	}
	if !strings.Contains(src, "unieważniony") {
		t.Fatal("the fleet page does not show the revoked kiosk")
	}
	b.Screenshot(filepath.Join(shots, "dashboard-fleet.png"))
	b.Go(h.URL + "/dashboard/turnout")
	b.Wait("/dashboard/turnout", "chart-venues")
	bars := b.Eval(`return Array.from(document.querySelectorAll('rect.bar')).filter(r => r.getBBox().width > 0).length`)
	if n, _ := bars.(float64); n < 2 {
		t.Fatalf("the charts did not render: %v bars", bars)
	}
	b.Screenshot(filepath.Join(shots, "dashboard-turnout.png"))
	b.Go(h.URL + "/dashboard/results")
	b.Wait("/dashboard/results", "finansowany")
	b.Screenshot(filepath.Join(shots, "dashboard-results.png"))
	b.Go(h.URL + "/dashboard/admin")
	b.Wait("/dashboard/admin", "Nowy kod rejestracyjny")
	b.Click(b.Find("form.inline button"))
	b.Wait("/dashboard/admin/code", `id="code"`)
	// Another language, chosen once, stays for the next pages.
	b.Go(h.URL + "/dashboard?lang=uk")
	src = b.Wait("/dashboard", "Сповіщення")
	if !strings.Contains(src, "принтер: немає паперу") {
		t.Fatal("the Ukrainian fleet page does not show the kiosk without paper")
	}
	b.Screenshot(filepath.Join(shots, "dashboard-fleet-uk.png"))
	b.Go(h.URL + "/dashboard/results")
	b.Wait("/dashboard/results", "фінансується")
	b.Go(h.URL + "/dashboard/turnout?lang=en")
	b.Wait("/dashboard/turnout", "Counted ballots per voting point")
	_, metrics := get(t, h.URL+"/metrics", "Authorization", "Bearer metrics-token")
	for _, m := range []string{`urna_ballots_answered_total{status="accepted"} 10`, "urna_kiosk_queue_depth{", "urna_ballots_stored 10"} {
		if !strings.Contains(metrics, m) {
			t.Errorf("metrics lack %s:\n%s", m, metrics)
		}
	}
}

// TestSignInSharedByReplicas: two replicas on one PostgreSQL behind a load
// balancer without sticky sessions. A sign-in made at one is good at the
// other, and signing out at one ends it at both.
func TestSignInSharedByReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	users := map[string]string{"anna": string(hash)}
	var replicas []*httptest.Server
	for i := range 2 {
		st, err := store.OpenPostgres(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var srv *central.Server
		if i == 0 {
			srv = newRig(t, st).srv
		} else {
			srv = central.New(central.Config{Store: st})
		}
		h := httptest.NewServer(central.NewWeb(srv, central.WebConfig{Users: users}).Handler())
		defer h.Close()
		replicas = append(replicas, h)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	at := func(i int, path string) string { return replicas[i].URL + path }
	resp, err := noRedirect.PostForm(at(0, "/login"), url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("sign-in: %v %v", resp, err)
	}
	cookie := resp.Cookies()[0]
	dashboard := func(i int) int {
		req, _ := http.NewRequest(http.MethodGet, at(i, "/dashboard"), nil)
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if dashboard(0) != http.StatusOK || dashboard(1) != http.StatusOK {
		t.Fatal("the sign-in is not good at both replicas")
	}
	req, _ := http.NewRequest(http.MethodPost, at(1, "/logout"), nil)
	req.AddCookie(cookie)
	if _, err := noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	if dashboard(0) != http.StatusSeeOther {
		t.Fatal("signing out at one replica did not end the sign-in at the other")
	}
}

// TestUserAddedWhileServing: urna-central user add writes users.json while
// serve runs; the new account signs in without a restart.
func TestUserAddedWhileServing(t *testing.T) {
	r := newRig(t, bolt(t))
	file := filepath.Join(t.TempDir(), central.FileUsers)
	anna, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	raw, _ := json.Marshal(map[string]string{"anna": string(anna)})
	os.WriteFile(file, raw, 0o600)
	users, _ := central.Users(raw)
	h := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{Users: users, UsersFile: file}).Handler())
	defer h.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	signIn := func(user, pass string) string {
		resp, err := noRedirect.PostForm(h.URL+"/login", url.Values{"user": {user}, "password": {pass}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Location")
	}
	if got := signIn("bogdan", "kierownik-2025!"); got == "/dashboard" {
		t.Fatal("an unknown account signed in")
	}
	bogdan, _ := bcrypt.GenerateFromPassword([]byte("kierownik-2025!"), bcrypt.MinCost)
	raw, _ = json.Marshal(map[string]string{"anna": string(anna), "bogdan": string(bogdan)})
	if err := atomicfile.Write(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := signIn("bogdan", "kierownik-2025!"); got != "/dashboard" {
		t.Fatalf("the account added while serving: sign-in goes to %q", got)
	}
	if got := signIn("anna", "urzednik-2025!"); got != "/dashboard" {
		t.Fatalf("anna: %q", got)
	}
}
