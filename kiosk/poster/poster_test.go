package poster

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/election"
)

// crowded adds n projects to a venue's district, with long Polish and
// Ukrainian titles, to test flowing onto further pages.
func crowded(t testing.TB, n int) *election.Edition {
	e := assets.MustDemoEdition()
	for i := range n {
		e.Projects = append(e.Projects, election.Project{
			ID: fmt.Sprintf("x%d", i), Number: fmt.Sprintf("BO.XVI.%d/25", 100+i), Pool: "d16", Cost: int64(1000+i) * 10000,
			Title: election.Text{
				"pl": fmt.Sprintf("Zielona ścieżka nr %d przy ul. Żeromskiego z ławkami i źródłem światła", i),
				"uk": fmt.Sprintf("Зелена доріжка № %d на вулиці Жеромського з лавками та освітленням", i),
			},
		})
	}
	return e
}

func model(t testing.TB, e *election.Edition, venue, lang string) *Model {
	md, err := NewModel(e, assets.MustMessages(), venue, lang, "https://urna.example/krakow-2025/projects", ByNumber)
	if err != nil {
		t.Fatal(err)
	}
	md.Generated = time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC)
	return md
}

func write(t *testing.T, md *Model, f Format) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), string(f)+".pdf")
	var b bytes.Buffer
	if err := Write(&b, md, f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, tool, pkg string, args ...string) string {
	t.Helper()
	bin := needs.Tool(t, tool, pkg)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, stderr.String())
	}
	return string(out)
}

var space = regexp.MustCompile(`\s+`)

// pdfText is the PDF's text with all runs of white space as one space.
func pdfText(t *testing.T, path string) string {
	return space.ReplaceAllString(run(t, "pdftotext", "poppler-utils", "-raw", "-enc", "UTF-8", path, "-"), " ")
}

func TestEveryFormatListsEveryTitle(t *testing.T) {
	for _, lang := range []string{"pl", "uk", "en"} {
		for _, f := range []Format{A4, A3, Flyer, List} {
			t.Run(lang+"/"+string(f), func(t *testing.T) {
				e := crowded(t, 8)
				md := model(t, e, "bk-bienczyce", lang)
				path := write(t, md, f)
				text := pdfText(t, path)
				for _, p := range md.Projects {
					if !strings.Contains(text, p.Title) {
						t.Errorf("title missing: %q", p.Title)
					}
					if !strings.Contains(text, p.Number) {
						t.Errorf("number missing: %q", p.Number)
					}
				}
				want := []string{md.Venue, md.Dates}
				if f != List {
					want = append(want, md.Headline, md.Address)
				}
				for _, s := range want {
					if !strings.Contains(text, s) {
						t.Errorf("missing %q", s)
					}
				}
				fonts := run(t, "pdffonts", "poppler-utils", path)
				if !regexp.MustCompile(`[A-Z]{6}\+DejaVuSans`).MatchString(fonts) {
					t.Errorf("fonts not embedded as subsets:\n%s", fonts)
				}
				for _, line := range strings.Split(fonts, "\n")[2:] {
					if line != "" && !strings.Contains(line, "yes yes") {
						t.Errorf("a font is not embedded and subset: %s", line)
					}
				}
			})
		}
	}
}

func TestPosterQRDecodes(t *testing.T) {
	for _, f := range []Format{A4, A3, Flyer} {
		t.Run(string(f), func(t *testing.T) {
			md := model(t, assets.MustDemoEdition(), "nck", "pl")
			path := write(t, md, f)
			png := filepath.Join(filepath.Dir(path), "page")
			run(t, "pdftoppm", "poppler-utils", "-r", "100", "-png", "-f", "1", "-l", "1", path, png)
			files, _ := filepath.Glob(png + "*.png")
			if len(files) == 0 {
				t.Fatal("pdftoppm wrote no page")
			}
			got := strings.TrimSpace(run(t, "zbarimg", "zbar-tools", "--raw", "-q", files[0]))
			for _, l := range strings.Split(got, "\n") {
				if l != md.URL {
					t.Errorf("QR decodes to %q, want %q", l, md.URL)
				}
			}
			if want := map[Format]int{A4: 1, A3: 1, Flyer: 2}[f]; len(strings.Split(got, "\n")) != want {
				t.Errorf("%d QR codes, want %d", len(strings.Split(got, "\n")), want)
			}
		})
	}
}

