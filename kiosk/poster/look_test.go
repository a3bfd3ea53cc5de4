package poster

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/urna-kiosk/urna/assets"
)

// TestWriteSamples writes every format to $URNA_POSTER_SAMPLES, for people
// to look at (make screenshots); without it the test does nothing.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("URNA_POSTER_SAMPLES")
	if dir == "" {
		t.Skip("set URNA_POSTER_SAMPLES=DIR to write sample posters")
	}
	os.MkdirAll(dir, 0o755)
	for _, lang := range []string{"pl", "uk"} {
		for _, f := range []Format{A4, A3, Flyer, List} {
			e := assets.MustDemoEdition()
			if f == A4 || f == List {
				e = crowded(t, 35) // the bench's 40 projects
			}
			var b bytes.Buffer
			if err := Write(&b, model(t, e, "bk-bienczyce", lang), f); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, lang+"-"+string(f)+".pdf"), b.Bytes(), 0o644)
		}
	}
}
