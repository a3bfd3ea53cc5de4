package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type rig struct {
	t    *testing.T
	st   *Station
	q    *queue.Queue
	mem  *printer.Memory
	c    *clock
	path string
}

// newRig is a station over a real store and a memory printer, under an
// admission policy, on a Tuesday at 14:00 in Kraków.
func newRig(t *testing.T, admission election.Admission) *rig {
	r := &rig{t: t, c: &clock{time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)},
		path: filepath.Join(t.TempDir(), "kiosk.db")}
	prof, _ := printer.LookupProfile("epson-tm-t20")
	r.mem = printer.NewMemory(prof)
	r.open(admission)
	return r
}

// open opens (or reopens, as after a restart) the store and the station.
func (r *rig) open(admission election.Admission) {
	if r.q != nil {
		r.q.Close()
	}
	q, err := queue.Open(r.path, queue.Options{Clock: r.c.now})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { q.Close() })
	st, err := New(assets.DemoEdition(), "bk-podgorze", q, r.mem, assets.MustMessages(), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	st.Clock, st.Edition.Admission = r.c.now, admission
	r.st, r.q = st, q
}

var voterN byte

// cast casts a complete ballot for a new voter.
func (r *rig) cast() error {
	r.t.Helper()
	ed := r.st.Edition
	b := election.Ballot{Edition: ed.ID, District: r.st.Venue.District}
	for _, p := range ed.BallotPools(r.st.Venue.District) {
		sel := election.Selection{Pool: p.ID}
		for i, pr := range ed.ProjectsIn(p.ID)[:3] {
			sel.Choices = append(sel.Choices, election.Choice{Project: pr.ID, Points: 3 - i})
		}
		b.Selections = append(b.Selections, sel)
	}
	voterN++
	var v election.VoterKey
	v[0], v[1] = voterN, 0xee
	_, err := r.st.Append(b, v, ed.Version)
	return err
}

// look writes each printed page as PNG into $URNA_RECEIPTS, to be looked at.
func look(t *testing.T, name string, docs [][]byte) {
	dir := os.Getenv("URNA_RECEIPTS")
	if dir == "" {
		return
	}
	os.MkdirAll(dir, 0o755)
	p, _ := printer.LookupProfile("epson-tm-t20")
	n := 0
	for _, d := range docs {
		ps := virtual.NewParser(p)
		ps.OnPage = func(pg virtual.Page) {
			n++
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, n)))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, virtual.Render(&pg, p.WidthDots))
			f.Close()
		}
		ps.Feed(d)
		ps.Flush()
	}
}

func transcript(doc []byte) string {
	p, _ := printer.LookupProfile("epson-tm-t20")
	ps := virtual.NewParser(p)
	var text string
	ps.OnPage = func(pg virtual.Page) { text += pg.Text() }
	ps.Feed(doc)
	ps.Flush()
	return text
}

