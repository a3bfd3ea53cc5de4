package poster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// Format is a PDF format.
type Format string

// Formats.
const (
	A4    Format = "a4"
	A3    Format = "a3"
	Flyer Format = "flyer" // A5, two-up on A4 landscape: cut in the middle
	List  Format = "list"  // the district's projects on as many A4 pages as they need
	Strip Format = "thermal"
)

// fpdf cuts embedded fonts down to the glyphs used but names them
// "/utf8<family><style>", without the six-letter tag that marks a subset
// (PDF 32000 §9.6.4). The family name is chosen so that those names have
// exactly the length of tagged ones, which replace them after rendering
// without moving any byte the cross-reference table points to.
const family = "dejavusansreg"

var subsetNames = [][2]string{
	{"/utf8dejavusansregB", "/URNAAB+DejaVuSansB"},
	{"/utf8dejavusansreg", "/URNAAA+DejaVuSans"},
}

// Formats lists the PDF formats and the thermal strip.
var Formats = []Format{A4, A3, Flyer, List, Strip}

// Colours: Kraków's blue, its gold, and text greys.
var (
	blue  = [3]int{26, 79, 139}
	gold  = [3]int{242, 193, 46}
	ink   = [3]int{20, 24, 31}
	muted = [3]int{80, 88, 100}
)

func newPDF(orientation, size string, md *Model) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", size, "")
	pdf.AddUTF8FontFromBytes(family, "", assets.FontSans())
	pdf.AddUTF8FontFromBytes(family, "B", assets.FontSansBold())
	pdf.SetTitle(md.Edition+" – "+md.Venue, true)
	pdf.SetAuthor("Urna", true)
	pdf.SetCreator("Urna", true)
	if !md.Generated.IsZero() {
		pdf.SetCreationDate(md.Generated)
		pdf.SetModificationDate(md.Generated)
	}
	pdf.SetCatalogSort(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	return pdf
}

