package printer

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
)

// ESC/POS bytes.
const (
	ESC = 0x1b
	GS  = 0x1d
	DLE = 0x10
	EOT = 0x04
	LF  = 0x0a
)

// Alignment of text and images.
type Alignment byte

// Alignments.
const (
	Left Alignment = iota
	Center
	Right
)

// Doc is an encoded document and the offsets where one of its commands
// ends. A status request sent inside a command (in a raster's data, say)
// would be read as data, so the transport pauses only at these breaks.
type Doc struct {
	Data   []byte
	Breaks []int
}

// Encoder builds one ESC/POS document for a profile. Its methods append
// commands; Doc returns the stream to send.
type Encoder struct {
	p      *Profile
	buf    bytes.Buffer
	page   int // index into p.CodePages of the selected page
	breaks []int
}

// mark records the end of a command.
func (e *Encoder) mark() {
	if n := e.buf.Len(); len(e.breaks) == 0 || e.breaks[len(e.breaks)-1] != n {
		e.breaks = append(e.breaks, n)
	}
}

// Doc returns the document with its command boundaries.
func (e *Encoder) Doc() Doc { return Doc{Data: e.buf.Bytes(), Breaks: e.breaks} }

// NewEncoder starts a document with ESC @ and the profile's first code page.
func NewEncoder(p *Profile) *Encoder {
	e := &Encoder{p: p}
	e.Init()
	return e
}

// Profile returns the profile the encoder writes for.
func (e *Encoder) Profile() *Profile { return e.p }

// Bytes returns the document so far.
func (e *Encoder) Bytes() []byte { return e.buf.Bytes() }

// Len returns the document's length in bytes.
func (e *Encoder) Len() int { return e.buf.Len() }

// Init resets the printer (ESC @). A reset returns the printer to its own
// default code page, so the encoder selects its page again right after.
func (e *Encoder) Init() {
	e.buf.Write([]byte{ESC, '@'})
	e.selectPage(0)
}

func (e *Encoder) selectPage(i int) {
	e.page = i
	if i >= len(e.p.CodePages) {
		return // a model without any page for these letters: all transliterated
	}
	e.buf.Write([]byte{ESC, 't', e.p.CodePages[i].Number})
	e.mark()
}

// Align sets the alignment (ESC a n).
func (e *Encoder) Align(a Alignment) {
	e.buf.Write([]byte{ESC, 'a', byte(a)})
	e.mark()
}

// Bold turns emphasis on or off (ESC E n).
func (e *Encoder) Bold(on bool) {
	var n byte
	if on {
		n = 1
	}
	e.buf.Write([]byte{ESC, 'E', n})
	e.mark()
}

// Size sets the character size, width and height multipliers 1 to 8 (GS ! n).
func (e *Encoder) Size(w, h int) {
	w, h = min(max(w, 1), 8), min(max(h, 1), 8)
	e.buf.Write([]byte{GS, '!', byte((w-1)<<4 | (h - 1))})
	e.mark()
}

// Feed feeds n lines (ESC d n).
func (e *Encoder) Feed(n int) {
	e.buf.Write([]byte{ESC, 'd', byte(min(max(n, 0), 255))})
	e.mark()
}

// Cut feeds to the cutter and cuts (GS V 65/66 n); printers without a cutter
// feed the paper past the tear bar instead.
func (e *Encoder) Cut(partial bool) {
	if !e.p.Cutter {
		e.Feed(4)
		return
	}
	m := byte(65)
	if partial {
		m = 66
	}
	e.buf.Write([]byte{GS, 'V', m, 24})
	e.mark()
}

// Text writes s. Letters go out in the profile's page for them (Polish or
// Ukrainian), chosen per run of text; a sign the current page lacks (an en
// dash in CP852) goes out in a page that has it and the encoder switches
// straight back, so one dash costs nothing to the letters after it.
// A letter no page has is transliterated, never sent as "?". A newline is
// a line feed.
func (e *Encoder) Text(s string) {
	for _, r := range e.Printable(s) {
		switch {
		case r == '\n':
			e.buf.WriteByte(LF)
			e.mark()
		case r < 0x20 || r == 0x7f:
			// control characters in data would be read as commands
		case r < 0x80:
			e.buf.WriteByte(byte(r))
		default:
			e.writeRune(r)
		}
	}
}

