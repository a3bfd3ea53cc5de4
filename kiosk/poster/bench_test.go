package poster

import (
	"bytes"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/urna-kiosk/urna/assets"
)

// BenchmarkPosterA4 makes an A4 poster with 40 projects and, in the same
// run, a bare one-page PDF with one line in the same embedded font: the
// floor any poster with that font pays. Goal: ≤ 50 ms and ≤ 60 KB.
func BenchmarkPosterA4(b *testing.B) {
	md := model(b, crowded(b, 35), "bk-bienczyce", "pl")
	if len(md.Projects) != 40 {
		b.Fatalf("%d projects", len(md.Projects))
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Write(&buf, md, A4); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	bare, bareSize := bareTime(b)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(perOp/1e6, "poster-ms")
	b.ReportMetric(float64(size)/1000, "poster-kB")
	b.ReportMetric(bare/1e6, "bare-ms")
	b.ReportMetric(float64(bareSize)/1000, "bare-kB")
	b.ReportMetric(perOp/bare, "time-ratio")
	b.ReportMetric(float64(size)/float64(bareSize), "size-ratio")
}

// bareTime measures the bare one-page PDF over 20 runs.
func bareTime(b *testing.B) (nsPerOp float64, size int) {
	const runs = 20
	start := time.Now()
	for range runs {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("dejavu", "", assets.FontSans())
		pdf.AddPage()
		pdf.SetFont("dejavu", "", 12)
		pdf.Text(20, 20, "Głosuj tutaj!")
		var buf bytes.Buffer
		if err := pdf.Output(&buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	return float64(time.Since(start).Nanoseconds()) / runs, size
}