// Write writes the model in format f as PDF.
func Write(w io.Writer, md *Model, f Format) error {
	pdf, err := render(md, f, normal)
	if err == errCrowded {
		pdf, err = render(md, f, compact)
	}
	if err != nil && err != errCrowded {
		return err
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return output(w, pdf)
}

// errCrowded says the projects did not all fit on the poster's first page.
var errCrowded = errors.New("poster: the projects do not fit on one page")

func render(md *Model, f Format, lk look) (*fpdf.Fpdf, error) {
	var pdf *fpdf.Fpdf
	var rest []Entry
	switch f {
	case A4, A3:
		size, scale := "A4", 1.0
		if f == A3 {
			size, scale = "A3", math.Sqrt2
		}
		pdf = newPDF("P", size, md)
		rest = drawPoster(pdf, md, 0, 0, scale, lk)
		if rest != nil && lk == normal {
			return nil, errCrowded
		}
		continueList(pdf, md, rest, size, scale)
	case Flyer:
		pdf = newPDF("L", "A4", md)
		scale := 1 / math.Sqrt2
		rest = drawPoster(pdf, md, 0, 0, scale, lk)
		if rest != nil && lk == normal {
			return nil, errCrowded
		}
		drawPoster(pdf, md, 148.5, 0, scale, lk)
		pdf.SetDrawColor(160, 160, 160)
		pdf.SetDashPattern([]float64{2, 2}, 0)
		pdf.Line(148.5, 4, 148.5, 206)
		pdf.SetDashPattern(nil, 0)
		continueList(pdf, md, rest, "A4", 1)
	case List:
		pdf = newPDF("P", "A4", md)
		drawList(pdf, md, md.Projects)
	default:
		return nil, fmt.Errorf("format %q is not a PDF format (a4, a3, flyer, list)", f)
	}
	return pdf, nil
}

// output writes the PDF with its fonts named as the subsets they are.
func output(w io.Writer, pdf *fpdf.Fpdf) error {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	out := buf.Bytes()
	for _, n := range subsetNames {
		if len(n[0]) != len(n[1]) {
			panic("subset names must keep their length")
		}
		out = bytes.ReplaceAll(out, []byte(n[0]), []byte(n[1]))
	}
	_, err := w.Write(out)
	return err
}

// painter draws in A4 millimetres, scaled onto the page at an offset.
type painter struct {
	pdf    *fpdf.Fpdf
	x0, y0 float64
	s      float64
}

func (p painter) color(c [3]int) { p.pdf.SetTextColor(c[0], c[1], c[2]) }
func (p painter) fill(c [3]int)  { p.pdf.SetFillColor(c[0], c[1], c[2]) }
func (p painter) font(bold bool, pt float64) {
	style := ""
	if bold {
		style = "B"
	}
	p.pdf.SetFont(family, style, pt*p.s)
}
func (p painter) rect(x, y, w, h float64) { p.pdf.Rect(p.x0+x*p.s, p.y0+y*p.s, w*p.s, h*p.s, "F") }

// text writes txt wrapped to width w at (x, y), the top of the first line,
// and returns the y below it.
func (p painter) text(x, y, w, lineH float64, txt, align string) float64 {
	for _, l := range p.pdf.SplitText(txt, w*p.s) {
		p.pdf.SetXY(p.x0+x*p.s, p.y0+y*p.s)
		p.pdf.CellFormat(w*p.s, lineH*p.s, l, "", 0, align, false, 0, "")
		y += lineH
	}
	return y
}

// lines is how many lines txt takes at width w in the current font.
func (p painter) lines(txt string, w float64) int { return len(p.pdf.SplitText(txt, w*p.s)) }

const (
	pageW, pageH = 210.0, 297.0
	margin       = 14.0
)

// look holds the poster's type sizes; the compact look leaves the project
// list more room when a district has many projects.
type look struct {
	headline, headlineH, others, dates, datesBand, venue, body, qr float64
}

var (
	normal  = look{52, 20, 18, 22, 16, 17, 13, 46}
	compact = look{38, 15, 14, 17, 12, 14, 11, 34}
)

// drawPoster draws the A4 poster design at scale s with its top left at
// (x0, y0), and returns the projects that did not fit (listed further on).
func drawPoster(pdf *fpdf.Fpdf, md *Model, x0, y0, s float64, lk look) []Entry {
	if x0 == 0 || pdf.PageNo() == 0 {
		pdf.AddPage()
	}
	p := painter{pdf, x0, y0, s}
	inner := pageW - 2*margin

	// The edition's band.
	p.fill(blue)
	p.rect(0, 0, pageW, 22)
	p.color([3]int{255, 255, 255})
	p.font(true, 19)
	p.text(margin, 7, inner, 8, md.Edition, "L")

	// Headline, in the poster's language and the other two.
	p.color(blue)
	p.font(true, lk.headline)
	y := p.text(margin, 28, inner, lk.headlineH, md.Headline, "L")
	p.color(muted)
	p.font(false, lk.others)
	y = p.text(margin, y+1, inner, lk.others*0.45, strings.Join(md.Others, "  ·  "), "L")

	// The dates on a gold band.
	p.fill(gold)
	p.rect(0, y+4, pageW, lk.datesBand)
	p.color(ink)
	p.font(true, lk.dates)
	p.text(margin, y+4+(lk.datesBand-lk.dates*0.45)/2, inner, lk.dates*0.45, md.Lines["poster.dates"], "L")
	y += lk.datesBand + 10

	// The venue on the left, the QR code on the right.
	qrSize := lk.qr
	leftW := inner - qrSize - 8
	top := y
	p.color(muted)
	p.font(false, 11)
	y = p.text(margin, y, leftW, 5.5, md.Lines["poster.where"], "L")
	p.color(ink)
	p.font(true, lk.venue)
	y = p.text(margin, y+1, leftW, lk.venue*0.45, md.Venue, "L")
	p.font(false, lk.body)
	y = p.text(margin, y, leftW, lk.body*0.5, md.Address, "L")
	if len(md.Hours) > 0 {
		p.color(muted)
		p.font(false, 11)
		y = p.text(margin, y+3, leftW, 5.5, md.Lines["poster.hours"], "L")
		p.color(ink)
		p.font(true, lk.body)
		for _, h := range md.Hours {
			y = p.text(margin, y, leftW, lk.body*0.5, h, "L")
		}
	}
	qx := pageW - margin - qrSize
	p.color(muted)
	p.font(false, 8.5)
	qy := p.text(qx-6, top, qrSize+6, 4, md.Lines["poster.scan"], "C")
	drawQR(p, md.URL, qx, qy+1, qrSize)
	p.font(false, 8)
	p.text(qx-10, qy+qrSize+2, qrSize+20, 4, strings.TrimPrefix(md.URL, "https://"), "C")
	y = max(y, qy+qrSize+8) + 4

	// The district's projects, fitted to the space left above the footer.
	p.color(blue)
	p.font(true, 15)
	y = p.text(margin, y, inner, 7, md.Lines["poster.projects"], "L")
	footerTop := pageH - 30.0
	rest := drawEntries(p, md.Projects, margin, y+2, inner, footerTop-10-(y+2))
	p.color(muted)
	p.font(false, 9)
	p.text(margin, footerTop-8, inner, 4.5, md.Lines["poster.city_projects"], "L")

	// The footer: who votes, the ballot, the neutrality note.
	p.fill([3]int{236, 240, 246})
	p.rect(0, footerTop, pageW, pageH-footerTop)
	p.color(ink)
	p.font(true, 10)
	fy := p.text(margin, footerTop+4, inner, 5, md.Lines["poster.who"], "L")
	p.font(false, 9)
	fy = p.text(margin, fy+1, inner, 4.5, md.Lines["poster.ballot"], "L")
	p.color(muted)
	fy = p.text(margin, fy, inner, 4.5, md.Lines["poster.neutral"], "L")
	if md.KeyFingerprint != "" {
		p.font(false, 8)
		p.text(margin, fy, inner, 4, md.Lines["report.edition_key"]+": "+md.KeyFingerprint, "L")
	}
	return rest
}

// drawEntries lays the projects out in two columns within h millimetres,
// choosing the largest type size from 12 pt down to 6 pt at which they
// fit; what does not fit even then is returned.
func drawEntries(p painter, es []Entry, x, y, w, h float64) []Entry {
	const gap = 8.0
	colW := (w - gap) / 2
	numW := 0.0
	var size, lineH float64
	var heights []float64
	fits := func() bool {
		p.font(true, size)
		numW = 0
		for _, e := range es {
			numW = max(numW, (p.pdf.GetStringWidth(e.Number)+2*p.pdf.GetCellMargin())/p.s+1.5)
		}
		p.font(false, size)
		heights = heights[:0]
		col, used := 0, 0.0
		for _, e := range es {
			eh := float64(p.lines(e.Title, colW-numW))*lineH + lineH*0.35
			heights = append(heights, eh)
			if used+eh > h {
				col, used = col+1, 0
			}
			used += eh
		}
		return col < 2
	}
	for size = 12; size >= 6; size -= 0.5 {
		lineH = size * 0.45
		if fits() {
			break
		}
	}
	if size < 6 {
		size, lineH = 6, 6*0.45
		fits()
	}
	col, cy := 0, y
	for i, e := range es {
		if cy+heights[i] > y+h {
			col, cy = col+1, y
			if col == 2 {
				return es[i:]
			}
		}
		cx := x + float64(col)*(colW+gap)
		p.color(blue)
		p.font(true, size)
		p.text(cx, cy, numW, lineH, e.Number, "L")
		p.color(ink)
		p.font(false, size)
		p.text(cx+numW, cy, colW-numW, lineH, e.Title, "L")
		cy += heights[i]
	}
	return nil
}

// continueList puts projects that did not fit on the poster onto further
// pages, so that every project is listed.
func continueList(pdf *fpdf.Fpdf, md *Model, rest []Entry, size string, s float64) {
	for len(rest) > 0 {
		pdf.AddPageFormat("P", pdf.GetPageSizeStr(size))
		p := painter{pdf, 0, 0, s}
		p.color(blue)
		p.font(true, 15)
		y := p.text(margin, margin, pageW-2*margin, 7, md.Lines["poster.projects"]+" – "+md.Lines["poster.continued"], "L")
		rest = drawEntries(p, rest, margin, y+3, pageW-2*margin, pageH-margin-(y+3))
	}
}

// drawQR draws the QR code as vector squares (sharp at any size), size
// millimetres wide with its quiet zone.
func drawQR(p painter, url string, x, y, size float64) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		p.pdf.SetError(err)
		return
	}
	bm := q.Bitmap()
	mod := size / float64(len(bm))
	p.fill([3]int{0, 0, 0})
	for r, row := range bm {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			p.rect(x+float64(start)*mod, y+float64(r)*mod, float64(c-start)*mod, mod)
		}
	}
}

