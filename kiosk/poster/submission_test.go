package poster_test

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/sync/election"
)

// yearEdition is the demo edition with Kraków's 2025 submission window and rules.
func yearEdition(t testing.TB) *election.Edition {
	e := assets.MustDemoEdition()
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, e.Location()) }
	e.Phases = []election.Phase{
		{Kind: election.PhaseSubmission, Starts: at(2, 7), Ends: at(3, 10)},
		{Kind: election.PhaseFormalCheck, Starts: at(3, 10), Ends: at(4, 1), FixDays: 7},
		{Kind: election.PhaseMeritCheck, Starts: at(4, 1), Ends: at(4, 30)},
		{Kind: election.PhaseProtests, Starts: at(4, 30), Ends: at(5, 10)},
	}
	e.Proposals = &election.ProposalRules{
		CostLimits: map[election.PoolKind]election.CostLimit{election.District: {Min: 10_000_00, Max: 400_000_00},
			election.CityWide: {Min: 400_000_00, Max: 4_000_000_00}},
		Supporters: 15,
	}
	if ps := e.Check(); len(ps) > 0 {
		t.Fatal(ps)
	}
	return e
}

func tool(t *testing.T, name, pkg string, args ...string) string {
	t.Helper()
	out, err := exec.Command(needs.Tool(t, name, pkg), args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

// TestSubmissionPoster: the venue's poster for the submission window, in
// pl, en and uk, as A4 and flyer PDFs and the thermal strip: its dates,
// the cost limits, the support list's signatures, the venue, a QR code of
// the web form that decodes, and letters exact.
func TestSubmissionPoster(t *testing.T) {
	ed := yearEdition(t)
	m := assets.MustMessages()
	const url = "https://urna.example/proposals/new"
	want := map[string][]string{
		"pl": {"Zgłoś pomysł dla Krakowa!", "Wnioski: 7 lutego – 9 marca 2025", "od 10 000 zł do 400 000 zł", "co najmniej 15 mieszkańców", "Bieńczyce", "Głosowanie nad projektami: 1–14 czerwca 2025"},
		"en": {"Propose an idea for Kraków!", "Proposals: 7 February – 9 March 2025", "from PLN 10 000 to PLN 400 000", "at least 15 residents"},
		"uk": {"Запропонуйте ідею для Кракова!", "Пропозиції: 7 лютого – 9 березня 2025", "від 10 000 зл до 400 000 зл", "щонайменше 15 мешканців"},
	}
	shots := os.Getenv("URNA_SHOTS")
	for lang, phrases := range want {
		md, err := poster.SubmissionModel(ed, m, "bk-bienczyce", lang, url)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []poster.Format{poster.A4, poster.Flyer} {
			dir := t.TempDir()
			path := filepath.Join(dir, "poster.pdf")
			var b bytes.Buffer
			if err := poster.Write(&b, md, f); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, b.Bytes(), 0o644)
			text := spaces.ReplaceAllString(tool(t, "pdftotext", "poppler-utils", "-raw", "-enc", "UTF-8", path, "-"), " ")
			for _, p := range phrases {
				if !strings.Contains(text, strings.ReplaceAll(p, "\u00a0", " ")) && !strings.Contains(text, p) {
					t.Errorf("%s %s: no %q in\n%s", lang, f, p, text)
				}
			}
			if strings.Contains(text, "Głosuj tutaj") || strings.Contains(text, "Projekty w dzielnicy") {
				t.Errorf("%s %s: the voting poster's texts:\n%s", lang, f, text)
			}
			tool(t, "pdftoppm", "poppler-utils", "-r", "100", "-png", "-f", "1", "-l", "1", path, filepath.Join(dir, "page"))
			pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
			if len(pages) == 0 {
				t.Fatal("pdftoppm wrote no page")
			}
			if got := strings.TrimSpace(tool(t, "zbarimg", "zbar-tools", "--raw", "-q", pages[0])); strings.Split(got, "\n")[0] != url {
				t.Errorf("%s %s: QR %q", lang, f, got)
			}
			if shots != "" {
				b, _ := os.ReadFile(pages[0])
				os.WriteFile(filepath.Join(shots, "submission-poster-"+lang+"-"+string(f)+".png"), b, 0o644)
			}
		}
		p, err := printer.LookupProfile("generic-80mm")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := layout.BuildPosterStrip(p, md)
		if err != nil {
			t.Fatal(err)
		}
		ps := virtual.NewParser(p)
		var pages []virtual.Page
		ps.OnPage = func(pg virtual.Page) { pages = append(pages, pg) }
		ps.Feed(doc.Data)
		ps.Flush()
		if len(pages) != 1 {
			t.Fatalf("%s strip: %d pages", lang, len(pages))
		}
		flat := strings.Join(strings.Fields(pages[0].Text()), " ")
		for _, ph := range []string{md.Headline, md.Lines["poster.dates"], "1. " + md.Projects[0].Title, md.Lines["poster.who"]} {
			if !strings.Contains(flat, strings.Join(strings.Fields(ph), " ")) {
				t.Errorf("%s strip: no %q in\n%s", lang, ph, flat)
			}
		}
		if ps.Overflows > 0 {
			t.Errorf("%s strip: %d lines too wide", lang, ps.Overflows)
		}
		if shots != "" {
			f, _ := os.Create(filepath.Join(shots, "submission-strip-"+lang+".png"))
			png.Encode(f, virtual.Render(&pages[0], p.WidthDots))
			f.Close()
		}
	}
	ed.Phases = nil
	if _, err := poster.SubmissionModel(ed, m, "bk-bienczyce", "pl", url); err != poster.ErrNoSubmission {
		t.Fatalf("without a submission phase: %v", err)
	}
}
