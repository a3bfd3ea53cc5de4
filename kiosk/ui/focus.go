package ui

import (
	"cmp"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// keyTarget takes keys.
type keyTarget interface {
	TypedKey(*fyne.KeyEvent)
	TypedRune(rune)
}

// takeKeys gives the frame shown Fyne's focus, so every key comes to the
// UI: with no focus, Fyne's desktop driver keeps Tab for itself and moves
// its focus to a button, which would then swallow every key.
func (u *UI) takeKeys(f *frame) {
	f.keys = canvasKeys{u.win.Canvas()}
	u.win.Canvas().Focus(f)
}

// canvasKeys hands keys to the canvas's own handlers, as if nothing had
// the focus: the scanner's (plan.go) and, through it, the guide's.
type canvasKeys struct{ c fyne.Canvas }

func (k canvasKeys) TypedKey(ev *fyne.KeyEvent) {
	if h := k.c.OnTypedKey(); h != nil {
		h(ev)
	}
}

func (k canvasKeys) TypedRune(r rune) {
	if h := k.c.OnTypedRune(); h != nil {
		h(r)
	}
}

// FocusGained implements fyne.Focusable.
func (f *frame) FocusGained() {}

// FocusLost implements fyne.Focusable.
func (f *frame) FocusLost() {}

// TypedRune implements fyne.Focusable: the UI's.
func (f *frame) TypedRune(r rune) {
	if f.keys != nil {
		f.keys.TypedRune(r)
	}
}

// TypedKey implements fyne.Focusable: the UI's.
func (f *frame) TypedKey(ev *fyne.KeyEvent) {
	if f.keys != nil {
		f.keys.TypedKey(ev)
	}
}

// AcceptsTab implements fyne.Tabbable: Tab moves the kiosk's own focus.
func (f *frame) AcceptsTab() bool { return true }

// focusItems is the focus order of the screen shown, as keys go through it:
// Focus's reading order without the on-screen keyboards' keys (a keypad or
// keyboard types those itself, and Backspace deletes). Positions come from
// the layout itself: a desktop driver knows an object's place on the
// canvas only once it has been drawn, and keys come before that.
func (u *UI) focusItems() []*touchButton {
	f, ok := u.win.Canvas().Content().(*frame)
	if !ok || f.Root() == nil {
		return nil
	}
	root := f.Root()
	at := layoutPositions(root)
	u.voice.at = at
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
	var modal fyne.CanvasObject
	walk(root, func(o fyne.CanvasObject) {
		if m, ok := o.(*modalCard); ok {
			modal = m
		}
	})
	from := root
	if modal != nil {
		from = modal // nothing behind a card is reachable
	}
	var out []*touchButton
	walk(from, func(o fyne.CanvasObject) {
		if b, ok := o.(*touchButton); ok && !b.Disabled() && b.Visible() && !keys[b] {
			out = append(out, b)
		}
	})
	slices.SortStableFunc(out, func(a, b *touchButton) int {
		pa, pb := at[a], at[b]
		if d := pa.Y - pb.Y; d > minTouch/2 || d < -minTouch/2 {
			return cmp.Compare(pa.Y, pb.Y)
		}
		return cmp.Compare(pa.X, pb.X)
	})
	return out
}

// layoutPositions is where every object under root is, relative to root.
func layoutPositions(root fyne.CanvasObject) map[fyne.CanvasObject]fyne.Position {
	out := map[fyne.CanvasObject]fyne.Position{}
	var visit func(o fyne.CanvasObject, at fyne.Position)
	visit = func(o fyne.CanvasObject, at fyne.Position) {
		out[o] = at
		switch c := o.(type) {
		case *fyne.Container:
			for _, x := range c.Objects {
				visit(x, at.Add(x.Position()))
			}
		case interface{ children() []fyne.CanvasObject }:
			for _, x := range c.children() {
				visit(x, at.Add(x.Position()))
			}
		}
	}
	visit(root, fyne.NewPos(0, 0))
	return out
}

// focusLines numbers the items' lines: items whose tops are within half a
// button of each other are on one line, as Focus sorts them.
func focusLines(items []*touchButton, at map[fyne.CanvasObject]fyne.Position) []int {
	lines := make([]int, len(items))
	var top float32
	for i, b := range items {
		y := at[b].Y
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

// around puts the ring around b, which is at pos in a window of size win
// (the ring's layer covers the window).
func (r *focusRing) around(b fyne.CanvasObject, pos fyne.Position, win fyne.Size) {
	origin := fyne.NewPos(0, 0)
	size := b.Size()
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
