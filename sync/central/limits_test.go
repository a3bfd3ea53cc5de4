package central_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// clock is a clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// site is the web pages of a central, reached in process so that each
// request can come from an address of the test's choosing.
type site struct {
	h    http.Handler
	host string
}

func newSite(t *testing.T, st store.Store, clk *clock, cfg central.WebConfig, trusted ...netip.Prefix) *site {
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	cfg.Users = map[string]string{"anna": string(hash)}
	srv := central.New(central.Config{Store: st, Clock: clk.Now, Limits: cfg.Limits, TrustedProxies: trusted})
	return &site{h: central.NewWeb(srv, cfg).Handler(), host: "urna.example"}
}

// do sends a request from addr with the given headers (name, value, …).
func (s *site) do(method, path, addr string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, "http://"+s.host+path, body)
	req.RemoteAddr = addr + ":40000"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func (s *site) signIn(addr, password string) *httptest.ResponseRecorder {
	return s.do(http.MethodPost, "/login", addr, url.Values{"user": {"anna"}, "password": {password}})
}

func signedIn(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusSeeOther && rec.Header().Get("Location") == "/dashboard"
}

func t0() *clock { return &clock{now: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)} }

// TestSignInLockoutPerAccount: wrong passwords from ever new addresses
// (each well under its own address's limit) lock the account: the right
// password is refused too until the lockout has passed. Before, only the
// address was limited, so rotating addresses gave unlimited guesses.
func TestSignInLockoutPerAccount(t *testing.T) {
	clk := t0()
	s := newSite(t, bolt(t), clk, central.WebConfig{})
	for i := range 5 {
		if rec := s.signIn(fmt.Sprintf("198.51.100.%d", i), "guess-"+fmt.Sprint(i)); rec.Header().Get("Location") != "/login?m=wrong" {
			t.Fatalf("wrong password %d: %d %s", i, rec.Code, rec.Header().Get("Location"))
		}
	}
	rec := s.signIn("203.0.113.7", "urzednik-2025!")
	if signedIn(rec) || rec.Header().Get("Location") != "/login?m=locked" {
		t.Fatalf("the right password after 5 wrong ones from 5 addresses: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	page := s.do(http.MethodGet, "/login?m=locked&lang=pl", "203.0.113.7", nil).Body.String()
	if !strings.Contains(page, "konto jest zablokowane") {
		t.Fatal("the sign-in page does not say the account is locked")
	}
	clk.Add(5 * time.Minute) // one wrong password's worth refilled
	if rec := s.signIn("203.0.113.7", "urzednik-2025!"); !signedIn(rec) {
		t.Fatalf("after the lockout: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}

// TestDashboardFormsRefuseOtherOrigins: a form posted by another site's
// page (Origin or Sec-Fetch-Site says so) is refused with a translated
// sentence, signed in or not; the dashboard's own forms go through.
func TestDashboardFormsRefuseOtherOrigins(t *testing.T) {
	r := newRig(t, bolt(t))
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	s := &site{h: central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}}).Handler(), host: "urna.example"}
	own := []string{"Origin", "http://urna.example", "Sec-Fetch-Site", "same-origin"}
	rec := s.do(http.MethodPost, "/login", "192.0.2.1", url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}}, own...)
	if !signedIn(rec) {
		t.Fatalf("sign-in from the dashboard's own page: %d", rec.Code)
	}
	cookie := rec.Result().Cookies()[0]
	forged := map[string][]string{
		"origin":         {"Origin", "https://evil.example"},
		"sec-fetch-site": {"Sec-Fetch-Site", "cross-site"},
	}
	for name, hdr := range forged {
		for _, path := range []string{"/login", "/logout", "/dashboard/admin/code"} {
			rec := s.do(http.MethodPost, path, "192.0.2.1", url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}, "venue": {"nck"}},
				append([]string{"Cookie", cookie.String(), "Accept-Language", "pl"}, hdr...)...)
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "z innej strony internetowej") {
				t.Errorf("%s from another site (%s): %d %q", path, name, rec.Code, rec.Body.String())
			}
		}
	}
	if rec := s.do(http.MethodGet, "/dashboard", "192.0.2.1", nil, "Cookie", cookie.String()); rec.Code != http.StatusOK {
		t.Fatalf("a refused logout ended the sign-in: %d", rec.Code)
	}
	rec = s.do(http.MethodPost, "/dashboard/admin/code", "192.0.2.1", url.Values{"venue": {"nck"}}, append([]string{"Cookie", cookie.String()}, own...)...)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="code"`) {
		t.Fatalf("an enrollment code from the dashboard's own form: %d", rec.Code)
	}
}

// TestEnrollRateLimited: enrollment requests from one address are limited
// (guessing codes, or flooding the store), other addresses are not.
func TestEnrollRateLimited(t *testing.T) {
	clk := t0()
	s := newSite(t, bolt(t), clk, central.WebConfig{})
	body := `{"code":"AAAA-BBBB-CCCC","publicKey":"` + strings.Repeat("A", 43) + `="}`
	enroll := func(addr string) int {
		req := httptest.NewRequest(http.MethodPost, wire.PathEnroll, strings.NewReader(body))
		req.RemoteAddr = addr + ":40000"
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		return rec.Code
	}
	codes := map[int]int{}
	for range 40 {
		codes[enroll("198.51.100.1")]++
	}
	// Refused (403 a wrong code; 409 before any catalog is published) until
	// the limit answers 429.
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusForbidden]+codes[http.StatusConflict] != 20 {
		t.Fatalf("40 enrollments from one address: %v", codes)
	}
	if c := enroll("198.51.100.2"); c != http.StatusForbidden && c != http.StatusConflict {
		t.Fatalf("another address: %d", c)
	}
	// IPv6: one subscriber's /64 is one address.
	codes = map[int]int{}
	for i := range 40 {
		codes[enroll(fmt.Sprintf("[2001:db8:1:2::%x]", i+1))]++
	}
	if codes[http.StatusTooManyRequests] == 0 {
		t.Fatalf("40 enrollments from 40 addresses of one /64: %v", codes)
	}
	if c := enroll("[2001:db8:1:3::1]"); c != http.StatusForbidden && c != http.StatusConflict {
		t.Fatalf("another /64: %d", c)
	}
}

// TestMetricsNeedToken: /metrics lists kiosk ids, venues and queue depths,
// so it answers only with its token, or on a listener of its own.
func TestMetricsNeedToken(t *testing.T) {
	r := newRig(t, bolt(t))
	r.kiosk("")
	web := central.NewWeb(r.srv, central.WebConfig{MetricsToken: "s3cret-token"})
	h := httptest.NewServer(web.Handler())
	defer h.Close()
	for name, hdr := range map[string][]string{"none": nil, "wrong": {"Authorization", "Bearer guess"}, "basic": {"Authorization", "Basic czNjcmV0LXRva2Vu"}} {
		if code, body := get(t, h.URL+"/metrics", hdr...); code != http.StatusUnauthorized || strings.Contains(body, "urna_kiosk_queue_depth") {
			t.Errorf("metrics with %s token: %d", name, code)
		}
	}
	if code, body := get(t, h.URL+"/metrics", "Authorization", "Bearer s3cret-token"); code != http.StatusOK || !strings.Contains(body, "urna_kiosk_queue_depth{") {
		t.Errorf("metrics with the token: %d", code)
	}
	untokened := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{}).Handler())
	defer untokened.Close()
	if code, _ := get(t, untokened.URL+"/metrics"); code != http.StatusUnauthorized {
		t.Errorf("metrics without a configured token: %d", code)
	}
	own := httptest.NewServer(web.MetricsHandler())
	defer own.Close()
	if code, body := get(t, own.URL+"/metrics"); code != http.StatusOK || !strings.Contains(body, "urna_kiosk_queue_depth{") {
		t.Errorf("metrics on their own listener: %d", code)
	}
	if code, _ := get(t, own.URL+"/dashboard"); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves the dashboard: %d", code)
	}
}

// TestHSTSUnderTLS: pages over TLS tell the browser to stay on TLS.
func TestHSTSUnderTLS(t *testing.T) {
	r := newRig(t, bolt(t))
	h := httptest.NewTLSServer(central.NewWeb(r.srv, central.WebConfig{}).Handler())
	defer h.Close()
	for _, path := range []string{"/check", "/login", "/dashboard"} {
		resp, err := h.Client().Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=31536000") {
			t.Errorf("%s over TLS: Strict-Transport-Security %q", path, got)
		}
	}
	plain := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{}).Handler())
	defer plain.Close()
	resp, _ := http.Get(plain.URL + "/check")
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP (browsers ignore it there; it would only mislead)")
	}
}

// TestHeartbeatOutOfRangeRefused: a heartbeat with a negative or absurd
// number is refused with a reason and changes nothing the dashboard shows.
func TestHeartbeatOutOfRangeRefused(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	cases := map[string]struct {
		hb     wire.Heartbeat
		reason string
	}{
		"negative queue": {wire.Heartbeat{QueueDepth: -1}, "queueDepth"},
		"absurd queue":   {wire.Heartbeat{QueueDepth: 1 << 40}, "queueDepth"},
		"negative disk":  {wire.Heartbeat{FreeDiskMB: -5}, "freeDiskMB"},
		"absurd seq":     {wire.Heartbeat{LastSeq: 1 << 63}, "lastSeq"},
		"negative cat.":  {wire.Heartbeat{Catalog: -1}, "catalog"},
		"long printer":   {wire.Heartbeat{Printer: strings.Repeat("x", 1000)}, "printer"},
	}
	for name, c := range cases {
		// signed as the kiosk would, with numbers its agent never sends
		body, _ := json.Marshal(c.hb)
		resp, answer := post(t, r.http.URL, wire.PathHeartbeat, k.q.KioskID(), k.q.Sign, body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(answer), c.reason) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, answer)
		}
	}
	got, _ := r.st.Kiosk(context.Background(), k.q.KioskID())
	if !got.LastSeen.IsZero() || got.Heartbeat.QueueDepth != 0 {
		t.Fatalf("a refused heartbeat was recorded: %+v", got)
	}
	a := agent.New(agent.Config{URL: r.http.URL, Queue: k.q, EditionKey: k.er.EditionKey,
		Heartbeat: func() wire.Heartbeat { return wire.Heartbeat{QueueDepth: 3, Printer: "ok", Version: "test"} }})
	if _, err := a.SendHeartbeat(context.Background()); err != nil {
		t.Fatalf("an honest heartbeat: %v", err)
	}
}

// TestLimitsSharedByReplicas: two centrals on one PostgreSQL, the store
// keeping the limits. Wrong passwords at one replica lock the account at
// the other, and a check-page burst spent at one is spent at both.
func TestLimitsSharedByReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	clk := t0()
	var replicas []*site
	for range 2 {
		st, err := store.OpenPostgres(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		replicas = append(replicas, newSite(t, st, clk, central.WebConfig{Limits: st, CheckRate: 1, CheckBurst: 10, CheckFloor: time.Millisecond}))
	}
	for i := range 5 {
		replicas[0].signIn(fmt.Sprintf("198.51.100.%d", i), "guess")
	}
	if rec := replicas[1].signIn("203.0.113.7", "urzednik-2025!"); signedIn(rec) {
		t.Fatal("the account locked at one replica signs in at the other")
	}
	for i := range 10 {
		if code := replicas[i%2].do(http.MethodGet, "/check", "192.0.2.9", nil).Code; code != http.StatusOK {
			t.Fatalf("check %d of a burst of 10: %d", i, code)
		}
	}
	for i := range 2 {
		if code := replicas[i].do(http.MethodGet, "/check", "192.0.2.9", nil).Code; code != http.StatusTooManyRequests {
			t.Fatalf("replica %d after the burst was spent across both: %d", i, code)
		}
	}
	if code := replicas[1].do(http.MethodGet, "/check", "192.0.2.10", nil).Code; code != http.StatusOK {
		t.Fatalf("another address: %d", code)
	}
}

var _ limit.Backend = (*store.Postgres)(nil)

// TestSignedQueryAtCentral: a kiosk's signed request whose query string
// was changed on the way is refused at the central.
func TestSignedQueryAtCentral(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	send := func(query string) int {
		req, _ := http.NewRequest(http.MethodGet, r.http.URL+wire.PathCatalog+"?lang=pl", nil)
		wire.SignRequest(req, k.q.KioskID(), k.q.Sign, nil, time.Now())
		req.URL.RawQuery = query
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("lang=pl"); code != http.StatusOK {
		t.Fatalf("as signed: %d", code)
	}
	if code := send("lang=uk"); code != http.StatusUnauthorized {
		t.Fatalf("query changed on the way: %d", code)
	}
}

// TestLimitsBehindProxy: behind a trusted load balancer each client has
// its own budget (X-Forwarded-For names it); from anywhere else the header
// is ignored, so writing a new one for every request buys nothing.
func TestLimitsBehindProxy(t *testing.T) {
	cfg := central.WebConfig{CheckRate: 1, CheckBurst: 10, CheckFloor: time.Millisecond}
	behind := newSite(t, bolt(t), t0(), cfg, netip.MustParsePrefix("10.0.0.0/8"))
	checks := func(s *site, peer string, xff func(i int) string) map[int]int {
		codes := map[int]int{}
		for i := range 15 {
			codes[s.do(http.MethodGet, "/check", peer, nil, "X-Forwarded-For", xff(i)).Code]++
		}
		return codes
	}
	perClient := func(i int) string { return fmt.Sprintf("198.51.100.%d, 10.0.0.7", i) }
	if codes := checks(behind, "10.0.0.5", perClient); codes[http.StatusOK] != 15 {
		t.Fatalf("15 clients behind the balancer, one check each: %v", codes)
	}
	oneClient := func(int) string { return "198.51.100.200" }
	if codes := checks(behind, "10.0.0.5", oneClient); codes[http.StatusTooManyRequests] != 5 {
		t.Fatalf("one client behind the balancer, 15 checks: %v", codes)
	}
	if codes := checks(behind, "203.0.113.9", perClient); codes[http.StatusTooManyRequests] != 5 {
		t.Fatalf("an untrusted peer writing X-Forwarded-For: %v", codes)
	}
	untrusting := newSite(t, bolt(t), t0(), cfg)
	if codes := checks(untrusting, "10.0.0.5", perClient); codes[http.StatusTooManyRequests] != 5 {
		t.Fatalf("no trusted proxies, X-Forwarded-For ignored: %v", codes)
	}
}