// TestBallotsRefusedBeforeOpening: until staff open the point for the day,
// no ballot is taken (main took them, and the opening "zero" report then
// printed "Głosy dzisiaj 3").
func TestBallotsRefusedBeforeOpening(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	ctx := context.Background()
	if r.st.Opened() {
		t.Fatal("a new kiosk says it is open")
	}
	if err := r.cast(); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("ballot before opening: %v", err)
	}
	if err := r.st.Admit(); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("resident admitted before opening: %v", err)
	}
	if _, err := r.st.OpenPolls(ctx, "pl"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := r.cast(); err != nil {
			t.Fatal(err)
		}
	}
	// opening again while open is refused: it would restart the day's
	// count, and the closing report would say 0
	if _, err := r.st.OpenPolls(ctx, "pl"); !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("a second opening: %v", err)
	}
	closing, err := r.st.ClosePolls(ctx, "pl")
	if err != nil {
		t.Fatal(err)
	}
	if closing.Since != 3 {
		t.Fatalf("closing report after a refused second opening: %+v", closing)
	}
	if _, err := r.st.ClosePolls(ctx, "pl"); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("closing a closed point: %v", err)
	}
	if err := r.cast(); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("ballot after closing: %v", err)
	}
	// the next morning the point opens again: zero since the closing,
	// three in all, next to the chain head
	r.c.t = r.c.t.Add(20 * time.Hour)
	r.open(election.SelfDeclared) // and the kiosk restarted overnight
	if r.st.Opened() {
		t.Fatal("yesterday's state opened today")
	}
	rep, err := r.st.OpenPolls(ctx, "pl")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Since != 0 || rep.Total != 3 || rep.LastSeq != 3 || rep.Head == "" {
		t.Fatalf("opening report: %+v", rep)
	}
	docs := r.mem.Docs()
	look(t, "reports", docs)
	text := transcript(docs[len(docs)-1])
	for _, want := range []string{"RAPORT OTWARCIA", "Głosy od ostatniego zamknięcia", "0 głosów od ostatniego zamknięcia", "Głosy łącznie", rep.Head[:16]} {
		if !strings.Contains(strings.ReplaceAll(text, "\n", " "), want) {
			t.Errorf("opening report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Głosy dzisiaj") {
		t.Errorf("the opening report counts today's ballots:\n%s", text)
	}
}

// TestOpenWithoutPaper: a point whose printer has no paper still opens;
// the report is kept in the store (across a restart) and prints once
// paper is back.
func TestOpenWithoutPaper(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	ctx := context.Background()
	r.mem.SetStatus(printer.Status{Online: false, PaperOut: true})
	rep, err := r.st.OpenPolls(ctx, "pl")
	var due *ErrReportDue
	if !errors.As(err, &due) || printer.ErrorKey(err) != "printer.paper_out" {
		t.Fatalf("open without paper: %v", err)
	}
	if !r.st.Opened() || rep.Total != 0 || rep.Since != 0 {
		t.Fatalf("opened %v, report %+v", r.st.Opened(), rep)
	}
	if err := r.cast(); err != nil {
		t.Fatalf("the point did not open: %v", err)
	}
	r.open(election.SelfDeclared)
	if !r.st.Opened() || r.st.ReportsDue() != 1 {
		t.Fatalf("after a restart: opened %v, %d reports due", r.st.Opened(), r.st.ReportsDue())
	}
	if err := r.st.PrintReportsDue(ctx); err == nil {
		t.Fatal("printed without paper")
	}
	r.mem.SetStatus(printer.Status{Online: true})
	if err := r.st.PrintReportsDue(ctx); err != nil {
		t.Fatal(err)
	}
	docs := r.mem.Docs()
	if r.st.ReportsDue() != 0 || len(docs) != 1 || !strings.Contains(transcript(docs[0]), "RAPORT OTWARCIA") {
		t.Fatalf("%d reports due, %d printed", r.st.ReportsDue(), len(docs))
	}
}

// TestStaffActivationUnlocksOneBallot: under staff activation a staff
// member unlocks exactly one ballot, consumed by its cast, cancel or
// timeout; the audit log names the staff member, the ballot does not.
func TestStaffActivationUnlocksOneBallot(t *testing.T) {
	r := newRig(t, election.StaffActivation)
	ctx := context.Background()
	if err := r.st.Activate("anna"); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("unlocked before opening: %v", err)
	}
	if _, err := r.st.OpenPolls(ctx, "pl"); err != nil {
		t.Fatal(err)
	}
	if err := r.st.Admit(); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("resident admitted without staff: %v", err)
	}
	if err := r.cast(); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("ballot without staff: %v", err)
	}
	if err := r.st.Activate("anna"); err != nil {
		t.Fatal(err)
	}
	if err := r.cast(); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("ballot taken before its resident began: %v", err)
	}
	if err := r.st.Admit(); err != nil {
		t.Fatal(err)
	}
	if err := r.st.Admit(); !errors.Is(err, ErrNotActivated) {
		t.Fatal("one unlock admitted two residents")
	}
	if err := r.st.Activate("piotr"); !errors.Is(err, ErrBallotInUse) {
		t.Fatalf("a second unlock took the voting resident's ballot: %v", err)
	}
	if err := r.cast(); err != nil {
		t.Fatal(err)
	}
	if err := r.cast(); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("one unlock cast two ballots: %v", err)
	}
	r.st.Release()
	// cancelled or timed out: the unlock is gone
	r.st.Activate("piotr")
	r.st.Admit()
	r.st.Release()
	if err := r.cast(); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("a cancelled unlock cast a ballot: %v", err)
	}
	events, _ := r.q.Events()
	var by []string
	for _, e := range events {
		if e.Name == queue.EventBallotActivated {
			by = append(by, e.Detail)
		}
	}
	if strings.Join(by, ",") != "anna,piotr" {
		t.Fatalf("activations in the audit log: %v", by)
	}
	ballots, _ := r.q.Ballots()
	if len(ballots) != 1 {
		t.Fatalf("%d ballots", len(ballots))
	}
	raw, _ := ballotJSON(ballots[0])
	if strings.Contains(raw, "anna") || strings.Contains(raw, "staff") {
		t.Fatalf("the ballot names the staff member: %s", raw)
	}
}

func ballotJSON(b any) (string, error) {
	raw, err := json.Marshal(b)
	return string(raw), err
}

// TestOpenRefusedBelowMinKioskVersion: an edition that names a minimum
// kiosk version keeps an older kiosk's point closed, with a sentence staff
// can read in each language, and prints nothing; the updated kiosk opens.
func TestOpenRefusedBelowMinKioskVersion(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	ctx := context.Background()
	r.st.Edition.MinKioskVersion = "0.6.0"
	for _, old := range []string{"0.5.9", "0.6.0-rc1", "dev", ""} {
		r.st.Version = old
		if _, err := r.st.OpenPolls(ctx, "pl"); !errors.Is(err, ErrKioskTooOld) {
			t.Fatalf("version %q opened under a 0.6.0 minimum: %v", old, err)
		}
	}
	if r.st.Opened() || len(r.mem.Docs()) != 0 {
		t.Fatal("a refused kiosk opened its point or printed a report")
	}
	if err := r.cast(); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("ballot at a kiosk refused for its version: %v", err)
	}
	var p election.Problem
	errors.As(error(ErrKioskTooOld), &p)
	m := assets.MustMessages()
	for lang, word := range map[string]string{"pl": "technika", "en": "technician", "uk": "техніка"} {
		if s := m.T(lang, p.Key); !strings.Contains(s, word) {
			t.Errorf("%s: %q does not say what to do", lang, s)
		}
	}
	r.st.Version = "0.6.1"
	if _, err := r.st.OpenPolls(ctx, "pl"); err != nil || !r.st.Opened() {
		t.Fatalf("an updated kiosk did not open: %v", err)
	}
}
