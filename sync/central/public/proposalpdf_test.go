package public

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
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

// TestConfirmationPDFEmoji: characters DejaVu lacks (emoji) do not break the
// confirmation and support list; Polish and Ukrainian letters stay.
func TestConfirmationPDFEmoji(t *testing.T) {
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	p := civic.Proposal{ID: "W-ABCDEFGH", Edition: ed.ID, Pool: "d01", Lang: "pl", Title: "Ławki 🌳🌳 przy Wiśle 👍🏽", Summary: "Zieleń 😀 dla wszystkich, їжак ✅",
		Location: "ul. Długa 1 📍", Category: "green", Cost: 50_000_00, Status: civic.Submitted,
		History: []civic.Event{{At: now, Kind: civic.EvSubmit, Actor: "applicant", Reason: "🙂"}}}
	doc, err := ConfirmationPDF(ed, assets.MustMessages(), "pl", p, "AAAA-BBBB", "CCCC-DDDD-EEEE-FFFF", now)
	if err != nil || !bytes.HasPrefix(doc, []byte("%PDF")) {
		t.Fatalf("ConfirmationPDF with emoji: %v", err)
	}
	for in, want := range map[string]string{"Ławki 🌳 їжак": "Ławki ? їжак", "👍🏽": "?", "❤️ ok": "❤️ ok"} {
		if got := fontSafe(in); got != want {
			t.Errorf("fontSafe(%q) = %q, want %q", in, got, want)
		}
	}
	if testing.Verbose() {
		os.WriteFile(filepath.Join(os.TempDir(), "urna-emoji.pdf"), doc, 0o644)
	}
}

// TestProposalPagesRefuse: over the look-up limit the status page answers
// 429 with Retry-After and a look-up sentence; an emoji in a proposal does
// not make its PDF fail.
func TestProposalPagesRefuse(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	desk := proposals.New(proposals.Config{Store: st, Clock: func() time.Time { return now }, StatusPerAddress: 3, PerAddress: 1,
		Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	dr := civicDraft("d01", 1)
	dr.Title, dr.Location = "Ławki 🌳 przy Wiśle 👍🏽", "ul. Długa 1 📍"
	rc, err := desk.Submit(context.Background(), dr, "", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path string, form url.Values) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path+"?lang=en", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	secret := url.Values{"tracker": {rc.Tracker}, "secret": {rc.Secret}}
	if resp, body := post("/proposals/pdf", secret); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("PDF of a proposal with emoji: %d %.300s", resp.StatusCode, body)
	}
	if resp, _ := post("/proposals/new", url.Values{"pool": {"d01"}, "title": {"Drugi"}, "summary": {"Opis."}, "cost": {"50000"}, "category": {"green"}}); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("submission over the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	withdrawn := func() bool {
		r, _ := desk.Record(context.Background(), rc.Proposal.ID)
		return r.Proposal.Status == civic.Withdrawn
	}
	if resp, body := post("/proposals/status/withdraw", secret); resp.StatusCode != http.StatusUnprocessableEntity || withdrawn() ||
		!strings.Contains(body, "final") {
		t.Errorf("withdrawal without confirming: %d, withdrawn %v", resp.StatusCode, withdrawn())
	}
	var resp *http.Response
	var body string
	for range 3 {
		resp, body = post("/proposals/status", secret)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Retry-After") == "3600" ||
		!strings.Contains(body, "in a minute") || strings.Contains(body, "proposals have already come") {
		t.Errorf("look-ups over the limit: %d, Retry-After %q\n%.3000s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
