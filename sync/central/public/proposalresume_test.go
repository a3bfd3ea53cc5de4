package public

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// A draft handed over at a kiosk opens on the web form filled in, is sent
// from there like any proposal, and an unknown or expired code says so.
func TestResumeHandedOverDraft(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	clock := func() time.Time { return now }
	desk := proposals.New(proposals.Config{Store: st, Clock: clock,
		Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	hs := &proposals.Handoffs{Clock: clock}
	p := &Proposals{Desk: desk, Msgs: assets.MustMessages()}
	mux := http.NewServeMux()
	p.Routes(mux)
	(&Resume{Proposals: p, Handoffs: hs}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	code, _ := hs.Put(civic.Draft{Pool: "d13", Title: "Ławki nad Wisłą", Summary: "Dziesięć ławek.", Category: "green", Cost: 50_000_00})
	status, page := get(t, srv.URL+proposals.ResumePath(code)+"?lang=pl")
	if status != 200 || !strings.Contains(page, `value="Ławki nad Wisłą"`) || !strings.Contains(page, `value="50000"`) || strings.Contains(page, "kp.") {
		t.Fatalf("resume: %d\n%.3000s", status, page)
	}
	form := url.Values{"pool": {"d13"}, "title": {"Ławki nad Wisłą"}, "summary": {"Dziesięć ławek."}, "cost": {"50000"}, "category": {"green"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/proposals/new", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("submit: %v %v", resp, err)
	}
	now = now.Add(8 * 24 * time.Hour)
	if status, page := get(t, srv.URL+proposals.ResumePath(code)+"?lang=en"); status != 404 || !strings.Contains(page, "no longer opens a draft") {
		t.Fatalf("an expired code: %d\n%.2000s", status, page)
	}
}
