package central_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"net/http/httptest"

	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/election"
)

// The fleet page checks every kiosk, revoked ones too: a revoked kiosk's
// missing ballot, a kiosk casting faster than any person, one asking about
// voters beyond its budget and one set aside for review all show; the
// results page names the revoked kiosk's gap as that kiosk's finding.
func TestFleetShowsIntegrity(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	web := central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}})
	h := httptest.NewServer(web.Handler())
	defer h.Close()

	stolen, fast, curious, aside := r.kiosk(""), r.kiosk(""), r.kiosk(""), r.kiosk("")
	s1, _, s3 := stolen.vote(t, r.ed, 1), stolen.vote(t, r.ed, 2), stolen.vote(t, r.ed, 3)
	send(t, r, stolen, s1, s3) // number 2 never arrives
	r.st.RevokeKiosk(ctx, stolen.q.KioskID(), time.Now())
	for i := range 6 {
		fast.vote(t, r.ed, 10+i) // six ballots within a second
	}
	fast.a.SyncOnce(ctx)
	for i := range 40 {
		curious.a.VoterStatus(ctx, election.VoterKey{byte(i)})
	}
	aside.vote(t, r.ed, 30)
	aside.a.SyncOnce(ctx)
	if err := r.st.SetAside(ctx, aside.q.KioskID(), true, time.Now()); err != nil {
		t.Fatal(err)
	}

	b := browser.Start(t)
	b.Go(h.URL + "/login?lang=pl")
	b.Wait("/login", "Logowanie pracowników urzędu")
	b.Type(b.Find("#user"), "anna")
	b.Type(b.Find("#password"), "urzednik-2025!")
	b.Click(b.Find("#login"))
	src := b.Wait("/dashboard", fast.q.KioskID())
	for what, want := range map[string]string{
		"the revoked kiosk's gap": "łańcuch kart: brakuje 1",
		"the inhuman pace":        "nieludzkie tempo – głosów w ciągu minuty: 6",
		"the lookups over budget": "zbyt wiele zapytań o głosujących: odmówiono 10",
		"the kiosk set aside":     "głosy odłożone do sprawdzenia od",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the fleet page does not show %s (%q)", what, want)
		}
	}
	shots := os.Getenv("URNA_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	os.MkdirAll(shots, 0o755)
	b.Screenshot(filepath.Join(shots, "dashboard-fleet-integrity.png"))
	b.Go(h.URL + "/dashboard/results")
	src = b.Wait("/dashboard/results", `id="audit"`)
	// the gap is the revoked kiosk's finding: it does not keep the results unverified
	if strings.Contains(src, "NIEZWERYFIKOWANE") || !strings.Contains(src, "Kiosk "+stolen.q.KioskID()+": jego łańcuch jest niepełny") {
		t.Errorf("the results page does not name the revoked kiosk's gap as its finding:\n%s", src)
	}
	b.Screenshot(filepath.Join(shots, "dashboard-results-audit.png"))
}

// More voters counted than ballots stored is an alert of its own.
func TestCountsFinding(t *testing.T) {
	if central.CountsFinding(35, 35) != nil || central.CountsFinding(36, 35) != nil {
		t.Fatal("an alert for consistent counts")
	}
	if f := central.CountsFinding(35, 36); f == nil || f.Class != "bad" {
		t.Fatalf("35 stored, 36 counted: %+v", f)
	}
}
