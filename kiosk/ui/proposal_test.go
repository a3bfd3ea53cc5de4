package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// lockedLog is a log both sides write while the test reads it.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedLog) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// civicRig is a kiosk on a real central (bbolt, the proposal desk, the
// kiosk API on loopback), in Kraków's submission phase, with the signed
// timeline pulled by the sync agent and offered to the UI.
type civicRig struct {
	*rig
	desk *proposals.Desk
	year *election.Edition
	logs *lockedLog
	root string // every file of the test: the kiosk's and the central's
}

func newCivicRig(t *testing.T, size fyne.Size) *civicRig {
	r := newRig(t, size)
	root := filepath.Dir(t.TempDir())
	logs := &lockedLog{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	r.st.Log = log
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	year := assets.MustDemoEdition()
	proposals.KrakowYear(year)
	r.c.t = time.Date(2025, 2, 20, 12, 0, 0, 0, year.Location())
	sealer, err := contact.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	desk := proposals.New(proposals.Config{Store: st, Sealer: sealer, Clock: r.c.now, Log: log,
		Edition: func(context.Context) (*election.Edition, error) { return year, nil }})
	pub, priv, _ := ed25519.GenerateKey(nil)
	srv := central.New(central.Config{Store: st, EditionKey: pub, Clock: r.c.now, Log: log})
	srv.UseCivic(&central.KioskCivic{Desk: desk, Key: priv, PublicURL: "https://budzet.example.pl", Handoffs: &proposals.Handoffs{Clock: r.c.now}})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	r.q.SetKioskID("k-ui")
	if err := st.AddKiosk(context.Background(), store.Kiosk{ID: "k-ui", Venue: "bk-podgorze", PublicKey: r.q.PublicKey(), Enrolled: r.c.now()}); err != nil {
		t.Fatal(err)
	}
	ag := agent.New(agent.Config{URL: hs.URL, Queue: r.q, EditionKey: pub, Clock: r.c.now, Log: log})
	if err := ag.PullTimeline(context.Background()); err != nil {
		t.Fatal(err)
	}
	tl, ok, err := agent.InstalledTimeline(r.q, pub)
	if !ok || err != nil {
		t.Fatalf("no timeline kept: %v", err)
	}
	r.u.o.Civic = ag
	r.u.Tick() // the catalog's voting window is months away
	r.u.OfferTimeline(tl.Edition)
	return &civicRig{rig: r, desk: desk, year: year, logs: logs, root: root}
}

// typeText types s on the on-screen keyboard, letter by letter.
func (r *rig) typeText(s string) {
	r.t.Helper()
	for _, c := range s {
		switch c {
		case ' ':
			r.tap(r.u.t("ui.space"))
		case '@', '.', '-', '_', '+', ',', '?', '!', ':', ';', '(', ')', '"', '/', '%':
			r.tap(string(c))
		default:
			if unicode.IsUpper(c) && r.u.civic.mode != modeStatus {
				r.tap("⇧")
			}
			r.tap(strings.ToUpper(string(c)))
		}
	}
}

// submitProposal goes through the form in the resident's language and
// returns the receipt's codes.
func (r *civicRig) submitProposal(contactText string) (tracker, secret string) {
	t := r.u.t
	r.tap(t("kp.act.submit"))
	r.want("proposal-pool")
	r.tap(t("ui.next"))
	r.want("proposal-pool") // no pool chosen
	if !strings.Contains(r.text(), t(civic.KeyPool)) {
		r.t.Fatalf("no pool problem: %s", r.text())
	}
	r.tap("XIII ")
	r.tap(t("ui.next"))
	r.want("proposal-title")
	r.tap(t("ui.next"))
	if !strings.Contains(r.text(), t(civic.KeyTitle)) {
		r.t.Fatalf("no title problem: %s", r.text())
	}
	r.typeText("Ławki nad Wisłą")
	r.tap(t("ui.next"))
	r.want("proposal-summary")
	r.typeText("Dziesięć ławek")
	r.tap(t("ui.next"))
	r.want("proposal-description")
	r.tap(t("ui.next"))
	r.want("proposal-location")
	r.typeText("Bulwar Podgórski")
	r.tap(t("ui.next"))
	r.want("proposal-category")
	r.tap(t("ui.cat.green"))
	r.tap(t("ui.next"))
	r.want("proposal-cost")
	r.keys("5000")
	r.tap(t("ui.next"))
	if !strings.Contains(r.text(), t(civic.KeyCostLow, "min", election.FormatPLN(10_000_00))) {
		r.t.Fatalf("no cost-too-low problem: %s", r.text())
	}
	r.keys("0")
	r.tap(t("ui.next"))
	r.want("proposal-contact")
	if contactText != "" {
		r.typeText(contactText)
	}
	r.tap(t("ui.next"))
	r.want("proposal-review")
	if !strings.Contains(r.text(), "Ławki nad Wisłą") || !strings.Contains(r.text(), "50 000") {
		r.t.Fatalf("review: %s", r.text())
	}
	r.tap(t("kp.submit"))
	r.want("proposal-done")
	rc := r.u.civic.receipt
	return rc.Tracker, rc.Secret
}

// The whole path at the kiosk: submit (with the form's own problems
// shown translated), the printed confirmation, the status with each
// outcome and its reason, a protest and its printed confirmation; and
// neither the contact nor the secret in any file or log.
func TestProposalAtKioskEndToEnd(t *testing.T) {
	const contactText = "ola@example.pl"
	r := newCivicRig(t, fyne.NewSize(1080, 1920))
	r.want("closed") // the attract screen of the year's stages, between votes
	text := r.text()
	for _, want := range []string{"Złóż wniosek o projekt", "Sprawdź status wniosku", "Trwa etap: składanie wniosków (do 9 marca 2025).",
		"Następny etap: ocena formalna, od 10 marca 2025 do 31 marca 2025."} {
		if !strings.Contains(text, want) {
			t.Errorf("the attract screen does not say %q: %s", want, text)
		}
	}
	tracker, secret := r.submitProposal(contactText)
	docs := r.mem.Docs()
	if len(docs) != 1 {
		t.Fatalf("%d slips printed", len(docs))
	}
	slip := transcript(t, docs[0])
	for _, want := range []string{"Wniosek został złożony", tracker, secret, "Ławki nad Wisłą", "Dzielnica XIII Podgórze", "budzet.example.pl", "15 mieszkańców"} {
		if !strings.Contains(slip, want) {
			t.Errorf("the slip does not say %q:\n%s", want, slip)
		}
	}
	rs, _ := r.desk.List(context.Background(), proposals.Filter{})
	if len(rs) != 1 || rs[0].Proposal.Title != "Ławki nad Wisłą" || rs[0].Proposal.Cost != 50_000_00 || rs[0].Proposal.Pool != "d13" {
		t.Fatalf("at the central: %+v", rs)
	}
	id := rs[0].Proposal.ID
	if c, _ := r.desk.Contact(context.Background(), id); c != contactText {
		t.Fatalf("contact at the central: %q", c)
	}
	r.tap(r.u.t("ui.finish"))
	r.want("closed")
	if r.u.civic.receipt != nil {
		t.Fatal("the receipt outlived the resident")
	}

	// rejected in the formal check; the applicant protests at the kiosk
	r.c.t = time.Date(2025, 3, 20, 12, 0, 0, 0, r.year.Location())
	if _, err := r.desk.Staff(context.Background(), "anna", id, civic.Event{Kind: civic.EvFormalReject, Reason: "Brak listy poparcia."}); err != nil {
		t.Fatal(err)
	}
	r.c.t = time.Date(2025, 5, 5, 12, 0, 0, 0, r.year.Location())
	r.u.Refresh()
	r.tap(r.u.t("kp.act.protest"))
	r.want("proposal-status")
	r.tap(r.u.t("proposals.status.show"))
	if !strings.Contains(r.text(), r.u.t("kp.codes_short")) {
		t.Fatalf("short codes: %s", r.text())
	}
	r.typeText(strings.ReplaceAll(tracker, "-", ""))
	r.typeText("AAAAAAAAAAAAAAAA")
	r.tap(r.u.t("proposals.status.show"))
	if !strings.Contains(r.text(), r.u.t(proposals.KeySecret)) {
		t.Fatalf("a wrong secret: %s", r.text())
	}
	r.u.civic.secret = "" // as the delete key would
	r.typeText(strings.ReplaceAll(secret, "-", ""))
	r.tap(r.u.t("proposals.status.show"))
	r.want("proposal-result")
	text = r.text()
	if !strings.Contains(text, r.u.t("proposals.st.rejected")) || !strings.Contains(text, r.u.t("proposals.ev.formal-reject")+": Brak listy poparcia.") {
		t.Fatalf("the result does not show the rejection with its reason: %s", text)
	}
	r.tap(r.u.t("kp.act.protest"))
	r.want("proposal-protest")
	r.tap(r.u.t("proposals.protest.send"))
	if !strings.Contains(r.text(), r.u.t(civic.KeyReason)) {
		t.Fatalf("a protest without a reason: %s", r.text())
	}
	r.typeText("Lista jest w bibliotece")
	r.tap(r.u.t("proposals.protest.send"))
	r.want("proposal-protested")
	if docs := r.mem.Docs(); len(docs) != 2 || !strings.Contains(transcript(t, docs[1]), r.u.t("kp.protest_filed")) {
		t.Fatalf("no protest slip: %d", len(docs))
	}
	rec, _ := r.desk.Record(context.Background(), id)
	if rec.Proposal.Status != civic.Protested || rec.Proposal.History[len(rec.Proposal.History)-1].Reason != "Lista jest w bibliotece" {
		t.Fatalf("at the central: %+v", rec.Proposal)
	}
	// the council restores it; the kiosk shows the decision, its reason and the hearing's date
	if _, err := r.desk.Staff(context.Background(), "rada", id, civic.Event{Kind: civic.EvRestore, Reason: "Lista była złożona.", Detail: "2025-05-05"}); err != nil {
		t.Fatal(err)
	}
	r.tap(r.u.t("ui.finish"))
	r.tap(r.u.t("kp.act.status"))
	r.typeText(strings.ReplaceAll(tracker, "-", "") + strings.ReplaceAll(secret, "-", ""))
	r.tap(r.u.t("proposals.status.show"))
	r.want("proposal-result")
	want := r.u.t("proposals.ev.restored") + " · " + r.u.t("proposals.hearing", "date", "2025-05-05") + ": Lista była złożona."
	if !strings.Contains(r.text(), want) {
		t.Fatalf("the result does not say %q: %s", want, r.text())
	}
	r.tap(r.u.t("ui.finish"))

	r.q.Close()
	scanFiles(t, r.root, r.logs.String(), contactText, secret, strings.ReplaceAll(secret, "-", ""))
}

// scanFiles fails if any of secrets is in a file under dir or in logs.
func scanFiles(t *testing.T, dir, logs string, secrets ...string) {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		n++
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s))) {
				t.Errorf("%s holds %q", path, s)
			}
		}
		return nil
	})
	if n < 2 {
		t.Fatalf("scanned %d files: the kiosk's and the central's stores should be there", n)
	}
	for _, s := range secrets {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(s)) {
			t.Errorf("the log holds %q", s)
		}
	}
}

