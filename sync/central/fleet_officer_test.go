package central_test

import (
	"context"
	"crypto/ed25519"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// officerSite is a signed-in coordinator on a fleet of kiosks enrolled
// directly in the store, none of which has reported yet.
func officerSite(t *testing.T, enrolled time.Time, ids ...string) (*rig, *site, []string) {
	t.Helper()
	r := newRig(t, bolt(t))
	pub, _, _ := ed25519.GenerateKey(nil)
	for _, id := range ids {
		if err := r.st.AddKiosk(context.Background(), store.Kiosk{ID: id, Venue: r.ed.Venues[0].ID, PublicKey: pub, Enrolled: enrolled}); err != nil {
			t.Fatal(err)
		}
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	s := &site{h: central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}, MetricsToken: fleetMetricsToken}).Handler(), host: "urna.example"}
	own := []string{"Origin", "http://urna.example", "Sec-Fetch-Site", "same-origin"}
	rec := s.do(http.MethodPost, "/login", "192.0.2.1", url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}}, own...)
	if !signedIn(rec) {
		t.Fatalf("sign-in: %d", rec.Code)
	}
	return r, s, append([]string{"Cookie", rec.Result().Cookies()[0].String(), "Accept-Language", "pl"}, own...)
}

// A coordinator revokes a stolen kiosk from the fleet page, with the
// central running: a first post asks again, naming the kiosk and its
// venue; the confirmed one revokes it, is logged with who, and comes back
// to the filtered page it was sent from (never to another site).
func TestFleetRevokeFromDashboard(t *testing.T) {
	r, s, hdr := officerSite(t, time.Now(), "k-stolen")
	ctx := context.Background()
	venue := r.ed.Venues[0]
	if page := s.do(http.MethodGet, "/dashboard", "192.0.2.1", nil, hdr...).Body.String(); !strings.Contains(page, `action="/dashboard/kiosk/revoke"`) || !strings.Contains(page, "Unieważnij") {
		t.Fatal("the fleet page has no revoke button")
	}
	back := "/dashboard?page=1&venue=" + url.QueryEscape(venue.ID)
	form := url.Values{"kiosk": {"k-stolen"}, "back": {back}}
	rec := s.do(http.MethodPost, "/dashboard/kiosk/revoke", "192.0.2.1", form, hdr...)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Unieważnić kiosk k-stolen w punkcie "+venue.Name) || !strings.Contains(rec.Body.String(), `name="confirm" value="1"`) {
		t.Fatalf("revoke asks no confirmation naming the kiosk and venue: %d\n%s", rec.Code, rec.Body.String())
	}
	if k, _ := r.st.Kiosk(ctx, "k-stolen"); !k.Revoked.IsZero() {
		t.Fatal("revoked before the confirmation")
	}
	form.Set("confirm", "1")
	rec = s.do(http.MethodPost, "/dashboard/kiosk/revoke", "192.0.2.1", form, hdr...)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != back {
		t.Fatalf("confirmed revoke: %d → %q, want 303 → %q", rec.Code, rec.Header().Get("Location"), back)
	}
	if k, _ := r.st.Kiosk(ctx, "k-stolen"); k.Revoked.IsZero() {
		t.Fatal("the kiosk is not revoked")
	}
	form.Set("back", "//evil.example/dashboard")
	if rec := s.do(http.MethodPost, "/dashboard/kiosk/revoke", "192.0.2.1", form, hdr...); rec.Header().Get("Location") != "/dashboard" {
		t.Fatalf("revoke sent the coordinator to %q", rec.Header().Get("Location"))
	}
}

// Setting a kiosk aside asks for a confirmation too, and both come back
// to the page's venue, district, alert and page filters.
func TestFleetSetAsideConfirmsAndKeepsFilters(t *testing.T) {
	r, s, hdr := officerSite(t, time.Now(), "k-1")
	ctx := context.Background()
	filtered := "/dashboard?venue=" + url.QueryEscape(r.ed.Venues[0].ID)
	page := html.UnescapeString(s.do(http.MethodGet, filtered, "192.0.2.1", nil, hdr...).Body.String())
	if !strings.Contains(page, `name="back" value="`+filtered+`"`) {
		t.Fatal("the fleet page's forms do not carry the filtered page back")
	}
	form := url.Values{"kiosk": {"k-1"}, "aside": {"1"}, "back": {"/dashboard?alert=review&district=x"}}
	rec := s.do(http.MethodPost, "/dashboard/kiosk/setaside", "192.0.2.1", form, hdr...)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Odłożyć głosy kiosku k-1 w punkcie "+r.ed.Venues[0].Name) {
		t.Fatalf("set-aside asks no confirmation: %d\n%s", rec.Code, rec.Body.String())
	}
	if k, _ := r.st.Kiosk(ctx, "k-1"); !k.SetAside.IsZero() {
		t.Fatal("set aside before the confirmation")
	}
	form.Set("confirm", "1")
	rec = s.do(http.MethodPost, "/dashboard/kiosk/setaside", "192.0.2.1", form, hdr...)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dashboard?alert=review&district=x" {
		t.Fatalf("set aside: %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	if k, _ := r.st.Kiosk(ctx, "k-1"); k.SetAside.IsZero() {
		t.Fatal("not set aside")
	}
}

