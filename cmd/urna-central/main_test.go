package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/pabulib"
)

func TestReplayCommand(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "testdata", "pabulib", "Poland_Krakow_2024_Bienczyce.pb")
	if _, err := os.Stat(path); err != nil {
		needs.Missing(t, "real Pabulib files (from pabulib.org) are expected in ../shared/testdata/pabulib/")
	}
	raw, _ := os.ReadFile(path)
	f, _ := pabulib.Read(bytes.NewReader(raw))
	var want []string
	for _, p := range f.Projects {
		if p.Selected == 1 {
			want = append(want, p.ID)
		}
	}
	text, err := capture(t, func() error { return cmdReplay([]string{path, "--format", "json"}) })
	if err != nil {
		t.Fatal(err)
	}
	var out replayed
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(out.Winners))
	slices.Sort(want)
	if !slices.Equal(got, want) || len(out.Projects) != len(f.Projects) || len(out.ScoreChecks) != 0 {
		t.Fatalf("winners %v, official %v; %d projects; mismatches %v", got, want, len(out.Projects), out.ScoreChecks)
	}
	if err := cmdReplay([]string{path, "--rule", "borda"}); err == nil {
		t.Fatal("unknown rule accepted")
	}
	if err := cmdReplay([]string{"/nonexistent.pb"}); err == nil {
		t.Fatal("missing file accepted")
	}
}

// capture runs f with standard output captured.
func capture(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	read := make(chan string)
	go func() { // read as it comes: a full pipe would block f
		var b bytes.Buffer
		b.ReadFrom(r)
		read <- b.String()
	}()
	err := f()
	w.Close()
	os.Stdout = old
	return <-read, err
}