// WrapIn writes s wrapped to the line width at width w in code page i of
// the profile whatever letters it holds, transliterating what the page
// lacks (for the test page, which shows each page the profile uses), then
// returns to the page selected before.
func (e *Encoder) WrapIn(i int, s string, w int) {
	if i >= len(e.p.CodePages) {
		e.Wrap(s, w)
		return
	}
	cp := e.p.CodePages[i]
	var b strings.Builder
	for _, r := range s {
		if _, ok := cp.Encode(r); ok {
			b.WriteRune(r)
		} else if f := cyrillicFallback[r]; f != 0 && func() bool { _, ok := cp.Encode(f); return ok }() {
			b.WriteRune(f)
		} else {
			b.WriteString(Transliterate(r))
		}
	}
	prev := e.page
	e.selectPage(i)
	for _, l := range Wrap(b.String(), e.Columns(w)) {
		for _, r := range l {
			if c, ok := cp.Encode(r); ok && r >= 0x20 && r != 0x7f {
				e.buf.WriteByte(c)
			}
		}
		e.buf.WriteByte(LF)
		e.mark()
	}
	e.selectPage(prev)
}

// has reports which of the profile's pages holds r: -1 for none.
func (e *Encoder) has(r rune) int {
	for i, cp := range e.p.CodePages {
		if _, ok := cp.Encode(r); ok {
			return i
		}
	}
	return -1
}

// Printable is s as it will print on this profile: each character is
// either one the profile's pages hold or its transliteration. Widths and
// wrapping are counted on this, so a line never grows past the paper when
// "…" becomes "...".
func (e *Encoder) Printable(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case unicode.IsLetter(r) && e.has(r) >= 0:
			b.WriteRune(r)
		case e.has(r) >= 0:
			b.WriteRune(r)
		case cyrillicFallback[r] != 0 && e.has(cyrillicFallback[r]) >= 0:
			b.WriteRune(cyrillicFallback[r])
		default:
			b.WriteString(Transliterate(r))
		}
	}
	return b.String()
}

// writeRune writes a printable rune (see Printable).
func (e *Encoder) writeRune(r rune) {
	if e.page < len(e.p.CodePages) {
		if b, ok := e.p.CodePages[e.page].Encode(r); ok {
			e.buf.WriteByte(b)
			return
		}
	}
	i := e.has(r)
	if i < 0 {
		for _, x := range Transliterate(r) {
			if x < 0x80 {
				e.buf.WriteByte(byte(x))
			}
		}
		return
	}
	prev := e.page
	e.selectPage(i)
	b, _ := e.p.CodePages[i].Encode(r)
	e.buf.WriteByte(b)
	if !unicode.IsLetter(r) {
		e.selectPage(prev) // a sign: back at once, the letters around it stay in their page
	}
}

// Line writes s and a line feed.
func (e *Encoder) Line(s string) { e.Text(s + "\n") }

// Columns returns how many characters fit on a line at width multiplier w.
func (e *Encoder) Columns(w int) int { return e.p.Columns / max(w, 1) }

// Width is how many columns s takes once printed (after transliteration).
func (e *Encoder) Width(s string) int { return utf8.RuneCountInString(e.Printable(s)) }

// Pair writes a label on the left and a value on the right of one line,
// wrapping the label when both do not fit.
func (e *Encoder) Pair(label, value string) {
	label, value = e.Printable(label), e.Printable(value)
	cols := e.Columns(1)
	gap := cols - utf8.RuneCountInString(label) - utf8.RuneCountInString(value)
	if gap < 1 {
		e.Wrap(label, 1)
		gap = cols - utf8.RuneCountInString(value)
		label = ""
	}
	e.Line(label + strings.Repeat(" ", max(gap, 0)) + value)
}

// Rule draws a line of dashes across the paper.
func (e *Encoder) Rule() { e.Line(strings.Repeat("-", e.Columns(1))) }

// Wrap writes s wrapped at word boundaries to the line width at width w,
// counted after transliteration.
func (e *Encoder) Wrap(s string, w int) {
	for _, l := range Wrap(e.Printable(s), e.Columns(w)) {
		e.Line(l)
	}
}