// A draft left at the form is wiped when the resident walks away, and the
// cancel question wipes it too.
func TestProposalDraftWipedOnTimeoutAndCancel(t *testing.T) {
	r := newCivicRig(t, fyne.NewSize(1080, 1920))
	r.tap(r.u.t("kp.act.submit"))
	r.tap("XIII ")
	r.tap(r.u.t("ui.next"))
	r.typeText("Skwer")
	r.c.t = r.c.t.Add(civicIdleWarn + time.Second)
	r.u.Tick()
	if !strings.Contains(r.text(), r.u.t("kp.idle_title")) {
		t.Fatalf("no idle warning: %s", r.text())
	}
	r.tap(r.u.t("kp.still_here"))
	if r.u.civic.draft.Title != "Skwer" {
		t.Fatal("the draft went on a touch")
	}
	r.c.t = r.c.t.Add(civicIdleReset + time.Second)
	r.u.Tick()
	r.want("closed")
	if r.u.civic.draft.Title != "" || r.u.civic.mode != "" {
		t.Fatalf("the draft outlived the timeout: %+v", r.u.civic)
	}
	r.tap(r.u.t("kp.act.submit"))
	r.tap("XIII ")
	r.tap(r.u.t("ui.next"))
	r.typeText("Skwer")
	r.tap(r.u.t("ui.cancel"))
	r.tap(r.u.t("kp.cancel_yes"))
	r.want("closed")
	if r.u.civic.draft.Title != "" {
		t.Fatal("the draft outlived cancel")
	}
}

