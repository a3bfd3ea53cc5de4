package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// hotCorner is an unmarked area: a long press on it opens staff mode. While
// it is held, a bar fills along its bottom edge, so staff see the press is
// taken and how long to keep holding.
type hotCorner struct {
	widget.BaseWidget
	clock  func() time.Time
	hold   time.Duration
	down   time.Time
	onLong func()
	anim   *fyne.Animation
}

func newHotCorner(clock func() time.Time, onLong func()) *hotCorner {
	h := &hotCorner{clock: clock, hold: 3 * time.Second, onLong: onLong}
	h.ExtendBaseWidget(h)
	return h
}

// Progress is how far the press is, from 0 (not held) to 1 (held long enough).
func (h *hotCorner) Progress() float32 {
	if h.down.IsZero() {
		return 0
	}
	return min(float32(h.clock().Sub(h.down))/float32(h.hold), 1)
}

// CreateRenderer implements fyne.Widget.
func (h *hotCorner) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.SetMinSize(fyne.NewSize(touchSize(), touchSize()))
	bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	return &cornerRenderer{h: h, bg: bg, bar: bar}
}

// MouseDown implements desktop.Mouseable (a touch arrives as a press).
func (h *hotCorner) MouseDown(*desktop.MouseEvent) {
	h.down = h.clock()
	h.Refresh()
	if h.anim == nil {
		h.anim = fyne.NewAnimation(h.hold, func(float32) { h.Refresh() })
	}
	h.anim.Start()
}

// MouseUp implements desktop.Mouseable.
func (h *hotCorner) MouseUp(*desktop.MouseEvent) {
	long := !h.down.IsZero() && h.clock().Sub(h.down) >= h.hold
	h.down = time.Time{}
	if h.anim != nil {
		h.anim.Stop()
	}
	h.Refresh()
	if long {
		h.onLong()
	}
}

type cornerRenderer struct {
	h       *hotCorner
	bg, bar *canvas.Rectangle
}

func (r *cornerRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	p := r.h.Progress()
	th := float32(8)
	r.bar.Move(fyne.NewPos(0, s.Height-th))
	r.bar.Resize(fyne.NewSize(s.Width*p, th))
	r.bar.Hidden = p == 0
}

func (r *cornerRenderer) MinSize() fyne.Size { return r.bg.MinSize() }

func (r *cornerRenderer) Refresh() {
	r.bar.FillColor = theme.Color(theme.ColorNamePrimary)
	r.Layout(r.h.Size())
	r.bg.Refresh()
	r.bar.Refresh()
}

func (r *cornerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.bar} }

func (r *cornerRenderer) Destroy() {}