func TestFortyProjectsFitOnePoster(t *testing.T) {
	md := model(t, crowded(t, 35), "bk-bienczyce", "pl") // 5 in the demo + 35
	if len(md.Projects) != 40 {
		t.Fatalf("%d projects", len(md.Projects))
	}
	info := run(t, "pdfinfo", "poppler-utils", write(t, md, A4))
	if !regexp.MustCompile(`Pages:\s+1\n`).MatchString(info) {
		t.Fatalf("40 projects do not fit one A4 poster:\n%s", info)
	}
}

func TestLongListFlowsOntoPages(t *testing.T) {
	e := crowded(t, 120)
	md := model(t, e, "bk-bienczyce", "pl")
	if len(md.Projects) < 120 {
		t.Fatalf("%d projects", len(md.Projects))
	}
	for _, f := range []Format{List, A4} {
		path := write(t, md, f)
		info := run(t, "pdfinfo", "poppler-utils", path)
		pages := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info)
		if pages == nil || pages[1] == "1" {
			t.Fatalf("%s: 124 projects on %v pages", f, pages)
		}
		text := pdfText(t, path)
		for _, p := range md.Projects {
			if strings.Count(text, p.Title) != 1 {
				t.Fatalf("%s: %q appears %d times", f, p.Title, strings.Count(text, p.Title))
			}
		}
		if f == List {
			n := pages[1]
			for i := 1; i <= atoi(n); i++ {
				if !strings.Contains(text, fmt.Sprintf("Strona %d z %s", i, n)) {
					t.Errorf("page %d lacks its number", i)
				}
			}
			if c := strings.Count(text, "Lista projektów – XVI Bieńczyce"); c != atoi(n) {
				t.Errorf("header on %d of %s pages", c, n)
			}
		}
	}
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func TestModel(t *testing.T) {
	e := assets.MustDemoEdition()
	m := assets.MustMessages()
	md := model(t, e, "bk-podgorze", "pl")
	if md.Dates != "1–14 czerwca 2025" {
		t.Errorf("Dates = %q", md.Dates)
	}
	if strings.Join(md.Hours, "; ") != "pon.–pt. 9:00–19:00; sob. 10:00–14:00" {
		t.Errorf("Hours = %q", md.Hours)
	}
	if md.District != "XIII Podgórze" {
		t.Errorf("District = %q", md.District)
	}
	if uk, _ := NewModel(e, m, "nck", "uk", "u", ByBallot); uk.Dates != "1–14 червня 2025" || uk.Headline != "Голосуйте тут!" {
		t.Errorf("uk: %q %q", uk.Dates, uk.Headline)
	}
	e.Closes = time.Date(2025, 7, 2, 0, 0, 0, 0, e.Location())
	if got := Dates(e, m, "en"); got != "1 June – 1 July 2025" {
		t.Errorf("Dates across months = %q", got)
	}
	if _, err := NewModel(e, m, "nowhere", "pl", "u", ByNumber); err == nil {
		t.Error("unknown venue accepted")
	}
	if _, err := NewModel(e, m, "nck", "de", "u", ByNumber); err == nil {
		t.Error("unknown language accepted")
	}
	for _, c := range [][2]string{{"BO.XVI.2/25", "BO.XVI.10/25"}, {"A1", "B1"}, {"BO.IX.9", "BO.IX.9/25"}} {
		if compareNumbers(c[0], c[1]) >= 0 || compareNumbers(c[1], c[0]) <= 0 {
			t.Errorf("%s should sort before %s", c[0], c[1])
		}
	}
}
