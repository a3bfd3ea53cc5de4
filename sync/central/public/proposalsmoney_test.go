package public

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		lang   string
		grosze int64
		grosz  bool
		want   string
	}{
		{"pl", 1_250_000_00, true, "1\u00a0250\u00a0000,00\u00a0zł"}, {"pl", 50_000_00, false, "50\u00a0000\u00a0zł"},
		{"pl", 50_000_50, false, "50\u00a0000,50\u00a0zł"}, {"en", 1_250_000_00, true, "PLN\u00a01\u00a0250\u00a0000.00"},
		{"en", 400_000_00, false, "PLN\u00a0400\u00a0000"}, {"uk", 999_00, false, "999\u00a0зл"}, {"pl", 5, true, "0,05\u00a0zł"},
	} {
		if got := Money(c.lang, c.grosze, c.grosz); got != c.want {
			t.Errorf("Money(%s, %d, %v) = %q, want %q", c.lang, c.grosze, c.grosz, got, c.want)
		}
		// what a page writes, a resident can type back, in every language
		if back, ok := ParseCost(Money(c.lang, c.grosze, c.grosz)); !ok || back != c.grosze {
			t.Errorf("ParseCost(%q) = %d %v", Money(c.lang, c.grosze, c.grosz), back, ok)
		}
	}
}

// TestProposalPagesMoneyInLanguage: the English and Ukrainian pages write
// amounts their readers' way, not with the Polish "zł".
func TestProposalPagesMoneyInLanguage(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	desk := proposals.New(proposals.Config{Store: st, Clock: func() time.Time { return now },
		Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	rc, err := desk.Submit(context.Background(), civicDraft("d01", 1), "", "a")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	want := map[string]string{"pl": "50\u00a0000\u00a0zł", "en": "PLN\u00a050\u00a0000", "uk": "50\u00a0000\u00a0зл"}
	for lang, w := range want {
		for _, path := range []string{"/proposals", "/proposals/p/" + rc.Proposal.ID, "/proposals/new"} {
			_, page := get(t, srv.URL+path+"?lang="+lang)
			if path != "/proposals/new" && !strings.Contains(page, w) {
				t.Errorf("%s %s: no %q", lang, path, w)
			}
			if lang != "pl" && strings.Contains(page, "zł") {
				t.Errorf("%s %s: Polish zł on the page", lang, path)
			}
		}
	}
}

// TestProposalFormTooLarge: a form beyond its bound is answered with a
// translated sentence, not a Go word.
func TestProposalFormTooLarge(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	desk := proposals.New(proposals.Config{Store: st, Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	mux := http.NewServeMux()
	(&Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/proposals/new?lang=uk", strings.NewReader("title="+strings.Repeat("a", 70<<10)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := new(strings.Builder)
	io.Copy(b, resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(b.String(), "Форма задовга") {
		t.Fatalf("%d %q", resp.StatusCode, b.String())
	}
}

// TestLanguageLinksKeepFilters: switching the list's language keeps its filters.
func TestLanguageLinksKeepFilters(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	desk := proposals.New(proposals.Config{Store: st, Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	mux := http.NewServeMux()
	(&Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	_, page := get(t, srv.URL+"/proposals?d=d01&s=rejected&lang=pl")
	if !strings.Contains(page, `href="?d=d01&amp;lang=uk&amp;s=rejected"`) {
		t.Fatalf("the Ukrainian link loses the filters:\n%.2500s", page)
	}
}
