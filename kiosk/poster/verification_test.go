package poster_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/poster"
)

// TestVerificationResults: a district's verification results as an A4 PDF
// in pl and uk: the district's name, the counts by outcome, every proposal
// with its outcome and reason over as many pages as they take, the protest
// window, letters exact.
func TestVerificationResults(t *testing.T) {
	ed := yearEdition(t)
	m := assets.MustMessages()
	var outs []poster.Outcome
	for i := range 60 {
		o := poster.Outcome{ID: fmt.Sprintf("W-%04d", i), Title: fmt.Sprintf("Zielona ścieżka nr %d przy ul. Żeromskiego", i), Status: "accepted", Cost: 120_000_00}
		switch i % 4 {
		case 1:
			o.Status, o.Reason = "rejected", "Teren nie należy do gminy; zadanie nie jest zadaniem własnym miasta."
		case 2:
			o.Status = "withdrawn"
		}
		outs = append(outs, o)
	}
	want := map[string][]string{
		"pl": {"Wyniki weryfikacji wniosków – Dzielnica XVI Bieńczyce", "Wniosków: 60", "Zaakceptowany: 30", "Odrzucony: 15", "Wycofany: 15",
			"Teren nie należy do gminy", "30 kwietnia – 9 maja 2025", "W-0059", "Zielona ścieżka nr 59 przy ul. Żeromskiego", "120 000 zł", "Strona 3 z 3"},
		"uk": {"Результати перевірки пропозицій – Район XVI Bieńczyce", "Пропозицій: 60", "Відхилено", "30 квітня – 9 травня 2025", "120 000 зл"},
	}
	shots := os.Getenv("URNA_SHOTS")
	for lang, phrases := range want {
		var b bytes.Buffer
		v := poster.Verification{Edition: ed, Pool: "d16", Lang: lang, Outcomes: outs, Generated: time.Date(2025, 4, 30, 9, 0, 0, 0, time.UTC)}
		if err := poster.WriteVerification(&b, m, v); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "results.pdf")
		os.WriteFile(path, b.Bytes(), 0o644)
		text := spaces.ReplaceAllString(tool(t, "pdftotext", "poppler-utils", "-raw", "-enc", "UTF-8", path, "-"), " ")
		for _, p := range phrases {
			if !strings.Contains(text, strings.ReplaceAll(p, "\u00a0", " ")) {
				t.Errorf("%s: no %q in\n%s", lang, p, text)
			}
		}
		for i := range 60 {
			if !strings.Contains(text, fmt.Sprintf("W-%04d", i)) {
				t.Errorf("%s: W-%04d missing", lang, i)
			}
		}
		if shots != "" {
			tool(t, "pdftoppm", "poppler-utils", "-r", "70", "-png", path, filepath.Join(shots, "verification-"+lang))
		}
	}
	if err := poster.WriteVerification(new(bytes.Buffer), m, poster.Verification{Edition: ed, Pool: "nowhere", Lang: "pl"}); err == nil {
		t.Fatal("an unknown pool was written")
	}
}
