package civic

import (
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

func TestImportImplementation(t *testing.T) {
	e := assets.MustDemoEdition()
	funded := []string{e.ProjectsIn("city")[0].ID, e.ProjectsIn("d01")[0].ID}
	recs := Winners(e, funded)
	n0, n1 := recs[funded[0]].Number, recs[funded[1]].Number
	sheet := "\xef\xbb\xbfnumber;unit;stage;date;note\n" +
		n0 + ";ZZM;w projektowaniu;15.09.2025;Projekt zlecony\n" +
		n0 + ";ZZM;przetarg;2025-11-02;\n" +
		n1 + ";ZDMK;niewykonalny;03.10.2025;Teren należy do PKP\n"
	if err := ImportImplementation(strings.NewReader(sheet), e.Location(), recs); err != nil {
		t.Fatal(err)
	}
	if im := recs[funded[0]]; im.Stage != Tendering || im.Unit != "ZZM" || len(im.Milestones) != 2 {
		t.Fatalf("first project: %+v", im)
	}
	if im := recs[funded[1]]; im.Stage != NotFeasible || im.Reason != "Teren należy do PKP" {
		t.Fatalf("second project: %+v", im)
	}
	// A sheet with any bad row changes nothing, and says which lines.
	bad := "number,stage,date\n" + n0 + ",zrealizowany,2026-05-01\nBO.XX.99/25,done,2026-01-01\n" +
		n0 + ",celebrated,2026-01-01\n" + n0 + ",done,yesterday\n" + n1 + ",done,2026-01-01\n"
	err := ImportImplementation(strings.NewReader(bad), e.Location(), recs)
	ps, ok := err.(election.Problems)
	if !ok || len(ps) != 4 {
		t.Fatalf("bad sheet: %v", err)
	}
	for i, want := range []struct {
		line int
		key  string
	}{{3, KeyProject}, {4, KeyStage}, {5, KeyDate}, {6, KeyStageFinal}} {
		if ps[i].Line != want.line || ps[i].Key != want.key {
			t.Errorf("problem %d: %+v, want line %d %s", i, ps[i], want.line, want.key)
		}
	}
	if recs[funded[0]].Stage != Tendering {
		t.Fatal("a refused sheet changed a record")
	}
	if err := recs[funded[0]].Record(Milestone{Date: time.Now(), Stage: NotFeasible}); err == nil {
		t.Fatal("not feasible without a reason")
	}
	m := assets.MustMessages()
	for _, k := range []string{KeyStage, KeyStageFinal, KeyProject, KeyDate, KeyColumns} {
		for _, lang := range election.Languages {
			if m.T(lang, k) == k {
				t.Errorf("%s has no %s translation", k, lang)
			}
		}
	}
}