// proposalTour walks the proposal screens in lang, calling visit at each.
func proposalTour(t *testing.T, size fyne.Size, lang string, visit func(r *civicRig, name string)) {
	r := newCivicRig(t, size)
	r.s.SetLang(lang)
	r.u.Refresh()
	tt := r.u.t
	visit(r, "phase-submission")
	r.tap(tt("kp.act.submit"))
	r.tap("XIII ")
	visit(r, "proposal-pool")
	r.tap(tt("ui.next"))
	r.tap(tt("ui.next"))
	visit(r, "proposal-title-problem")
	if lang == "uk" {
		r.typeText("Лавки")
	} else {
		r.typeText("Ławki")
	}
	visit(r, "proposal-title")
	r.tap(tt("ui.next"))
	r.u.civic.draft.Summary = "Dziesięć ławek i kosze na bulwarze, z cieniem drzew, dla spacerujących i rowerzystów."
	r.typeText(".")
	visit(r, "proposal-summary")
	r.tap(tt("ui.next"))
	r.tap(tt("ui.next"))
	r.u.civic.draft.Location = "Bulwar Podgórski"
	r.tap(tt("ui.next"))
	r.tap(tt("ui.cat.green"))
	visit(r, "proposal-category")
	r.tap(tt("ui.next"))
	r.keys("50000")
	visit(r, "proposal-cost")
	r.tap(tt("ui.next"))
	r.u.civic.contact = "ola@example.pl"
	r.typeText("x")
	visit(r, "proposal-contact")
	r.tap(tt("ui.next"))
	visit(r, "proposal-review")
	r.tap(tt("kp.submit"))
	visit(r, "proposal-done")
	rc := *r.u.civic.receipt
	r.tap(tt("ui.finish"))
	r.s.SetLang(lang)
	r.u.Refresh()
	r.tap(tt("kp.act.submit"))
	r.tap("XIII ")
	r.tap(tt("ui.next"))
	r.u.civic.draft.Title, r.u.civic.draft.Summary, r.u.civic.cost = "Skwer", "Zieleń", "20000"
	for range 7 {
		r.tap(tt("ui.next"))
	}
	r.tap(tt("kp.handoff"))
	visit(r, "proposal-handoff")
	r.tap(tt("ui.finish"))
	r.s.SetLang(lang)
	r.u.Refresh()
	r.tap(tt("kp.act.status"))
	r.typeText("ABCD2345")
	visit(r, "proposal-status")
	r.tap(tt("ui.cancel"))
	rs, _ := r.desk.List(context.Background(), proposals.Filter{})
	r.c.t = time.Date(2025, 3, 20, 12, 0, 0, 0, r.year.Location())
	if _, err := r.desk.Staff(context.Background(), "anna", rs[0].Proposal.ID, civic.Event{Kind: civic.EvFormalReject,
		Reason: "Brak listy poparcia z podpisami 15 mieszkańców."}); err != nil {
		t.Fatal(err)
	}
	r.c.t = time.Date(2025, 5, 5, 12, 0, 0, 0, r.year.Location())
	r.s.SetLang(lang)
	r.u.Refresh()
	r.tap(tt("kp.act.protest"))
	r.u.civic.tracker, r.u.civic.secret = strings.ReplaceAll(rc.Tracker, "-", ""), strings.ReplaceAll(rc.Secret, "-", "")
	r.tap(tt("proposals.status.show"))
	visit(r, "proposal-result")
	r.tap(tt("kp.act.protest"))
	r.u.civic.reason = "Lista poparcia została złożona w bibliotece 8 marca."
	r.typeText(".")
	visit(r, "proposal-protest")
	r.tap(tt("proposals.protest.send"))
	visit(r, "proposal-protested")
	r.tap(tt("ui.finish"))
	r.s.SetLang(lang)
	r.c.t = time.Date(2025, 7, 1, 12, 0, 0, 0, r.year.Location())
	r.u.Refresh()
	visit(r, "phase-results")
	r.c.t = time.Date(2025, 1, 5, 12, 0, 0, 0, r.year.Location())
	r.u.Refresh()
	visit(r, "phase-none")
}

