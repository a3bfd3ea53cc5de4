package virtual

import (
	"image"
	"image/color"
	"image/draw"
	"sync"

	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
)

// Font A is 12×24 dots; lines are 30 dots apart at the default spacing.
const (
	cellW, cellH = 12, 24
	linePitch    = 30
	margin       = 16 // white paper above and below a page
)

func qrImage(data string, module int) *image.Gray {
	if data == "" {
		return nil
	}
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		return nil
	}
	bm := q.Bitmap()
	img := image.NewGray(image.Rect(0, 0, len(bm)*module, len(bm)*module))
	for y, row := range bm {
		for x, dark := range row {
			c := uint8(255)
			if dark {
				c = 0
			}
			for dy := range module {
				for dx := range module {
					img.Pix[(y*module+dy)*img.Stride+x*module+dx] = c
				}
			}
		}
	}
	return img
}

var faces struct {
	sync.Mutex
	m map[[2]int]font.Face
}

// face returns DejaVu Sans Mono sized so that one character fills a cell
// of font A at height multiplier h.
func face(bold bool, h int) font.Face {
	faces.Lock()
	defer faces.Unlock()
	key := [2]int{0, h}
	if bold {
		key[0] = 1
	}
	if f, ok := faces.m[key]; ok {
		return f
	}
	data := assets.FontMono()
	if bold {
		data = assets.FontMonoBold()
	}
	ft, err := opentype.Parse(data)
	if err != nil {
		panic(err) // embedded font: checked by the tests
	}
	f, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: float64(20 * h), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	if faces.m == nil {
		faces.m = map[[2]int]font.Face{}
	}
	faces.m[key] = f
	return f
}

// Render draws the page on paper width dots wide, black on white.
func Render(p *Page, width int) *image.Gray {
	height := 2 * margin
	for _, e := range p.Elements {
		height += elementHeight(e)
	}
	img := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	y := margin
	for _, e := range p.Elements {
		switch {
		case e.Image != nil:
			x := offset(e.Align, width, e.Image.Rect.Dx())
			draw.Draw(img, image.Rect(x, y, x+e.Image.Rect.Dx(), y+e.Image.Rect.Dy()), e.Image, image.Point{}, draw.Src)
		case e.Feed == 0:
			drawLine(img, e, y, width)
		}
		y += elementHeight(e)
	}
	return img
}

func elementHeight(e Element) int {
	switch {
	case e.Image != nil:
		return e.Image.Rect.Dy()
	case e.Feed > 0:
		return e.Feed
	}
	h := 1
	for _, r := range e.Runs {
		h = max(h, r.H)
	}
	return max(linePitch, cellH*h+6)
}

func offset(a printer.Alignment, width, w int) int {
	switch a {
	case printer.Center:
		return max((width-w)/2, 0)
	case printer.Right:
		return max(width-w, 0)
	}
	return 0
}

func drawLine(img *image.Gray, e Element, y, width int) {
	w, h := 0, 1
	for _, r := range e.Runs {
		w += len([]rune(r.Text)) * cellW * r.W
		h = max(h, r.H)
	}
	x := offset(e.Align, width, w)
	for _, r := range e.Runs {
		for _, ch := range r.Text {
			// runs of different heights share the bottom of the line
			drawGlyph(img, ch, r, x, y+cellH*(h-r.H))
			x += cellW * r.W
		}
	}
}

// drawGlyph draws one character into its cell of font A scaled W×H: the
// glyph is drawn at height H and stretched sideways to width W.
func drawGlyph(dst *image.Gray, ch rune, r Run, x, y int) {
	cw, ch2 := cellW*r.H, cellH*r.H
	cell := image.NewGray(image.Rect(0, 0, cw, ch2))
	draw.Draw(cell, cell.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: cell, Src: image.NewUniform(color.Black), Face: face(r.Bold, r.H), Dot: fixed.P(0, ch2-5*r.H)}
	d.DrawString(string(ch))
	tw := cellW * r.W
	for py := range ch2 {
		for px := range tw {
			v := cell.Pix[py*cell.Stride+px*cw/tw]
			if v < 255 {
				if X, Y := x+px, y+py; image.Pt(X, Y).In(dst.Rect) {
					dst.Pix[Y*dst.Stride+X] = min(dst.Pix[Y*dst.Stride+X], v)
				}
			}
		}
	}
}
