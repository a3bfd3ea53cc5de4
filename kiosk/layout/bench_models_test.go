package layout_test

import (
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
)

// BenchmarkReceiptPerModel reports, for every supported model, the bytes
// of a Polish receipt, its paper length in mm (as the virtual printer
// emulating the model lays it out, at the model's dpi), the time the bytes
// need on a serial line at 9600 and 115200 baud (8N1: 10 bits a byte, the
// line's physical limit), and beside them the time the printer itself
// needs at its print speed where the override knows it. link/print above 1
// means the line, not the printer, sets the pace.
func BenchmarkReceiptPerModel(b *testing.B) {
	ed := assets.MustDemoEdition()
	m := assets.MustMessages()
	r := layout.Receipt{Edition: ed, Venue: ed.Venue("bk-podgorze"), Tracker: "ABCD-EFGH-JKLM-NPQR",
		CastAt: time.Date(2025, 6, 3, 14, 5, 0, 0, time.UTC), Lang: "pl"}
	for _, prof := range printer.Profiles {
		p := &prof
		b.Run(p.Name, func(b *testing.B) {
			var doc printer.Doc
			var err error
			for b.Loop() {
				if doc, err = layout.BuildReceipt(p, m, r); err != nil {
					b.Fatal(err)
				}
			}
			var page virtual.Page
			ps := virtual.NewParser(p)
			ps.OnPage = func(pg virtual.Page) { page = pg }
			ps.Feed(doc.Data)
			ps.Flush()
			mm := float64(virtual.Render(&page, p.WidthDots).Bounds().Dy()) * 25.4 / float64(p.DPI)
			n := float64(len(doc.Data))
			b.ReportMetric(n, "bytes")
			b.ReportMetric(mm, "mm")
			slow, fast := n*10/9600, n*10/115200
			b.ReportMetric(slow, "s@9600")
			b.ReportMetric(fast, "s@115200")
			if p.SpeedMMs > 0 {
				print := mm / float64(p.SpeedMMs)
				b.ReportMetric(print, "s-print")
				b.ReportMetric(slow/print, "link/print@9600")
				b.ReportMetric(fast/print, "link/print@115200")
			}
		})
	}
}
