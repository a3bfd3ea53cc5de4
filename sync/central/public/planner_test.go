package public

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/election"
)

func planner(t *testing.T) (*httptest.Server, *election.Edition) {
	t.Helper()
	ed := assets.MustDemoEdition()
	p := &Planner{Edition: func(context.Context) (*election.Edition, error) { return ed, nil }, Msgs: assets.MustMessages()}
	mux := http.NewServeMux()
	p.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, ed
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// actionHref finds the link that gives project number the label (e.g. "3 pkt").
func actionHref(t *testing.T, page, number, label string) string {
	t.Helper()
	i := strings.Index(page, `<span class="num">`+number+`</span>`)
	if i < 0 {
		t.Fatalf("project %s not on the page", number)
	}
	m := regexp.MustCompile(`<a href="([^"]+)"[^>]*>` + regexp.QuoteMeta(label) + `</a>`).FindStringSubmatch(page[i:])
	if m == nil {
		t.Fatalf("no %q link for %s", label, number)
	}
	return html.UnescapeString(m[1])
}

var codeRE = regexp.MustCompile(`<p class="code"[^>]*>([0-9A-Z-]+)</p>`)

// picks is a full 3-2-1 ballot of the demo's city pool and district d01.
var picks = []struct{ number, label string }{
	{"BO.OM.3/25", "3 pkt"}, {"BO.OM.1/25", "2 pkt"}, {"BO.OM.7/25", "1 pkt"},
}

func TestPlannerBuildsACode(t *testing.T) {
	srv, ed := planner(t)
	_, page := get(t, srv.URL+"/plan?lang=pl")
	if !strings.Contains(page, "Wybierz swoją dzielnicę") {
		t.Fatal("no district choice on the first page")
	}
	_, page = get(t, srv.URL+"/plan?lang=pl&d=d01")
	district := ed.ProjectsIn("d01")
	all := append(picks[:3:3], struct{ number, label string }{district[0].Number, "3 pkt"},
		struct{ number, label string }{district[1].Number, "2 pkt"}, struct{ number, label string }{district[2].Number, "1 pkt"})
	for _, p := range all {
		_, page = get(t, srv.URL+actionHref(t, page, p.number, p.label))
	}
	if !strings.Contains(page, "Karta jest kompletna") {
		t.Fatalf("six picks do not make a complete ballot")
	}
	m := codeRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no code on the page")
	}
	b, ps, err := election.DecodePlan(ed, m[1])
	if err != nil || len(ps) > 0 || len(ed.Validate(b)) > 0 {
		t.Fatalf("code %s: %v %v %v", m[1], err, ps, ed.Validate(b))
	}
	if got := b.Selection("city").Choices[0]; got.Project != "c03" || got.Points != 3 {
		t.Fatalf("first city choice %+v", got)
	}
	// A tap lands at the project tapped, not at the top of the list.
	if href := actionHref(t, page, "BO.OM.2/25", "3 pkt"); !strings.HasSuffix(href, "#p-c02") {
		t.Errorf("the 3-point link of BO.OM.2/25 lands at %q", href)
	}
	// Changing the district keeps the city-wide picks.
	m2 := regexp.MustCompile(`<a href="([^"]+)"[^>]*>Dzielnica II Grzegórzki</a>`).FindStringSubmatch(page)
	if m2 == nil {
		t.Fatal("no link to another district")
	}
	_, other := get(t, srv.URL+html.UnescapeString(m2[1]))
	ob, _, err := election.DecodePlan(ed, codeRE.FindStringSubmatch(other)[1])
	if err != nil || ob.District != "d02" || len(ob.Selection("city").Choices) != 3 || len(ob.Selection("d02").Choices) != 0 {
		t.Fatalf("after changing district: %+v %v", ob, err)
	}
	if !strings.Contains(page, "/plan/paper.pdf?d=d01") {
		t.Error("no link to the paper planner")
	}
	// A mistyped code is said, next to the code.
	if _, bad := get(t, srv.URL+"/plan?lang=en&d=d01&c="+m[1][:len(m[1])-1]+"Q"); strings.Count(bad, "This code cannot be read") < 2 {
		t.Error("a mistyped code is not said beside the code")
	}
	// Giving 3 points to another project takes them from the first.
	_, moved := get(t, srv.URL+actionHref(t, page, "BO.OM.2/25", "3 pkt"))
	b, _, _ = election.DecodePlan(ed, codeRE.FindStringSubmatch(moved)[1])
	if c := b.Selection("city").Choices; len(c) != 3 || c[2].Project != "c02" || c[2].Points != 3 || c[0].Project == "c03" {
		t.Fatalf("after moving 3 points: %+v", c)
	}

	// The QR code carries exactly the typed code.
	zbar := needs.Tool(t, "zbarimg", "zbar-tools")
	resp, err := http.Get(srv.URL + "/plan/qr.png?c=" + m[1])
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("qr: %v %v", err, resp.Status)
	}
	png := filepath.Join(t.TempDir(), "qr.png")
	f, _ := os.Create(png)
	io.Copy(f, resp.Body)
	f.Close()
	resp.Body.Close()
	out, err := exec.Command(zbar, "-q", "--raw", png).Output()
	if err != nil || strings.TrimSpace(string(out)) != strings.ReplaceAll(m[1], "-", "") {
		t.Fatalf("zbarimg read %q (%v), want %s", out, err, m[1])
	}
}

