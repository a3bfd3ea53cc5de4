package virtual

import (
	"bytes"
	"testing"

	"github.com/urna-kiosk/urna/kiosk/printer"
)

func FuzzParser(f *testing.F) {
	p, _ := printer.LookupProfile("epson-tm-t20")
	e := printer.NewEncoder(p)
	e.Align(printer.Center)
	e.Size(2, 2)
	e.Line("Zażółć ї")
	e.QR("https://urna.example/x")
	e.Cut(true)
	f.Add(e.Bytes(), uint8(7))
	f.Add([]byte{0x1d, 0x76, 0x30, 0, 1, 0, 2, 0, 0xff, 0x81, 0x10, 0x04, 0x01}, uint8(3))
	f.Add([]byte{0x1d, 0x28, 0x6b, 0xff, 0xff}, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, split uint8) {
		whole := transcript(p, [][]byte{b})
		var parts [][]byte
		step := int(split%16) + 1
		for i := 0; i < len(b); i += step {
			parts = append(parts, b[i:min(i+step, len(b))])
		}
		if got := transcript(p, parts); got != whole {
			t.Fatalf("split feeding changed the result:\n%q\n%q", got, whole)
		}
	})
}

func transcript(p *printer.Profile, parts [][]byte) string {
	ps := NewParser(p)
	var out bytes.Buffer
	ps.OnPage = func(pg Page) {
		out.WriteString(pg.Text())
		Render(&pg, p.WidthDots)
	}
	ps.OnStatus = func(n byte) { out.WriteString("[status]") }
	for _, b := range parts {
		ps.Feed(b)
	}
	ps.Flush()
	return out.String()
}

func TestParserWrapsAtPaperEdge(t *testing.T) {
	p, _ := printer.LookupProfile("generic-58mm") // 32 columns
	ps := NewParser(p)
	var page Page
	ps.OnPage = func(pg Page) { page = pg }
	ps.Feed([]byte("0123456789012345678901234567890123456789\n"))
	ps.Flush()
	if got := page.Text(); got != "01234567890123456789012345678901\n23456789\n" {
		t.Fatalf("got %q", got)
	}
}
