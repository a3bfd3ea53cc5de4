package central_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/sync/central"
)

// A coordinator sets a kiosk's ballots aside from the fleet page and
// releases them again; the form is refused when another site posts it.
func TestSetAsideFromDashboard(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	k := r.kiosk("")
	b := k.vote(t, r.ed, 900)
	k.a.SyncOnce(ctx)
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	s := &site{h: central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}}).Handler(), host: "urna.example"}
	own := []string{"Origin", "http://urna.example", "Sec-Fetch-Site", "same-origin"}
	rec := s.do(http.MethodPost, "/login", "192.0.2.1", url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}}, own...)
	if !signedIn(rec) {
		t.Fatalf("sign-in: %d", rec.Code)
	}
	cookie := []string{"Cookie", rec.Result().Cookies()[0].String(), "Accept-Language", "pl"}
	page := s.do(http.MethodGet, "/dashboard", "192.0.2.1", nil, cookie...).Body.String()
	if !strings.Contains(page, `action="/dashboard/kiosk/setaside"`) || !strings.Contains(page, "Odłóż głosy do sprawdzenia") {
		t.Fatal("the fleet page has no set-aside button")
	}
	form := url.Values{"kiosk": {k.q.KioskID()}, "aside": {"1"}, "confirm": {"1"}}
	if rec := s.do(http.MethodPost, "/dashboard/kiosk/setaside", "192.0.2.1", form, append(cookie, "Origin", "https://evil.example")...); rec.Code != http.StatusForbidden {
		t.Fatalf("posted from another site: %d", rec.Code)
	}
	if ks, _ := r.st.Kiosk(ctx, k.q.KioskID()); !ks.SetAside.IsZero() {
		t.Fatal("set aside by another site's form")
	}
	if rec := s.do(http.MethodPost, "/dashboard/kiosk/setaside", "192.0.2.1", form, append(cookie, own...)...); rec.Code != http.StatusSeeOther {
		t.Fatalf("set aside: %d %s", rec.Code, rec.Body.String())
	}
	if st, _ := r.st.Ballot(ctx, b.ID); st.Counted || st.Hold == "" {
		t.Fatalf("the kiosk's ballot after setting it aside: %+v", st)
	}
	page = s.do(http.MethodGet, "/dashboard", "192.0.2.1", nil, cookie...).Body.String()
	if !strings.Contains(page, "Przywróć głosy") {
		t.Fatal("no release button for a kiosk set aside")
	}
	form.Set("aside", "0")
	s.do(http.MethodPost, "/dashboard/kiosk/setaside", "192.0.2.1", form, append(cookie, own...)...)
	if st, _ := r.st.Ballot(ctx, b.ID); !st.Counted {
		t.Fatal("the ballot does not count after the release")
	}
	form.Set("kiosk", "nobody")
	if rec := s.do(http.MethodPost, "/dashboard/kiosk/setaside", "192.0.2.1", form, append(cookie, own...)...); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Nie ma takiego kiosku") {
		t.Fatalf("an unknown kiosk: %d %q", rec.Code, rec.Body.String())
	}
}
