package ui

import (
	"cmp"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// screen is one kiosk screen: it is built for the bounds it is given (so
// it never asks the window for more), and it says what leaving it resets.
// Its focus order and what it would say aloud come from what it built
// (frame.Focus, frame.Speech), so they cannot drift from what is shown.
type screen struct {
	name  string
	build func(area fyne.Size) fyne.CanvasObject
	// reset is what leaving the screen resets (nil: nothing of its own).
	reset func()
}

// frame shows a screen in the window. Its minimum size is nothing: the
// window never grows to fit a screen; the screen fits the window.
type frame struct {
	widget.BaseWidget
	scr  screen
	area fyne.Size
	root fyne.CanvasObject
	keys keyTarget // where keys go while the frame has the focus (focus.go)
}

func newFrame(s screen) *frame {
	f := &frame{scr: s}
	f.ExtendBaseWidget(f)
	return f
}

// MinSize implements fyne.Widget: a frame takes the size it is given.
func (f *frame) MinSize() fyne.Size { return fyne.NewSize(1, 1) }

// CreateRenderer implements fyne.Widget.
func (f *frame) CreateRenderer() fyne.WidgetRenderer { return &frameRenderer{f: f} }

// children lets walk look inside.
func (f *frame) children() []fyne.CanvasObject {
	if f.root == nil {
		return nil
	}
	return []fyne.CanvasObject{f.root}
}

// Root is the screen as built for the frame's size (nil before layout).
func (f *frame) Root() fyne.CanvasObject { return f.root }

type frameRenderer struct{ f *frame }

func (r *frameRenderer) Layout(size fyne.Size) {
	f := r.f
	if size.Width < 1 || size.Height < 1 {
		return
	}
	if f.root == nil || size != f.area {
		f.area, f.root = size, f.scr.build(size)
	}
	f.root.Move(fyne.NewPos(0, 0))
	f.root.Resize(size)
}

func (r *frameRenderer) MinSize() fyne.Size { return r.f.MinSize() }
func (r *frameRenderer) Refresh() {
	if r.f.root != nil {
		r.f.root.Refresh()
	}
}
func (r *frameRenderer) Destroy() {}
func (r *frameRenderer) Objects() []fyne.CanvasObject {
	if r.f.root == nil {
		if s := r.f.Size(); s.Width >= 1 && s.Height >= 1 {
			r.Layout(s)
		} else {
			return nil
		}
	}
	return []fyne.CanvasObject{r.f.root}
}

// walk visits every object under o: containers' children in order, and
// the insides of this package's own widgets.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, x := range c.Objects {
			walk(x, visit)
		}
	case interface{ children() []fyne.CanvasObject }:
		for _, x := range c.children() {
			walk(x, visit)
		}
	}
}

// Focus is the screen's focus order: its enabled buttons in reading order
// (top to bottom, then left to right), as keys and a voice would go
// through them. Modal cards come first: nothing behind them is reachable.
func Focus(root fyne.CanvasObject) []*touchButton {
	drv := fyne.CurrentApp().Driver()
	var modal *modalCard
	walk(root, func(o fyne.CanvasObject) {
		if m, ok := o.(*modalCard); ok {
			modal = m
		}
	})
	from := root
	if modal != nil {
		from = modal
	}
	var out []*touchButton
	walk(from, func(o fyne.CanvasObject) {
		if b, ok := o.(*touchButton); ok && !b.Disabled() && b.Visible() {
			out = append(out, b)
		}
	})
	slices.SortStableFunc(out, func(a, b *touchButton) int {
		pa, pb := drv.AbsolutePositionForObject(a), drv.AbsolutePositionForObject(b)
		// the same line if their tops are within half a button
		if d := pa.Y - pb.Y; d > minTouch/2 || d < -minTouch/2 {
			return cmp.Compare(pa.Y, pb.Y)
		}
		return cmp.Compare(pa.X, pb.X)
	})
	return out
}

// Speech is what a screen would say aloud: its texts in order (a modal
// card's alone while it is up), buttons named as buttons.
func Speech(root fyne.CanvasObject) string {
	from := root
	walk(root, func(o fyne.CanvasObject) {
		if m, ok := o.(*modalCard); ok {
			from = m
		}
	})
	var parts []string
	walk(from, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *touchButton:
			if x.Text != "" && !x.Disabled() {
				parts = append(parts, "["+x.Text+"]")
			}
		case *widget.Label:
			if t := strings.TrimSpace(x.Text); t != "" {
				parts = append(parts, t)
			}
		case *canvas.Text:
			if t := strings.TrimSpace(x.Text); t != "" {
				parts = append(parts, t)
			}
		}
	})
	return strings.Join(parts, " ")
}