func TestPlannerBadInput(t *testing.T) {
	srv, _ := planner(t)
	for _, q := range []string{"c=NOTACODE", "c=" + strings.Repeat("Z", 5000), "d=nowhere", "d=d01&p=nope&n=99",
		"d=d01&q=" + strings.Repeat("ą", 3000), "lang=xx"} {
		code, page := get(t, srv.URL+"/plan?"+q)
		if code != 200 || !strings.Contains(page, "</html>") {
			t.Fatalf("%s: %d", q[:min(len(q), 30)], code)
		}
	}
	if code, _ := get(t, srv.URL+"/plan?c=NOTACODE&lang=uk"); code != 200 {
		t.Fatal("bad code")
	}
	if _, page := get(t, srv.URL+"/plan?c=NOTACODE&lang=uk"); !strings.Contains(page, "Цей код неможливо прочитати") {
		t.Fatal("a bad code is not explained in Ukrainian")
	}
	if code, _ := get(t, srv.URL+"/plan/qr.png?c=hello"); code != http.StatusBadRequest {
		t.Fatalf("qr of a non-code: %d", code)
	}
}

// TestPlannerInChromium picks a ballot in headless Chromium, once with
// JavaScript on and once off: the planner needs none.
func TestPlannerInChromium(t *testing.T) {
	srv, ed := planner(t)
	for name, args := range map[string][]string{"script": nil, "noscript": {browser.NoScript}} {
		t.Run(name, func(t *testing.T) {
			b := browser.StartWith(t, append(args, "--window-size=420,900")...)
			b.Go(srv.URL + "/plan?lang=uk")
			b.Click(b.Find(`.districts a:nth-child(2)`))
			b.Wait("/plan", "Оберіть")
			district := ed.ProjectsIn(ed.Districts()[1].ID)
			for i, pts := range []string{"3", "2", "1"} {
				for _, number := range []string{picks[i].number, district[i].Number} {
					src := b.Source()
					label := pts + " бал."
					if pts == "1" {
						label = "1 бал"
					}
					href := actionHref(t, src, number, label)
					b.Click(b.Find(`a[href="` + href + `"]`))
					waitURL(t, b, href)
				}
			}
			src := b.Wait("/plan", "Бюлетень заповнено")
			m := codeRE.FindStringSubmatch(src)
			if m == nil {
				t.Fatal("no code")
			}
			if _, ps, err := election.DecodePlan(ed, m[1]); err != nil || len(ps) > 0 {
				t.Fatalf("code from Chromium: %v %v", err, ps)
			}
			if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
				b.Go(srv.URL + "/plan?lang=uk&d=" + ed.Districts()[1].ID + "&c=" + strings.ReplaceAll(m[1], "-", ""))
				b.Screenshot(filepath.Join(dir, "planner-uk-"+name+".png"))
			}
		})
	}
}

// waitURL waits until the browser has followed a link to href.
func waitURL(t *testing.T, b *browser.Browser, href string) {
	t.Helper()
	for i := 0; !strings.HasSuffix(b.URL(), href); i++ {
		if i > 600 {
			t.Fatalf("did not reach %s (at %s)", href, b.URL())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPaperPlanner(t *testing.T) {
	pdftotext := needs.Tool(t, "pdftotext", "poppler-utils")
	srv, ed := planner(t)
	for _, lang := range []string{"pl", "uk"} {
		resp, err := http.Get(srv.URL + "/plan/paper.pdf?d=d16&lang=" + lang)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s: %v %v", lang, err, resp.Status)
		}
		path := filepath.Join(t.TempDir(), "planner.pdf")
		f, _ := os.Create(path)
		io.Copy(f, resp.Body)
		f.Close()
		resp.Body.Close()
		out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := string(out)
		for _, pr := range append(ed.ProjectsIn("city"), ed.ProjectsIn("d16")...) {
			if !strings.Contains(text, pr.Number) {
				t.Errorf("%s: project %s missing from the paper planner", lang, pr.Number)
			}
		}
		want := map[string]string{"pl": "nie jest kartą do głosowania", "uk": "не бюлетень"}[lang]
		if !strings.Contains(text, want) {
			t.Errorf("%s: the planner does not say it is not a ballot", lang)
		}
		if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
			exec.Command("pdftoppm", "-png", "-r", "60", path, filepath.Join(dir, "paper-planner-"+lang)).Run()
		}
	}
	if code, _ := get(t, srv.URL+"/plan/paper.pdf?d=nowhere"); code != http.StatusBadRequest {
		t.Fatalf("unknown district: %d", code)
	}
}
