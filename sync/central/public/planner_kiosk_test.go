package public

import (
	"html"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestPlannerSaysToScanOrType: once the kiosk reads plan codes, the
// planner tells residents to show the QR or type the code, naming the
// kiosk's own button, in each language; it no longer sends them to pick
// the same projects by hand.
func TestPlannerSaysToScanOrType(t *testing.T) {
	srv, ed := planner(t)
	m := assets.MustMessages()
	b := election.Ballot{Edition: ed.ID, District: "d01"}
	code, err := election.EncodePlan(ed, b)
	if err != nil {
		t.Fatal(err)
	}
	for lang, old := range map[string]string{"pl": "wybierz te same projekty", "en": "choose the same projects", "uk": "оберіть ті самі проєкти"} {
		_, page := get(t, srv.URL+"/plan?lang="+lang+"&d=d01&c="+code)
		page = html.UnescapeString(page)
		button := m.T(lang, "ui.plan_have_code")
		if !strings.Contains(page, button) || !strings.Contains(page, "QR") {
			t.Errorf("%s: the planner does not name the kiosk's %q button", lang, button)
		}
		if strings.Contains(strings.ToLower(page), old) {
			t.Errorf("%s: the planner still says %q", lang, old)
		}
	}
}
