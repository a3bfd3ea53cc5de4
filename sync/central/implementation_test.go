package central_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestImplementationInChromium: staff record a winning project's
// milestone on the dashboard and import the city's tracking sheet (BOM,
// semicolons, Polish stage words; a sheet with a bad row saves nothing
// and names the line); the public pages per district and per project show
// the stages, the unit, the reason and the milestones in pl, en and uk,
// without scripts (main had no implementation pages).
func TestImplementationInChromium(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	if _, err := k.a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	d18 := r.ed.ProjectsIn("d18")
	first, second := d18[0], d18[1]
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	h := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{Users: map[string]string{"anna": string(hash)}}).Handler())
	t.Cleanup(h.Close)

	b := browser.Start(t)
	b.Go(h.URL + "/login?lang=pl")
	b.Wait("/login", "Logowanie")
	b.Type(b.Find("#user"), "anna")
	b.Type(b.Find("#password"), "urzednik-2025!")
	b.Click(b.Find("#login"))
	b.Wait("/dashboard", "")
	b.Go(h.URL + "/dashboard/implementation")
	b.Wait("/dashboard/implementation", first.Number)

	// one milestone through the form
	row := `tr[data-project="` + first.ID + `"] `
	b.Click(b.Find(row + `option[value="design"]`))
	b.Type(b.Find(row+`input[name="unit"]`), "Zarząd Zieleni Miejskiej")
	b.Type(b.Find(row+`input[name="note"]`), "Projekt zlecony, źródła światła wybrane")
	b.Click(b.Find(row + `button`))
	b.Wait("/dashboard/implementation", "w projektowaniu")

	// a sheet with a bad row saves nothing and names the line
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("\xef\xbb\xbfnumber;unit;stage;date;note\n"+second.Number+";ZDMK;niewykonalny;03.10.2025;Teren należy do PKP\nBO.NIE.1/25;ZDMK;przetarg;04.10.2025;\n"), 0o644)
	b.Type(b.Find(`input[name="sheet"]`), bad)
	b.Click(b.Find(`form[action="/dashboard/implementation/import"] button`))
	src := b.Wait("/dashboard/implementation/import", "Wiersz 3:")
	if !strings.Contains(src, "Wśród zwycięskich projektów nie ma projektu o tym numerze. (BO.NIE.1/25)") {
		t.Fatal("the refused sheet does not say what is wrong")
	}
	if _, recs, _ := central.Implementation(ctx, r.st); recs[second.ID].Stage != civic.Planned {
		t.Fatal("a sheet with a bad row changed a record")
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("\xef\xbb\xbfnumber;unit;stage;date;note\n"+second.Number+";ZDMK;niewykonalny;03.10.2025;Teren należy do PKP\n"), 0o644)
	b.Type(b.Find(`input[name="sheet"]`), good)
	b.Click(b.Find(`form[action="/dashboard/implementation/import"] button`))
	b.Wait("/dashboard/implementation/import", "Wczytano arkusz. Nowe wpisy o realizacji: 1.")

	shots := os.Getenv("URNA_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	os.MkdirAll(shots, 0o755)
	b.Screenshot(filepath.Join(shots, "dashboard-implementation-pl.png"))

	// the public pages, without scripts
	nb := browser.StartWith(t, browser.NoScript, "--window-size=900,1200")
	nb.Go(h.URL + "/built/d18?lang=pl")
	src = nb.Wait("/built/d18", "Co zbudowano w pobliżu")
	for _, want := range []string{first.Title.In("pl"), "w projektowaniu", "Odpowiada: Zarząd Zieleni Miejskiej", second.Title.In("pl"), "niewykonalny", "Teren należy do PKP", d18[2].Title.In("pl"), "planowany"} {
		if !strings.Contains(src, want) {
			t.Errorf("the district page lacks %q", want)
		}
	}
	nb.Screenshot(filepath.Join(shots, "built-d18-pl.png"))
	nb.Go(h.URL + "/built/" + r.ed.ID + "/" + first.ID + "?lang=uk")
	src = nb.Wait("/built/"+r.ed.ID+"/"+first.ID, "Перебіг реалізації")
	for _, want := range []string{first.Title.In("uk"), "проєктування", "Projekt zlecony, źródła światła wybrane", "Відповідає: Zarząd Zieleni Miejskiej"} {
		if !strings.Contains(src, want) {
			t.Errorf("the project page lacks %q", want)
		}
	}
	nb.Screenshot(filepath.Join(shots, "built-project-uk.png"))
	code, page := get(t, h.URL+"/built?lang=en")
	if code != 200 || !strings.Contains(page, "What the civic budget built") || !strings.Contains(page, "Projects: 3, done: 0") {
		t.Fatalf("the overview: %d", code)
	}
	if code, _ := get(t, h.URL+"/built/"+r.ed.ID+"/nope?lang=en"); code != 404 {
		t.Fatalf("an unknown project: %d", code)
	}
}

// TestSignBuilt: what the winning projects became is signed with the
// edition key for the kiosks, and checks only with it (main sent kiosks
// no implementation records).
func TestSignBuilt(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	if _, err := k.a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	first := r.ed.ProjectsIn("d18")[0]
	m := civic.Milestone{Date: r.ed.Closes.AddDate(0, 3, 0), Stage: civic.Done, Note: "Otwarty dla dzieci"}
	if err := central.RecordMilestone(ctx, r.st, first.ID, "ZZM", m, "anna", slog.Default()); err != nil {
		t.Fatal(err)
	}
	s, err := central.SignBuilt(ctx, r.st, r.keys.Edition, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(r.keys.Edition.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if s.Verify(other) == nil {
		t.Fatal("checks with another key")
	}
	var ps []wire.BuiltProject
	json.Unmarshal(s.Projects, &ps)
	found := false
	for _, p := range ps {
		if p.Number == first.Number {
			found = p.Stage == "done" && p.Unit == "ZZM" && p.Note == "Otwarty dla dzieci" && p.Title["pl"] == first.Title["pl"] && p.Pool == "d18"
		}
	}
	if !found || len(ps) != 6 {
		t.Fatalf("signed %d projects: %+v", len(ps), ps)
	}
	s.Projects = append(s.Projects[:len(s.Projects)-1], []byte(`,{}]`)...)
	if s.Verify(r.keys.Edition.Public().(ed25519.PublicKey)) == nil {
		t.Fatal("a changed list still checks")
	}
}
