package central_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/pabulib"
)

func TestResultsFromStore(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	for i := range 12 {
		k.vote(t, r.ed, i) // everyone: 3-2-1 on the first three projects of each pool
	}
	k2 := r.kiosk("")
	k2.vote(t, r.ed, 5) // a duplicate: must not count twice
	for _, kk := range []*kiosk{k, k2} {
		if _, err := kk.a.SyncOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	_, profs, err := central.Profiles(context.Background(), r.st)
	if err != nil || len(profs["city"].Votes) != 12 {
		t.Fatalf("profiles: %v", err)
	}
	ed, rs, err := central.Results(context.Background(), r.st, "")
	if err != nil {
		t.Fatal(err)
	}
	var city central.PoolResult
	for _, pr := range rs {
		if pr.Pool == "city" {
			city = pr
		}
	}
	first := ed.ProjectsIn("city")[0]
	top := city.Result.Projects[0]
	if city.Voters != 12 || top.ID != first.ID || top.Score != 36 || top.Votes != 12 || !top.Funded {
		t.Fatalf("city pool: %d voters, top %+v", city.Voters, top)
	}
	if city.Result.Spent+city.Result.Left != city.Budget {
		t.Fatal("money does not add up")
	}
	// Exported as Pabulib and replayed, the city pool gives the same winners.
	funded, names := map[string]bool{}, map[string]string{}
	for _, w := range city.Result.Winners {
		funded[w] = true
	}
	var pb bytes.Buffer
	if err := pabulib.Write(&pb, map[string]string{"budget": "10200000", "vote_type": "cumulative", "rule": "greedy"},
		profs["city"], names, funded, "cumulative"); err != nil {
		t.Fatal(err)
	}
	back, err := pabulib.Read(&pb)
	if err != nil {
		t.Fatal(err)
	}
	bp, _ := back.Profile()
	replayed, _ := bp.Allocate(election.Rule{Name: "greedy"})
	if !slices.Equal(replayed.Winners, city.Result.Winners) {
		t.Fatalf("replayed %v, tallied %v", replayed.Winners, city.Result.Winners)
	}
	for _, format := range []string{"json", "csv", "pdf"} {
		var b bytes.Buffer
		if err := central.WriteResults(&b, ed, rs, format, "pl", time.Now()); err != nil {
			t.Fatal(err)
		}
		if format == "pdf" {
			path := filepath.Join(t.TempDir(), "results.pdf")
			os.WriteFile(path, b.Bytes(), 0o644)
			bin := needs.Tool(t, "pdftotext", "poppler-utils")
			out, err := exec.Command(bin, "-raw", path, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(string(out)), " ")
			for _, want := range []string{"Wyniki", first.Title.In("pl"), "Głosujących: 12", "Dzielnica XVIII Nowa Huta"} {
				if !strings.Contains(text, want) {
					t.Errorf("PDF lacks %q", want)
				}
			}
		} else if !strings.Contains(b.String(), first.ID) {
			t.Errorf("%s lacks %s", format, first.ID)
		}
	}
}
