package public

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestSignedResultsInChromium: with a kept signed document the page, with
// JavaScript off, shows the key's fingerprint beside the state and a link
// that downloads the document byte for byte; an outdated one is said to
// be outdated (main had neither).
func TestSignedResultsInChromium(t *testing.T) {
	_, ed, res := resultsServer(t, election.Final, nil)
	fp := "0a1b 2c3d 4e5f 6a7b 8c9d 0e1f 2a3b 4c5d"
	doc := []byte(`{"editionKey":"x","state":"final"}` + "\n")
	res.Signed = &Signed{At: time.Date(2026, 6, 20, 18, 30, 0, 0, time.UTC), Fingerprint: fp, Current: true}
	p := &ResultsPages{Results: func(context.Context) (Results, error) { return res, nil },
		Signed: func(context.Context) ([]byte, error) { return doc, nil }, Msgs: assets.MustMessages()}
	mux := http.NewServeMux()
	p.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := browser.StartWith(t, browser.NoScript, "--window-size=900,1100")
	b.Go(srv.URL + "/results/" + ed.CityPool().ID + "?lang=pl")
	src := b.Wait("/results/"+ed.CityPool().ID, "ostateczne")
	for _, want := range []string{"Wyniki podpisano kluczem edycji 20.06.2026 20:30", fp, `href="/results/signed.json"`, "verify-results results-signed.json --key-fingerprint"} {
		if !strings.Contains(src, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		b.Screenshot(filepath.Join(dir, "results-signed-pl.png"))
	}
	code, got := get(t, srv.URL+"/results/signed.json")
	if code != http.StatusOK || got != string(doc) {
		t.Fatalf("download: %d %q", code, got)
	}

	res.Signed.Current, res.State = false, election.Provisional
	_, page := get(t, srv.URL+"/results?lang=uk")
	if !strings.Contains(page, "уже не відповідають поточному підрахунку") || strings.Contains(page, fp) {
		t.Error("an outdated signed document is not said to be outdated (or its fingerprint is shown as if current)")
	}
}