func TestKioskCommand(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.AddKiosk(context.Background(), store.Kiosk{ID: "k-0a1b2c3d4e5f", Venue: "nck", PublicKey: []byte("pk"), Enrolled: time.Now()})
	st.Close()

	out, err := capture(t, func() error { return cmdKiosk([]string{"list", "--data", dir}) })
	if err != nil || !strings.Contains(out, "k-0a1b2c3d4e5f") || !strings.Contains(out, "enrolled") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = capture(t, func() error { return cmdKiosk([]string{"revoke", "--data", dir, "k-0a1b2c3d4e5f"}) })
	if err != nil || !strings.Contains(out, "revoked at") {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	out, _ = capture(t, func() error { return cmdKiosk([]string{"list", "--data", dir}) })
	if !strings.Contains(out, "revoked 20") {
		t.Fatalf("list after revoking:\n%s", out)
	}
	for _, cmd := range []string{"set-aside", "release"} {
		out, err = capture(t, func() error { return cmdKiosk([]string{cmd, "--data", dir, "k-0a1b2c3d4e5f"}) })
		if err != nil || !strings.Contains(out, "k-0a1b2c3d4e5f") {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
	}
	if err := cmdKiosk([]string{"revoke", "--data", dir, "k-nobody"}); err == nil || !strings.Contains(err.Error(), "kiosk list") {
		t.Fatalf("revoking an unknown kiosk: %v", err)
	}
	for _, args := range [][]string{nil, {"revoke", "--data", dir}, {"list", "--data", dir, "extra"}, {"drop"}} {
		if err := cmdKiosk(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// The audit, voter codes and register commands run against a store with
// a published catalog.
func TestIntegrityCommands(t *testing.T) {
	dir := t.TempDir()
	if _, err := capture(t, func() error { return cmdInit([]string{"--data", dir}) }); err != nil {
		t.Fatal(err)
	}
	edition := filepath.Join(dir, "demo.json")
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	var b bytes.Buffer
	election.EncodeEdition(&b, ed)
	os.WriteFile(edition, b.Bytes(), 0o600)
	for _, args := range [][]string{{"import", "--data", dir, edition}, {"publish", "--data", dir}} {
		if _, err := capture(t, func() error { return cmdCatalog(args) }); err != nil {
			t.Fatal(err)
		}
	}
	out, err := capture(t, func() error { return cmdAudit([]string{"--data", dir, "--lang", "pl"}) })
	if err != nil || !strings.Contains(out, "Wynik audytu: wyniki zgodne") {
		t.Fatalf("audit of an empty store: %v\n%s", err, out)
	}
	// without --lang, the locale's language, as the other commands (attack 13.6)
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "en_GB.UTF-8")
	msgs := assets.MustMessages()
	out, err = capture(t, func() error { return cmdAudit([]string{"--data", dir}) })
	if err != nil || !strings.Contains(out, msgs.T("en", "audit.agrees")) {
		t.Fatalf("audit under LANG=en_GB.UTF-8: %v\n%s", err, out)
	}
	t.Setenv("LANG", "pl_PL.UTF-8")
	letters := filepath.Join(dir, "letters.txt")
	if _, err := capture(t, func() error {
		return cmdVoterCodes([]string{"issue", "--data", dir, "--n", "5", "--out", letters})
	}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(letters)
	codes := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if _, err := election.NormalizeVoterCode(ed.Eligibility.CodePrefix, line); err == nil {
			codes++
		}
	}
	if codes != 5 || !strings.Contains(string(raw), "Twój kod do głosowania") {
		t.Fatalf("%d codes in the letters:\n%s", codes, raw)
	}
	pdfOut := filepath.Join(dir, "letters.pdf")
	if _, err := capture(t, func() error {
		return cmdVoterCodes([]string{"issue", "--data", dir, "--n", "2", "--format", "pdf", "--out", pdfOut})
	}); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(pdfOut); !bytes.HasPrefix(raw, []byte("%PDF")) {
		t.Fatal("no PDF letters")
	}
	reg := filepath.Join(dir, "register.txt")
	os.WriteFile(reg, []byte("44051401359\n12345\n"), 0o600)
	out, err = capture(t, func() error { return cmdRegister([]string{"import", reg, "--data", dir}) })
	if err != nil || !strings.Contains(out, "liczba osób: 1") || !strings.Contains(out, "PESEL: 1") {
		t.Fatalf("register: %v\n%s", err, out)
	}
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.AdmittedCount(context.Background(), store.ListIssuedCodes); n != 7 {
		t.Fatalf("%d issued codes kept", n)
	}
	// nothing of a code or a PESEL is in the store file
	db, _ := os.ReadFile(filepath.Join(dir, "central.db"))
	for _, line := range strings.Split(string(raw), "\n") {
		if c, err := election.NormalizeVoterCode(ed.Eligibility.CodePrefix, line); err == nil && bytes.Contains(db, []byte(c)) {
			t.Fatalf("the store holds code %s", c)
		}
	}
	if bytes.Contains(db, []byte("44051401359")) {
		t.Fatal("the store holds a PESEL")
	}
}

// TestReplayReportsTies replays the small tie case: the file's order
// decides (the official outcome), replay names the tie and its projects,
// and --tie more-voters shows the other outcome.
func TestReplayReportsTies(t *testing.T) {
	path := filepath.Join("..", "..", "sync", "pabulib", "testdata", "tie.pb")
	run := func(args ...string) replayed {
		t.Helper()
		text, err := capture(t, func() error { return cmdReplay(append([]string{path}, args...)) })
		if err != nil {
			t.Fatal(err)
		}
		var out replayed
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := run()
	if !slices.Equal(out.Winners, []string{"T.1/24", "T.4/24", "T.2/24"}) || out.TieRule != "catalog-order" {
		t.Fatalf("winners %v by %s", out.Winners, out.TieRule)
	}
	if len(out.Ties) != 1 || out.Ties[0].Left != 400 || len(out.Ties[0].Projects) != 2 ||
		out.Ties[0].Projects[0].ID != "T.2/24" || out.Ties[0].Projects[1].Score != 7 || out.Ties[0].Projects[1].Funded {
		t.Fatalf("ties %+v", out.Ties)
	}
	if byVoters := run("--tie", "more-voters"); !slices.Contains(byVoters.Winners, "T.3/24") || byVoters.Ties[0].By != "more-voters" {
		t.Fatalf("by voters %+v", byVoters)
	}
	text, err := capture(t, func() error { return cmdReplay([]string{path, "--format", "csv"}) })
	if err != nil || !strings.Contains(text, "T.3/24,4,7,400,false,1:catalog-order") {
		t.Fatalf("csv: %v\n%s", err, text)
	}
	if err := cmdReplay([]string{path, "--tie", "age"}); err == nil {
		t.Fatal("unknown tie rule accepted")
	}
}

// An edition whose receipts show choices publishes no list of counted
// trackers: tracker and choices together would prove how one voted.
func TestOpenDataRefusedWithChoicesOnReceipts(t *testing.T) {
	dir := t.TempDir()
	capture(t, func() error { return cmdInit([]string{"--data", dir}) })
	edition := filepath.Join(dir, "demo.json")
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	ed.ShowChoices = true
	var b bytes.Buffer
	election.EncodeEdition(&b, ed)
	os.WriteFile(edition, b.Bytes(), 0o600)
	for _, args := range [][]string{{"import", "--data", dir, edition}, {"publish", "--data", dir}} {
		if _, err := capture(t, func() error { return cmdCatalog(args) }); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "open")
	_, err := capture(t, func() error { return cmdResults([]string{"--data", dir, "--format", "open-data", "--out", out}) })
	if err == nil || !strings.Contains(err.Error(), "potwierdzenia pokazują wybory") {
		t.Fatalf("open data of an edition with choices on receipts: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, ed.ID+"_trackers.txt")); err == nil {
		t.Fatal("the trackers were published")
	}
}

// Attack 13.6: a store emptied to 0 bytes with its marker removed opens
// as a new one, and the audit said only "not found". It now says what is
// wrong and what to do, in the locale's language.
func TestAuditOfEmptiedStoreSaysWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	if _, err := capture(t, func() error { return cmdInit([]string{"--data", dir}) }); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "central.db"), nil, 0o600)
	_, err := capture(t, func() error { return cmdAudit([]string{"--data", dir}) })
	want := assets.MustMessages().T("pl", "audit.no_catalog", "store", filepath.Join(dir, "central.db"))
	if err == nil || sentence("pl", err) != want {
		t.Fatalf("audit of an emptied store: %v", err)
	}
}