// Every proposal screen fits portrait and landscape kiosks in each
// language, every button inside the window; with URNA_SCREENSHOTS set the
// screens are saved there (make screenshots).
func TestProposalScreensFit(t *testing.T) {
	dir := os.Getenv("URNA_SCREENSHOTS")
	for _, size := range []fyne.Size{portrait, fullHD} {
		for _, lang := range []string{"pl", "en", "uk"} {
			if dir == "" && (lang == "en" || (lang == "uk") == (size == portrait)) {
				continue // CI: Polish portrait and Ukrainian landscape
			}
			t.Run(fmt.Sprintf("%.0fx%.0f-%s", size.Width, size.Height, lang), func(t *testing.T) {
				proposalTour(t, size, lang, func(r *civicRig, name string) {
					r.fitsNow(size, name)
					if dir == "" {
						return
					}
					d := filepath.Join(dir, fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), lang)
					os.MkdirAll(d, 0o755)
					f, err := os.Create(filepath.Join(d, name+".png"))
					if err != nil {
						t.Fatal(err)
					}
					png.Encode(f, r.w.Canvas().Capture())
					f.Close()
				})
			})
		}
	}
}

// Outside the vote the attract screen does not wait for staff to open the
// voting point: proposals need no zero report (the demo's case, whose
// catalog is open today while its year is in the submission phase).
func TestSubmissionNeedsNoOpenedPoint(t *testing.T) {
	r := newCivicRig(t, fyne.NewSize(1080, 1920))
	r.c.t = time.Date(2025, 6, 4, 12, 0, 0, 0, time.UTC) // the rig opened the point on the 3rd
	r.u.Tick()
	r.want("not-open") // the vote in force: staff open the point first
	proposals.DemoPhase(r.year, election.PhaseSubmission, r.c.t)
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, r.year); err != nil {
		t.Fatal(err)
	}
	r.u.OfferTimeline(b.Bytes())
	r.want("attract")
	r.tap(r.u.t("kp.act.submit"))
	r.want("proposal-pool")
}
