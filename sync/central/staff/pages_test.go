package staff_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/staff"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
)

func boltSite(t *testing.T) *site {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newSite(t, st)
}

var stepRE = regexp.MustCompile(`data-kind="([a-z-]+)"`)

// stepsOn lists the steps a staff page offers.
func stepsOn(page string) []string {
	var out []string
	for _, m := range stepRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestStaffPagesReadable: the staff pages name districts, not their codes;
// show amounts in złoty with grosze ("1 250 000,00 zł" in Polish, "PLN
// 1 250 000.00" in English), not raw grosze; offer only the steps the
// proposal's state, the phase and the member's role allow; read in pl, en
// and uk with no Polish left on the en and uk pages; and the dashboard
// links to them.
func TestStaffPagesReadable(t *testing.T) {
	s := boltSite(t)
	s.clk.Set(s.at(2, 20))
	s.submit("Ławki przy Wiśle", "d01", "250 000")
	s.submit("Rowery miejskie", "city", "1 250 000")
	anna, rada := s.login("anna"), s.login("rada")
	id := s.ids(anna)
	_, list := s.get(anna, "/dashboard/proposals?lang=pl")
	if !strings.Contains(list, "Dzielnica I Stare Miasto") || strings.Contains(list, "<td>d01</td>") {
		t.Errorf("the list shows the district's code:\n%.3000s", list)
	}
	path := "/dashboard/proposals/" + id["Rowery miejskie"]
	_, page := s.get(anna, path+"?lang=pl")
	if !strings.Contains(page, "1\u00a0250\u00a0000,00\u00a0zł") {
		t.Errorf("the cost in Polish:\n%.3000s", page)
	}
	if _, en := s.get(anna, path+"?lang=en"); !strings.Contains(en, "PLN\u00a01\u00a0250\u00a0000.00") {
		t.Errorf("the cost in English:\n%.3000s", en)
	}
	// in the submission phase the coordinator may assign or merge, nobody checks yet
	if got := strings.Join(stepsOn(page), " "); got != "assigned support-handed-in merged" {
		t.Errorf("steps while submissions are open: %q", got)
	}
	if _, page := s.get(rada, path+"?lang=pl"); len(stepsOn(page)) != 0 || !strings.Contains(page, `id="no-steps"`) {
		t.Errorf("the council's steps on a fresh proposal: %v", stepsOn(page))
	}
	s.clk.Set(s.at(3, 12))
	if _, page := s.get(anna, path+"?lang=pl"); strings.Join(stepsOn(page), " ") != "assigned formal-fix formal-pass formal-reject support-handed-in merged" {
		t.Errorf("steps in the formal check: %v", stepsOn(page))
	}
	s.staff(anna, id["Rowery miejskie"], civic.EvFormalPass, "", "")
	s.clk.Set(s.at(4, 10))
	if _, page := s.get(anna, path+"?lang=pl"); strings.Join(stepsOn(page), " ") != "assigned merit-pass merit-reject merged" {
		t.Errorf("steps in the merit check: %v", stepsOn(page))
	}
	page = s.staff(anna, id["Rowery miejskie"], civic.EvMeritPass, "", "1 200 000,50")
	if strings.Contains(page, "120000050") || !strings.Contains(page, "1\u00a0200\u00a0000,50\u00a0zł") {
		t.Errorf("the unit's cost in the audit log:\n%.4000s", page)
	}
	if got := stepsOn(page); len(got) != 1 || got[0] != "merged" {
		t.Errorf("steps after the merit check: %v", got)
	}

	if !strings.Contains(page, "<td>wnioskodawca</td>") {
		t.Errorf("the applicant in the audit log is not named in Polish:\n%.4000s", page)
	}
	// no Polish sentence on the English and Ukrainian pages
	pl := map[string]string{}
	raw, _ := os.ReadFile("../../../assets/i18n/pl.json")
	json.Unmarshal(raw, &pl)
	msgs := assets.MustMessages()
	for _, lang := range []string{"en", "uk"} {
		for _, p := range []string{"/dashboard/proposals", "/dashboard/proposals?held=1", path} {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			_, page := s.get(anna, p+sep+"lang="+lang)
			for k, v := range pl {
				if len([]rune(v)) > 6 && v != msgs.T(lang, k) && strings.Contains(page, v) && !strings.Contains(v, "{") {
					t.Errorf("%s %s: Polish %q (%s)", lang, p, v, k)
				}
			}
			if strings.Contains(page, "Dzielnica") || strings.Contains(page, "proposals.") {
				t.Errorf("%s %s: Polish district name or a key:\n%.3000s", lang, p, page)
			}
		}
	}
	// the dashboard's navigation leads to the proposals desk
	if _, dash := s.get(anna, "/dashboard?lang=pl"); !strings.Contains(dash, `href="/dashboard/proposals?lang=pl"`) || !strings.Contains(dash, ">Wnioski<") {
		t.Errorf("the dashboard has no link to the proposals:\n%.2000s", dash)
	}
}

// TestStaffRolesFile: roles come from the data folder's roles.json, read
// again when it changes; a role the file does not give is refused, and a
// damaged file gives no one any role.
func TestStaffRolesFile(t *testing.T) {
	s := boltSite(t)
	s.clk.Set(s.at(2, 20))
	s.submit("Ławki przy Wiśle", "d01", "50 000")
	anna, rada := s.login("anna"), s.login("rada")
	id := s.ids(anna)["Ławki przy Wiśle"]
	s.clk.Set(s.at(3, 12))
	pass := func() int {
		code, _ := s.post(rada, "/dashboard/proposals/"+id+"/event?lang=pl", url.Values{"kind": {"formal-pass"}})
		return code
	}
	if code := pass(); code != 403 {
		t.Fatalf("the council recorded a formal check: %d", code)
	}
	write := func(body string) {
		// a later modification time, as an editor saving the file gives it
		os.WriteFile(s.roles, []byte(body), 0o644)
		later := time.Now().Add(time.Duration(len(body)) * time.Second)
		os.Chtimes(s.roles, later, later)
	}
	write(`{"anna": ["coordinator"], "rada": ["council", "verifier"]}`)
	if _, page := s.get(rada, "/dashboard/proposals/"+id+"?lang=pl"); !strings.Contains(page, `data-kind="formal-pass"`) {
		t.Fatalf("the file's new role is not offered:\n%.3000s", page)
	}
	if _, page := s.get(anna, "/dashboard/proposals/"+id+"?lang=pl"); strings.Contains(page, secretContact) {
		t.Fatal("a coordinator without the verifier's role sees the contact")
	}
	if code := pass(); code != 200 {
		t.Fatalf("the verifier's role from the file: %d", code)
	}
	write(`{"anna": ["coordinator", "mayor"]}`)
	if _, page := s.get(anna, "/dashboard/proposals/"+id+"?lang=pl"); len(stepsOn(page)) != 0 || strings.Contains(page, "/build") {
		t.Fatalf("a damaged roles file still gives roles: %v", stepsOn(page))
	}
	s.get(anna, "/dashboard/proposals/"+id+"?lang=pl")
	if n := strings.Count(s.log.String(), "staff-roles-damaged"); n != 1 {
		t.Fatalf("a damaged roles file logged %d times, want once", n)
	}
	if _, err := staff.ParseRoles([]byte(`{"anna": ["verifier"], "rada": ["council"]}`)); err != nil {
		t.Fatal(err)
	}
}

// TestStaffLanguage: without ?lang= the staff pages speak the dashboard's
// remembered language, else the browser's.
func TestStaffLanguage(t *testing.T) {
	s := boltSite(t)
	s.clk.Set(s.at(2, 20))
	anna := s.login("anna")
	for _, c := range []struct{ cookie, accept, want string }{
		{"", "uk-UA,uk;q=0.9", "Перевірка пропозицій"}, {"en", "uk", "Verifying proposals"}, {"", "", "Weryfikacja wniosków"},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/dashboard/proposals", nil)
		req.Header.Set("Accept-Language", c.accept)
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "urna_lang", Value: c.cookie})
		}
		resp, err := anna.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), c.want) {
			t.Errorf("cookie %q, browser %q: want %q", c.cookie, c.accept, c.want)
		}
	}
}
