package public

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestResultsPosterDownload: a district's results page links its A4
// results poster, which says the state and lists the district's winners;
// a venue's poster is served too, and an unknown one is a translated 404
// (main served no results poster).
func TestResultsPosterDownload(t *testing.T) {
	pdftotext := needs.Tool(t, "pdftotext", "poppler-utils")
	srv, ed, res := resultsServer(t, election.Provisional, nil)
	district := ed.Pool(res.Pools[1].Pool)
	_, page := get(t, srv.URL+"/results/"+district.ID+"?lang=pl")
	href := "/results/poster.pdf?d=" + district.ID + "&amp;lang=pl"
	if !strings.Contains(page, href) {
		t.Fatalf("the district's page does not link its poster %s", href)
	}
	venue := ""
	for _, v := range ed.Venues {
		if v.District == district.ID {
			venue = v.ID
		}
	}
	for name, path := range map[string]string{"district": "/results/poster.pdf?d=" + district.ID + "&lang=pl", "venue": "/results/poster.pdf?venue=" + venue + "&lang=pl"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("%s poster: %s %q", name, resp.Status, resp.Header.Get("Content-Type"))
		}
		file := filepath.Join(t.TempDir(), "p.pdf")
		os.WriteFile(file, body, 0o644)
		out, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.ReplaceAll(string(out), "\u00a0", " ")), " ")
		winner := ed.Project(res.Pools[1].Result.Winners[0])
		for _, w := range []string{"Wyniki głosowania", "Wyniki WSTĘPNE", winner.Number, ed.CityPool().Name.In("pl")} {
			if !strings.Contains(text, w) {
				t.Errorf("%s poster lacks %q", name, w)
			}
		}
		if strings.Contains(text, "Klucz edycji:") {
			t.Errorf("%s poster: unsigned results carry a fingerprint", name)
		}
	}
	code, body := get(t, srv.URL+"/results/poster.pdf?venue=nope&lang=en")
	if code != http.StatusNotFound || !strings.Contains(body, "There is no such voting point or district.") {
		t.Fatalf("unknown venue: %d %q", code, body)
	}
}
