package layout

import (
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
)

// BenchmarkReceiptWire reports the bytes a receipt puts on the serial line
// with native and raster QR codes, and the time the line needs for them at
// 9600, 19200 and 115200 baud (8N1: 10 bits a byte, the physical limit of
// the line). Goal with native QR: ≤ 700 bytes, ≤ 0.75 s at 9600 baud.
func BenchmarkReceiptWire(b *testing.B) {
	ed := assets.MustDemoEdition()
	m := assets.MustMessages()
	r := Receipt{Edition: ed, Venue: ed.Venue("bk-podgorze"), Tracker: "ABCD-EFGH-JKLM-NPQR",
		CastAt: time.Date(2025, 6, 3, 14, 5, 0, 0, time.UTC), Lang: "pl"}
	for _, prof := range []string{"epson-tm-t20", "generic-58mm"} {
		p, _ := printer.LookupProfile(prof)
		name := "native-QR"
		if !p.NativeQR {
			name = "raster-QR"
		}
		b.Run(name+"/"+prof, func(b *testing.B) {
			var doc printer.Doc
			var err error
			for b.Loop() {
				doc, err = BuildReceipt(p, m, r)
				if err != nil {
					b.Fatal(err)
				}
			}
			n := float64(len(doc.Data))
			b.ReportMetric(n, "bytes")
			for _, baud := range []float64{9600, 19200, 115200} {
				b.ReportMetric(n*10/baud, "s@"+map[float64]string{9600: "9600", 19200: "19200", 115200: "115200"}[baud])
			}
			if p.NativeQR {
				b.ReportMetric(n/700, "ratio-to-700B-goal")
			}
		})
	}
}