// drawList writes the district's projects as a table over as many A4 pages
// as needed, with a header repeated on each page and "page N of M" below.
func drawList(pdf *fpdf.Fpdf, md *Model, es []Entry) {
	const top = 36.0
	pdf.AliasNbPages("{nb}")
	p := painter{pdf, 0, 0, 1}
	inner := pageW - 2*margin
	numW, costW := 34.0, 30.0
	pdf.SetHeaderFunc(func() {
		p.fill(blue)
		p.rect(0, 0, pageW, 22)
		p.color([3]int{255, 255, 255})
		p.font(true, 12)
		p.text(margin, 4, inner, 6, md.Edition, "L")
		p.font(true, 14)
		p.text(margin, 11, inner, 7, md.Lines["poster.list_title"], "L")
		p.color(muted)
		p.font(true, 9)
		p.text(margin, 27, numW, 5, md.Lines["poster.number"], "L")
		p.text(margin+numW, 27, inner-numW-costW, 5, md.Lines["poster.title"], "L")
		p.text(pageW-margin-costW, 27, costW, 5, md.Lines["poster.cost"], "R")
		pdf.SetDrawColor(180, 186, 196)
		pdf.Line(margin, 33, pageW-margin, 33)
	})
	pdf.SetFooterFunc(func() {
		p.color(muted)
		p.font(false, 8.5)
		label := strings.NewReplacer("{page}", fmt.Sprint(pdf.PageNo()), "{pages}", "{nb}").Replace(md.Lines["poster.page"])
		p.text(margin, pageH-12, inner, 5, md.Venue+" · "+md.Dates, "L")
		p.text(margin, pageH-12, inner, 5, label, "R")
	})
	pdf.AddPage()
	y := top
	const size, lineH = 10.5, 5.0
	for _, e := range es {
		p.font(false, size)
		n := p.lines(e.Title, inner-numW-costW)
		h := float64(n)*lineH + 2.5
		if y+h > pageH-18 {
			pdf.AddPage()
			y = top
		}
		p.color(blue)
		p.font(true, size)
		p.text(margin, y, numW, lineH, e.Number, "L")
		p.color(ink)
		p.font(false, size)
		p.text(margin+numW, y, inner-numW-costW, lineH, e.Title, "L")
		p.text(pageW-margin-costW, y, costW, lineH, election.FormatPLN(e.Cost), "R")
		y += h
	}
}
