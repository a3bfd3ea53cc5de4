package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestFinalResultsKeptAndServed: once polls are closed, every point
// reconciled and the audit agrees, signing keeps the document in the
// store (bbolt and PostgreSQL); the public page says final with the key's
// fingerprint and serves the document, which verify-results accepts with
// that fingerprint. A ballot that arrives later makes the page provisional
// again; signing the changed count is refused with what changed, until a
// reason is recorded. Each change of state is logged. (On main the
// central kept no signed results: the page could never say final.)
func TestFinalResultsKeptAndServed(t *testing.T) {
	bin := buildCentral(t)
	for name, open := range map[string]func(testing.TB) store.Store{"bolt": bolt, "postgres": pg} {
		t.Run(name, func(t *testing.T) { finalResults(t, bin, open(t)) })
	}
}

func finalResults(t *testing.T, bin string, st store.Store) {
	ctx := context.Background()
	r := newRig(t, st)
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	if _, err := k.a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	seq, head := k.q.Head()
	rep := wire.ClosingReport{ClosingReport: election.ClosingReport{Kiosk: k.q.KioskID(), Ballots: 3, LastSeq: seq, Head: head},
		Edition: r.ed.ID, ClosedAt: time.Now(), Today: 3}
	if err := k.q.KeepClosing(&rep); err != nil {
		t.Fatal(err)
	}
	if sent, err := k.a.SendClosing(ctx); !sent || err != nil {
		t.Fatalf("closing report: %v %v", sent, err)
	}

	afterClose := r.ed.Closes.Add(time.Hour)
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))
	var clockMu sync.Mutex
	now := afterClose
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	srv := central.New(central.Config{Store: st, EditionKey: r.keys.Edition.Public().(ed25519.PublicKey), Clock: clock, Log: log})
	h := httptest.NewServer(central.NewWeb(srv, central.WebConfig{}).Handler())
	t.Cleanup(h.Close)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	fp := wire.KeyFingerprint(r.keys.Edition.Public().(ed25519.PublicKey))
	// a minute passes before each page: the pages cache the tally for 30 s
	page := func(lang string) string {
		t.Helper()
		clockMu.Lock()
		now = now.Add(time.Minute)
		clockMu.Unlock()
		code, p := get("/results/city?lang=" + lang)
		if code != http.StatusOK {
			t.Fatalf("results page: %d", code)
		}
		return p
	}

	// not signed yet: provisional, nothing to download
	if p := page("pl"); !strings.Contains(p, "wstępne") || !strings.Contains(p, "Wyniki nie są jeszcze podpisane kluczem edycji.") || strings.Contains(p, fp) {
		t.Fatal("before signing, the page does not say provisional, not signed")
	}
	if code, _ := get("/results/signed.json"); code != http.StatusNotFound {
		t.Fatalf("download before signing: %d", code)
	}

	f, s, err := central.PublishResults(ctx, st, r.keys.Edition, "", afterClose, "", log)
	if err != nil || s.State != election.Final || f.State != "final" {
		t.Fatalf("signing: %v %+v", err, s)
	}
	for lang, want := range map[string][]string{
		"pl": {"ostateczne", "Wyniki podpisano kluczem edycji", fp, "Pobierz podpisane wyniki"},
		"en": {"final", "The results were signed with the edition key", fp, "Download the signed results"},
		"uk": {"остаточні", "Результати підписано ключем випуску", fp, "Завантажити підписані результати"},
	} {
		p := page(lang)
		for _, w := range want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: the signed page lacks %q", lang, w)
			}
		}
	}
	code, doc := get("/results/signed.json")
	if code != http.StatusOK {
		t.Fatalf("download: %d", code)
	}
	file := filepath.Join(t.TempDir(), "results-signed.json")
	os.WriteFile(file, []byte(doc), 0o644)
	if out, err := exec.Command(bin, "verify-results", file, "--key-fingerprint", fp, "--lang", "en").CombinedOutput(); err != nil {
		t.Fatalf("verify-results refuses the download: %v\n%s", err, out)
	}
	// signing again with the same count gives back the kept document
	again, _, err := central.PublishResults(ctx, st, r.keys.Edition, "", afterClose.Add(time.Minute), "", log)
	if err != nil || !again.At.Equal(f.At) {
		t.Fatalf("signing the same count again: %v, signed at %v, kept %v", err, again.At, f.At)
	}

	// a late ballot: the point differs from its report, the page is provisional
	k.vote(t, r.ed, 3)
	if _, err := k.a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if p := page("en"); !strings.Contains(p, "provisional") || !strings.Contains(p, "no longer match the current count") {
		t.Fatal("after a late ballot, the page does not say provisional and that the signed results are outdated")
	}
	if _, s, err := central.PublishResults(ctx, st, r.keys.Edition, "", afterClose, "", log); err != nil || s.State != election.Provisional {
		t.Fatalf("signing with a differing point: %v %+v", err, s)
	}
	// signed off: final again but the count changed, so signing is refused and explained
	if err := central.SignOffPoint(ctx, st, k.q.KioskID(), "the fourth ballot was cast before closing; the report was printed early", "anna", afterClose); err != nil {
		t.Fatal(err)
	}
	_, _, err = central.PublishResults(ctx, st, r.keys.Edition, "", afterClose.Add(2*time.Hour), "", log)
	if !errors.Is(err, central.ErrResultsChanged) {
		t.Fatalf("re-signing a changed count: %v", err)
	}
	text := central.ResultsErrorText(assets.MustMessages(), "pl", err)
	if !strings.Contains(text, "Ostateczne wyniki podpisano") || !strings.Contains(text, "city: było 3 głosujących, jest 4") {
		t.Fatalf("the refusal says %q", text)
	}
	if kept, _ := st.LatestSignedResults(ctx); string(kept.File) != doc {
		t.Fatal("the refused signing replaced the kept document")
	}
	// with a recorded reason, corrected results replace it
	if _, s, err := central.PublishResults(ctx, st, r.keys.Edition, "", afterClose.Add(2*time.Hour), "a ballot cast before closing arrived late", log); err != nil || s.State != election.Final {
		t.Fatalf("replacing with a reason: %v %+v", err, s)
	}
	if kept, _ := st.LatestSignedResults(ctx); kept.Reason == "" || string(kept.File) == doc {
		t.Fatal("the corrected results were not kept with their reason")
	}
	if p := page("en"); !strings.Contains(p, "final") || strings.Contains(p, "no longer match") {
		t.Fatal("after the corrected results, the page is not final")
	}

	logMu.Lock()
	defer logMu.Unlock()
	for _, w := range []string{"msg=results-state from=\"\" to=provisional", "msg=results-final ", "msg=results-state from=provisional to=final",
		"msg=results-final-unchanged", "msg=results-resign-refused", "msg=results-final-replaced"} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("the log lacks %q", w)
		}
	}
}