// Wrap breaks s into lines of at most cols characters at spaces. Runs of
// spaces inside a line are kept (a poster's "12  Title" stays aligned).
func Wrap(s string, cols int) []string {
	cols = max(cols, 1)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line, gap := "", ""
		rest := strings.TrimLeft(para, " \t")
		for rest != "" {
			end := strings.IndexAny(rest, " \t")
			if end < 0 {
				end = len(rest)
			}
			word := rest[:end]
			rest = rest[end:]
			next := strings.TrimLeft(rest, " \t")
			sep := rest[:len(rest)-len(next)]
			rest = next
			for utf8.RuneCountInString(word) > cols {
				if line != "" {
					lines, line = append(lines, line), ""
				}
				r := []rune(word)
				lines, word = append(lines, string(r[:cols])), string(r[cols:])
			}
			switch {
			case line == "":
				line = word
			case utf8.RuneCountInString(line)+utf8.RuneCountInString(gap)+utf8.RuneCountInString(word) <= cols:
				line += gap + word
			default:
				lines, line = append(lines, line), word
			}
			gap = strings.ReplaceAll(sep, "\t", " ")
		}
		lines = append(lines, line)
	}
	return lines
}

// QR prints a QR code of data: natively (GS ( k, model 2, error correction
// M) where the profile can, else as a raster image.
func (e *Encoder) QR(data string) error {
	if !e.p.NativeQR {
		q, err := qrcode.New(data, qrcode.Medium)
		if err != nil {
			return err
		}
		// Sent at half resolution and printed double width and height (GS v 0
		// m=3): the same 6-dot modules for a ninth of the bytes. Paper is the
		// quiet zone, so the border is left out and fed as blank lines.
		q.DisableBorder = true
		e.Feed(1)
		e.raster(QRImage(q, e.p.WidthDots/2, 3), 3)
		e.Feed(1)
		return nil
	}
	n := len(data) + 3
	e.buf.Write([]byte{GS, '(', 'k', 4, 0, '1', 'A', '2', 0})                     // model 2
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, '1', 'C', byte(max(e.p.QRModule, 1))}) // module size
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, '1', 'E', '1'})                        // error correction M
	e.buf.Write([]byte{GS, '(', 'k', byte(n), byte(n >> 8), '1', 'P', '0'})       // store
	e.buf.WriteString(data)
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, '1', 'Q', '0'}) // print
	e.buf.WriteByte(LF)
	e.mark()
	return nil
}

// QRImage draws a QR code at the largest module size up to maxModule dots
// that fits width.
func QRImage(q *qrcode.QRCode, width, maxModule int) image.Image {
	bm := q.Bitmap()
	mod := max(1, min(maxModule, width/len(bm)))
	img := image.NewGray(image.Rect(0, 0, len(bm)*mod, len(bm)*mod))
	for y, row := range bm {
		for x, dark := range row {
			c := color.Gray{255}
			if dark {
				c = color.Gray{0}
			}
			for dy := range mod {
				for dx := range mod {
					img.SetGray(x*mod+dx, y*mod+dy, c)
				}
			}
		}
	}
	return img
}

// Raster prints an image (GS v 0), dark pixels black, in bands of the
// profile's band height so that small printer buffers are not overrun. It
// is cropped to the paper width. The code page is selected again after it.
func (e *Encoder) Raster(img image.Image) error {
	e.raster(img, 0)
	return nil
}

// raster sends img with GS v 0 mode m (0 normal, 1 double width, 2 double
// height, 3 both).
func (e *Encoder) raster(img image.Image, m byte) {
	b := img.Bounds()
	scale := 1
	if m&1 != 0 {
		scale = 2
	}
	w := min(b.Dx(), e.p.WidthDots/scale)
	rowBytes := (w + 7) / 8
	band := max(e.p.BandRows, 1)
	for y0 := 0; y0 < b.Dy(); y0 += band {
		rows := min(band, b.Dy()-y0)
		e.buf.Write([]byte{GS, 'v', '0', m, byte(rowBytes), byte(rowBytes >> 8), byte(rows), byte(rows >> 8)})
		for y := y0; y < y0+rows; y++ {
			for xb := range rowBytes {
				var v byte
				for bit := range 8 {
					x := xb*8 + bit
					if x < w && dark(img.At(b.Min.X+x, b.Min.Y+y)) {
						v |= 0x80 >> bit
					}
				}
				e.buf.WriteByte(v)
			}
		}
		e.mark()
	}
	e.selectPage(e.page)
}

func dark(c color.Color) bool {
	r, g, b, a := c.RGBA()
	if a < 0x8000 {
		return false
	}
	return (299*r+587*g+114*b)/1000 < 0x8000
}
