package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
)

// TestSubmitPoster: urnactl submit-poster writes the demo's submission
// poster, with Kraków's dates and the web form's address, and refuses the
// project list format it has no content for.
func TestSubmitPoster(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.pdf")
	if err := cmdSubmitPoster([]string{"--venue", "nck", "--lang", "uk", "--out", out}); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(needs.Tool(t, "pdftotext", "poppler-utils"), out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(strings.Fields(string(text)), " "); !strings.Contains(s, "Запропонуйте ідею для Кракова!") || !strings.Contains(s, "/proposals/new") {
		t.Fatalf("the poster:\n%s", s)
	}
	if err := cmdSubmitPoster([]string{"--venue", "nck", "--format", "list", "--out", out + "2"}); err == nil {
		t.Fatal("a list format was written")
	}
	if _, err := os.Stat(out + "2"); err == nil {
		t.Fatal("a refused format left a file")
	}
}
