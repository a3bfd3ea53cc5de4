// Package virtual is a virtual ESC/POS printer on a pseudo-terminal: the
// serial transport opens its path as it would a real printer's. It
// interprets what it receives (text in the selected code page, sizes, bold,
// alignment, native QR codes, rasters, cuts), renders each page to PNG at
// 8 dots/mm with a UTF-8 transcript, and answers status requests from a
// state that tests set.
package virtual

import (
	"fmt"
	"image"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"github.com/urna-kiosk/urna/kiosk/printer"
)

// Run is text printed in one style.
type Run struct {
	Text string
	Bold bool
	W, H int
}

// Element is one thing on a page: a line of text, an image or a feed.
type Element struct {
	Runs  []Run             // a text line (may be empty: a blank line)
	Align printer.Alignment //
	Image *image.Gray       // a raster or a QR code
	QR    string            // the data of a native QR code
	Feed  int               // dots of paper fed
}

// Page is what came out between two cuts.
type Page struct {
	Elements []Element
	Cut      bool // ended by the cutter (false: torn off after going idle)
}

// Text returns the page's transcript: each text line, and "[QR] data" for
// native QR codes and "[image W×H]" for rasters.
func (p *Page) Text() string {
	var b strings.Builder
	for _, e := range p.Elements {
		switch {
		case e.QR != "":
			fmt.Fprintf(&b, "[QR] %s\n", e.QR)
		case e.Image != nil:
			fmt.Fprintf(&b, "[image %dx%d]\n", e.Image.Rect.Dx(), e.Image.Rect.Dy())
		case e.Feed > 0:
		default:
			for _, r := range e.Runs {
				b.WriteString(r.Text)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Parser interprets an ESC/POS stream fed in pieces of any size.
type Parser struct {
	prof    *printer.Profile
	pending []byte
	page    Page
	line    []Run
	align   printer.Alignment
	bold    bool
	w, h    int
	cp      *charmap.Charmap
	qrData  string
	qrSize  int
	discard bool // paper out: only real-time requests are answered

	// OnPage receives each finished page.
	OnPage func(Page)
	// OnStatus answers DLE EOT n.
	OnStatus func(n byte)
	// OnTransmit answers GS r n, in order with the data (only while printing).
	OnTransmit func(n byte)
	// OnAutoStatus is called for GS a n.
	OnAutoStatus func(n byte)
	// OnData is told of each byte consumed outside real-time requests.
	OnData func(n int)
	// Unknown counts commands the parser skipped.
	Unknown int
	// Overflows counts lines the printer had to wrap at the paper's edge:
	// text wider than the model's columns.
	Overflows int
}

// NewParser returns a parser for a printer of profile p, in its power-on state.
func NewParser(p *printer.Profile) *Parser {
	ps := &Parser{prof: p}
	ps.reset()
	return ps
}

// reset is ESC @: styles off and the printer's own default code page, PC437.
func (p *Parser) reset() {
	p.align, p.bold, p.w, p.h = printer.Left, false, 1, 1
	p.cp = charmap.CodePage437
	p.qrSize = 3
}

// Discard sets whether printable data is thrown away (paper out).
func (p *Parser) Discard(on bool) { p.discard = on }

// Feed interprets b, keeping an incomplete command for the next call.
func (p *Parser) Feed(b []byte) {
	p.pending = append(p.pending, b...)
	for len(p.pending) > 0 {
		n := p.step(p.pending)
		if n == 0 {
			break
		}
		if p.OnData != nil && !(len(p.pending) >= 2 && p.pending[0] == printer.DLE && p.pending[1] == printer.EOT) {
			p.OnData(n)
		}
		p.pending = p.pending[n:]
	}
	if len(p.pending) == 0 {
		p.pending = nil
	}
}

// Flush ends the page if anything is on it (paper torn off without a cut).
func (p *Parser) Flush() {
	p.endLine(false)
	if len(p.page.Elements) > 0 {
		p.emit(false)
	}
}

func (p *Parser) emit(cut bool) {
	p.page.Cut = cut
	page := p.page
	p.page = Page{}
	if p.OnPage != nil {
		p.OnPage(page)
	}
}

// endLine closes the current text line; force adds it even when empty.
func (p *Parser) endLine(force bool) {
	if len(p.line) == 0 && !force {
		return
	}
	p.page.Elements = append(p.page.Elements, Element{Runs: p.line, Align: p.align})
	p.line = nil
}

func (p *Parser) text(b byte) {
	// the printer wraps at the paper's edge, as real ones do
	used := 0
	for _, run := range p.line {
		used += len([]rune(run.Text)) * cellW * run.W
	}
	if used+cellW*p.w > p.prof.WidthDots || (used+cellW*p.w)/cellW > p.prof.Columns {
		p.Overflows++
		p.endLine(true)
	}
	r := rune(b)
	if b >= 0x80 {
		r = '?'
		if p.cp != nil {
			r = p.cp.DecodeByte(b)
		}
	}
	if n := len(p.line); n > 0 && p.line[n-1].Bold == p.bold && p.line[n-1].W == p.w && p.line[n-1].H == p.h {
		p.line[n-1].Text += string(r)
		return
	}
	p.line = append(p.line, Run{Text: string(r), Bold: p.bold, W: p.w, H: p.h})
}

// selectPage is ESC t n, read with the emulated model's own table: a
// number the model gives another page prints that page's letters, as the
// real printer would. A number it does not have leaves the page as it was.
func (p *Parser) selectPage(n byte) {
	name, ok := p.prof.Pages[n]
	if !ok {
		p.Unknown++
		return
	}
	p.cp = printer.Charmap(name) // nil: a page Go cannot decode, shown as '?'
}

// step interprets one command or character at the start of b and returns
// how many bytes it took; 0 means the command is not complete yet.
func (p *Parser) step(b []byte) int {
	need := func(n int) bool { return len(b) >= n }
	if b[0] == printer.DLE {
		if !need(3) {
			return 0
		}
		if b[1] == printer.EOT {
			if p.OnStatus != nil {
				p.OnStatus(b[2])
			}
			return 3
		}
		return 1
	}
	if p.discard {
		return 1
	}
	switch b[0] {
	case printer.LF:
		p.endLine(true)
		return 1
	case '\r', 0x00:
		return 1
	case '\t':
		p.text(' ')
		return 1
	case printer.ESC:
		return p.esc(b)
	case printer.GS:
		return p.gs(b)
	}
	if b[0] < 0x20 {
		p.Unknown++
		return 1
	}
	p.text(b[0])
	return 1
}

func (p *Parser) esc(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	arg := func() (byte, bool) {
		if len(b) < 3 {
			return 0, false
		}
		return b[2], true
	}
	switch b[1] {
	case '@':
		p.endLine(false)
		p.reset()
		return 2
	case '2':
		return 2
	case GSByte:
		if len(b) < 4 {
			return 0
		}
		p.Unknown++ // ESC GS t is Star mode, not ESC/POS
		return 4
	case 'p':
		if len(b) < 5 {
			return 0
		}
		return 5
	case 't', 'a', 'E', 'd', '-', 'J', 'M', '!', '3', '{', 'G', 'V', 'R', 'r', 'c', 'U', ' ':
		n, ok := arg()
		if !ok {
			return 0
		}
		switch b[1] {
		case 't':
			p.selectPage(n)
		case 'a':
			p.endLine(false)
			p.align = printer.Alignment(min(n%48, 2))
		case 'E':
			p.bold = n&1 == 1
		case 'd':
			p.endLine(false)
			p.page.Elements = append(p.page.Elements, Element{Feed: int(n) * 30})
		case 'J':
			p.endLine(false)
			p.page.Elements = append(p.page.Elements, Element{Feed: int(n)})
		case '!':
			p.bold = n&0x08 != 0
			p.w, p.h = 1+int(n>>5&1), 1+int(n>>4&1)
		}
		return 3
	}
	p.Unknown++
	return 2
}

// GSByte is GS, named for the ESC GS t case.
const GSByte = printer.GS

func (p *Parser) gs(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '!':
		if len(b) < 3 {
			return 0
		}
		p.w, p.h = 1+int(b[2]>>4&7), 1+int(b[2]&7)
		return 3
	case 'a', 'B', 'H', 'h', 'w', 'f', 'I', 'r':
		if len(b) < 3 {
			return 0
		}
		if b[1] == 'a' && p.OnAutoStatus != nil {
			p.OnAutoStatus(b[2])
		}
		if b[1] == 'r' && p.OnTransmit != nil {
			p.OnTransmit(b[2])
		}
		return 3
	case 'L', 'W':
		if len(b) < 4 {
			return 0
		}
		return 4
	case 'V':
		if len(b) < 3 {
			return 0
		}
		n := 3
		if b[2] >= 65 {
			if len(b) < 4 {
				return 0
			}
			n = 4
			p.endLine(false)
			p.page.Elements = append(p.page.Elements, Element{Feed: int(b[3])})
		}
		p.endLine(false)
		p.emit(true)
		return n
	case '(':
		if len(b) < 5 {
			return 0
		}
		size := int(b[3]) | int(b[4])<<8
		if len(b) < 5+size {
			return 0
		}
		if b[2] == 'k' && size >= 3 && b[5] == '1' {
			p.qr(b[6], b[7:5+size])
		}
		return 5 + size
	case 'v':
		if len(b) < 8 {
			return 0
		}
		if b[2] != '0' {
			p.Unknown++
			return 3
		}
		rowBytes := int(b[4]) | int(b[5])<<8
		rows := int(b[6]) | int(b[7])<<8
		n := 8 + rowBytes*rows
		if len(b) < n {
			return 0
		}
		p.raster(rowBytes, rows, b[8:n], b[3])
		return n
	case 'k':
		// barcodes are skipped: m 0–6 ends with NUL, m 65–73 has a length
		if len(b) < 3 {
			return 0
		}
		if b[2] <= 6 {
			for i := 3; i < len(b); i++ {
				if b[i] == 0 {
					return i + 1
				}
			}
			return 0
		}
		if len(b) < 4 {
			return 0
		}
		if len(b) < 4+int(b[3]) {
			return 0
		}
		return 4 + int(b[3])
	}
	p.Unknown++
	return 2
}

func (p *Parser) qr(fn byte, params []byte) {
	switch fn {
	case 'C':
		if len(params) > 0 {
			p.qrSize = int(min(max(params[0], 1), 16))
		}
	case 'P':
		if len(params) > 0 {
			p.qrData = string(params[1:])
		}
	case 'Q':
		p.endLine(false)
		if img := qrImage(p.qrData, p.qrSize); img != nil {
			p.page.Elements = append(p.page.Elements, Element{Image: img, QR: p.qrData, Align: p.align})
		}
	}
}

// raster draws GS v 0 data; mode m (or '0'…'3') doubles width (bit 0)
// and height (bit 1).
func (p *Parser) raster(rowBytes, rows int, data []byte, m byte) {
	p.endLine(false)
	sx, sy := 1+int(m&1), 1+int(m>>1&1)
	w := min(rowBytes*8*sx, 4096)
	if w == 0 || rows == 0 {
		return
	}
	img := image.NewGray(image.Rect(0, 0, w, rows*sy))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := range rows {
		for xb := range rowBytes {
			v := data[y*rowBytes+xb]
			for bit := range 8 {
				if v&(0x80>>bit) == 0 {
					continue
				}
				for dy := range sy {
					for dx := range sx {
						if x := (xb*8+bit)*sx + dx; x < w {
							img.Pix[(y*sy+dy)*img.Stride+x] = 0
						}
					}
				}
			}
		}
	}
	p.page.Elements = append(p.page.Elements, Element{Image: img, Align: p.align})
}
