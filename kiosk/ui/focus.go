package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// focusItems is the focus order of the screen shown, as keys go through it:
// Focus's reading order without the on-screen keyboards' keys (a keypad or
// keyboard types those itself, and Backspace deletes).
func (u *UI) focusItems() []*touchButton {
	f, ok := u.win.Canvas().Content().(*frame)
	if !ok || f.Root() == nil {
		return nil
	}
	root := f.Root()
	keys := map[*touchButton]bool{}
	walk(root, func(o fyne.CanvasObject) {
		if k, ok := o.(*keyboard); ok {
			walk(k.box, func(o fyne.CanvasObject) {
				if b, ok := o.(*touchButton); ok {
					keys[b] = true
				}
			})
		}
	})
	var out []*touchButton
	for _, b := range Focus(root) {
		if !keys[b] {
			out = append(out, b)
		}
	}
	return out
}

// focusLines numbers the items' lines: items whose tops are within half a
// button of each other are on one line, as Focus sorts them.
func focusLines(items []*touchButton) []int {
	drv := fyne.CurrentApp().Driver()
	lines := make([]int, len(items))
	var top float32
	for i, b := range items {
		y := drv.AbsolutePositionForObject(b).Y
		switch {
		case i == 0:
			top = y
		case y-top > minTouch/2:
			lines[i], top = lines[i-1]+1, y
		default:
			lines[i] = lines[i-1]
		}
	}
	return lines
}

// moveFocus returns the focus index after a move: by one item (delta ±1,
// wrapping), or to the first item of the next or previous line (line ±1,
// wrapping), or to the first or last line.
func moveFocus(lines []int, at int, how string) int {
	n := len(lines)
	if n == 0 {
		return 0
	}
	at = max(0, min(at, n-1))
	firstOf := func(line int) int {
		for i, l := range lines {
			if l == line {
				return i
			}
		}
		return 0
	}
	last := lines[n-1]
	switch how {
	case "next":
		return (at + 1) % n
	case "prev":
		return (at + n - 1) % n
	case "down":
		if lines[at] == last {
			return 0
		}
		return firstOf(lines[at] + 1)
	case "up":
		if lines[at] == 0 {
			return firstOf(last)
		}
		return firstOf(lines[at] - 1)
	case "first":
		return 0
	case "last":
		return firstOf(last)
	}
	return at
}

// focusRing is the visible focus for residents who see partly: a thick
// yellow ring inside a black one, so it shows on the light and the
// high-contrast theme alike.
type focusRing struct {
	box          *fyne.Container
	outer, inner *canvas.Rectangle
}

func newFocusRing() *focusRing {
	r := &focusRing{outer: canvas.NewRectangle(color.Transparent), inner: canvas.NewRectangle(color.Transparent)}
	r.outer.StrokeColor, r.outer.StrokeWidth, r.outer.CornerRadius = color.Black, 12, 10
	r.inner.StrokeColor, r.inner.StrokeWidth, r.inner.CornerRadius = color.NRGBA{0xff, 0xd4, 0x00, 0xff}, 6, 8
	r.box = container.NewWithoutLayout(r.outer, r.inner)
	r.hide()
	return r
}

func (r *focusRing) hide() { r.outer.Hide(); r.inner.Hide() }

// around puts the ring around b.
func (r *focusRing) around(b fyne.CanvasObject) {
	drv := fyne.CurrentApp().Driver()
	origin := drv.AbsolutePositionForObject(r.box)
	pos := drv.AbsolutePositionForObject(b).Subtract(origin)
	size := b.Size()
	win := fyne.NewSize(0, 0)
	if c := fyne.CurrentApp().Driver().CanvasForObject(b); c != nil {
		win = c.Size()
	}
	const out, in = 8, 2
	// kept inside the window: a full-width button's ring is not cut off
	place := func(rect *canvas.Rectangle, by float32) {
		x0, y0 := max(-origin.X, pos.X-by), max(-origin.Y, pos.Y-by)
		x1, y1 := pos.X+size.Width+by, pos.Y+size.Height+by
		if win.Width > 0 {
			x1, y1 = min(x1, win.Width-origin.X), min(y1, win.Height-origin.Y)
		}
		rect.Move(fyne.NewPos(x0, y0))
		rect.Resize(fyne.NewSize(x1-x0, y1-y0))
	}
	place(r.outer, out)
	place(r.inner, in)
	r.outer.Show()
	r.inner.Show()
	r.box.Refresh()
}