// A kiosk enrolled and never heard from is an alert past the grace
// period, and /metrics says when it was enrolled so that the offline rule
// fires; its row shows no skew, number or printer state it never sent.
func TestFleetAlertsNeverReported(t *testing.T) {
	enrolled := time.Now().Add(-40 * time.Minute)
	_, s, hdr := officerSite(t, enrolled, "k-silent")
	page := s.do(http.MethodGet, "/dashboard", "192.0.2.1", nil, hdr...).Body.String()
	if !strings.Contains(page, "nie zgłosił się od rejestracji 40 min temu") || strings.Contains(page, "Brak alertów") {
		t.Errorf("no alert for a kiosk that never reported:\n%s", page)
	}
	row := page[strings.Index(page, "<tr><td>k-silent"):]
	row = row[:strings.Index(row, "</tr>")]
	if strings.Contains(row, ">0 s<") || strings.Contains(row, `<td class="num">0</td><td><form`) || strings.Contains(row, "pill ok") {
		t.Errorf("a never-seen kiosk shows values it never sent: %s", row)
	}
	rec := s.do(http.MethodGet, "/metrics", "192.0.2.1", nil, "Authorization", "Bearer "+fleetMetricsToken)
	want := `urna_kiosk_enrolled_timestamp_seconds{kiosk="k-silent",venue=`
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics has no %s…:\n%s", want, rec.Body.String())
	}
	// within the grace period: no alert yet
	_, s, hdr = officerSite(t, time.Now(), "k-new")
	if page := s.do(http.MethodGet, "/dashboard", "192.0.2.1", nil, hdr...).Body.String(); strings.Contains(page, "nie zgłosił się od rejestracji") {
		t.Error("a kiosk enrolled a moment ago is already alerted")
	}
}

// A page past the last shows the last page's kiosks and labels; a filter
// that matches nothing says so.
func TestFleetPagingLabelsInsideData(t *testing.T) {
	r, _ := fleetOf(t, 36)
	c, u := fleetClient(t, r)
	page := getFleet(t, c, u+"/dashboard?page=2&lang=pl")
	if n := len(fleetRows(page)); n != 36 || !strings.Contains(page, "Kioski 1–36 z 36") {
		t.Errorf("?page=2 of 36 kiosks: %d rows, label %q", n, between(page, `id="shown">`, "<"))
	}
	page = getFleet(t, c, u+"/dashboard?alert=version&lang=pl")
	if strings.Contains(page, "0–0 z 0") || !strings.Contains(page, "Żaden kiosk nie pasuje do tych filtrów.") {
		t.Errorf("an empty filter does not say no kiosk matches: %q", between(page, "<h2>", "</table>"))
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// A printer that cannot tell its state has one name: "unknown" on the
// fleet page and in /metrics, with no printer alert (it still prints).
func TestFleetPrinterUnknownOneName(t *testing.T) {
	r, s, hdr := officerSite(t, time.Now(), "k-nostatus")
	if err := r.st.RecordHeartbeat(context.Background(), "k-nostatus", wire.Heartbeat{Version: "0.6.0", Printer: "unknown", KioskTime: time.Now()}, time.Now()); err != nil {
		t.Fatal(err)
	}
	page := s.do(http.MethodGet, "/dashboard?lang=pl", "192.0.2.1", nil, hdr...).Body.String()
	if !strings.Contains(page, ">nieznany</span>") || strings.Contains(page, "drukarka: unknown") || !strings.Contains(page, "Brak alertów") {
		t.Errorf("the fleet page does not call the printer state unknown without an alert:\n%s", between(page, "<h2>", "</table>"))
	}
	rec := s.do(http.MethodGet, "/metrics", "192.0.2.1", nil, "Authorization", "Bearer "+fleetMetricsToken)
	body, _ := io.ReadAll(rec.Result().Body)
	if !strings.Contains(string(body), `state="unknown"`) || strings.Contains(string(body), `kiosk="k-nostatus",state="other"`) {
		t.Errorf("/metrics names the printer state otherwise:\n%s", body)
	}
}

// What a coordinator sees at 1280 px: a kiosk that never reported is an
// alert with a Revoke button; the confirmation names it and its venue,
// and the confirmed revoke comes back to the same filtered page.
func TestFleetRevokeInBrowser(t *testing.T) {
	r := newRig(t, bolt(t))
	pub, _, _ := ed25519.GenerateKey(nil)
	venue := r.ed.Venues[0]
	if err := r.st.AddKiosk(context.Background(), store.Kiosk{ID: "k-lost", Venue: venue.ID, PublicKey: pub, Enrolled: time.Now().Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	h := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}}).Handler())
	defer h.Close()
	shots := os.Getenv("URNA_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	os.MkdirAll(shots, 0o755)

	b := browser.StartWith(t, "--window-size=1280,900")
	b.Go(h.URL + "/login?lang=pl")
	b.Wait("/login", "Logowanie pracowników urzędu")
	b.Type(b.Find("#user"), "anna")
	b.Type(b.Find("#password"), "urzednik-2025!")
	b.Click(b.Find("#login"))
	b.Wait("/dashboard", "k-lost")
	filtered := "/dashboard?venue=" + url.QueryEscape(venue.ID)
	b.Go(h.URL + filtered)
	b.Wait("/dashboard", "nie zgłosił się od rejestracji 120 min temu")
	b.Screenshot(filepath.Join(shots, "dashboard-fleet-never-reported.png"))
	b.Click(b.Find("button.revoke"))
	b.Wait("/dashboard/kiosk/revoke", "Unieważnić kiosk k-lost w punkcie "+venue.Name)
	b.Screenshot(filepath.Join(shots, "dashboard-fleet-revoke-confirm.png"))
	b.Click(b.Find("#confirm"))
	src := b.Wait("/dashboard", "unieważniony ")
	if !strings.HasSuffix(b.URL(), filtered) {
		t.Errorf("after the revoke the coordinator is at %s, not back at %s", b.URL(), filtered)
	}
	if strings.Contains(src, `class="revoke"`) {
		t.Error("a revoked kiosk still has a Revoke button")
	}
	b.Screenshot(filepath.Join(shots, "dashboard-fleet-revoked.png"))
}
