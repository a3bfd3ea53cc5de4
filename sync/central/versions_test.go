package central_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestFleetShowsVersionsAndMinimum: the fleet page shows each kiosk's
// version, from its heartbeat, and once the edition names a minimum it
// flags the kiosk below it (whose point will not open); /metrics says so.
func TestFleetShowsVersionsAndMinimum(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	ed, _ := election.DecodeEdition(bytes.NewReader(demoEdition(t)))
	ed.MinKioskVersion = "0.7.0"
	var buf bytes.Buffer
	election.EncodeEdition(&buf, ed)
	if _, err := central.Publish(ctx, r.st, r.keys, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for _, v := range []string{"0.6.3", "0.7.1"} {
		k := r.kiosk("")
		a := agent.New(agent.Config{URL: r.http.URL, Queue: k.q, EditionKey: k.er.EditionKey,
			Heartbeat: func() wire.Heartbeat { return wire.Heartbeat{Printer: "ok", Version: v} }})
		if _, err := a.SendHeartbeat(ctx); err != nil {
			t.Fatal(err)
		}
		versions[v] = k.q.KioskID()
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	web := central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}, MetricsToken: "metrics-token-0123456789"})
	h := httptest.NewServer(web.Handler())
	defer h.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(h.URL+"/login", url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}})
	if err != nil || len(resp.Cookies()) == 0 {
		t.Fatalf("sign-in: %v", err)
	}
	resp.Body.Close()
	code, page := get(t, h.URL+"/dashboard?lang=pl", "Cookie", resp.Cookies()[0].String())
	if code != http.StatusOK {
		t.Fatalf("fleet page: %d", code)
	}
	for _, v := range []string{"0.6.3", "0.7.1"} {
		if !strings.Contains(page, "<td>"+v+"</td>") {
			t.Errorf("the fleet page does not show version %s", v)
		}
	}
	old := "wersja 0.6.3 jest starsza niż wymagana 0.7.0"
	if !strings.Contains(page, old) || strings.Contains(page, "wersja 0.7.1 jest starsza") {
		t.Errorf("the fleet page does not flag just the kiosk below 0.7.0:\n%s", page)
	}
	fams := scrape(t, h.URL+"/metrics")
	if v := value(t, fams, "urna_kiosk_version_below_minimum", map[string]string{"kiosk": versions["0.6.3"]}).GetGauge().GetValue(); v != 1 {
		t.Errorf("0.6.3 below 0.7.0: %v", v)
	}
	if v := value(t, fams, "urna_kiosk_version_below_minimum", map[string]string{"kiosk": versions["0.7.1"]}).GetGauge().GetValue(); v != 0 {
		t.Errorf("0.7.1 below 0.7.0: %v", v)
	}
}
