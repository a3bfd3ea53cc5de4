package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
)

// screens are the sizes a kiosk's screen may have: small panels, laptops
// and full HD, portrait and landscape.
var screens = []fyne.Size{{Width: 1024, Height: 600}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080},
	{Width: 1080, Height: 1920}, {Width: 800, Height: 1280}}

// fits reports what on the screen shown does not fit the window: the
// window grew, the screen needs more room than it has, or a button lies
// (partly) outside the window or is squeezed below its size.
func (r *rig) fits(size fyne.Size) []string {
	var bad []string
	c := r.w.Canvas()
	if c.Size() != size {
		bad = append(bad, fmt.Sprintf("the window grew to %v", c.Size()))
	}
	f, ok := c.Content().(*frame)
	if !ok || f.Root() == nil {
		return append(bad, "no screen laid out")
	}
	if m := f.Root().MinSize(); m.Width > size.Width+0.5 || m.Height > size.Height+0.5 {
		bad = append(bad, fmt.Sprintf("the screen needs %.0f×%.0f", m.Width, m.Height))
	}
	walk(c.Content(), func(o fyne.CanvasObject) {
		b, ok := o.(*touchButton)
		if !ok || !b.Visible() {
			return
		}
		p, s, m := onCanvas(b), b.Size(), b.MinSize()
		if p.X < -0.5 || p.Y < -0.5 || p.X+s.Width > size.Width+0.5 || p.Y+s.Height > size.Height+0.5 {
			bad = append(bad, fmt.Sprintf("%q at %.0f,%.0f %.0f×%.0f is outside", b.Text, p.X, p.Y, s.Width, s.Height))
		} else if s.Width < m.Width-0.5 || s.Height < m.Height-0.5 {
			bad = append(bad, fmt.Sprintf("%q is squeezed to %.0f×%.0f of %.0f×%.0f", b.Text, s.Width, s.Height, m.Width, m.Height))
		}
	})
	return bad
}

// TestEveryScreenFits: for every screen size × screen × language × text
// size, the window keeps its size and every button lies inside it at its
// full size.
func TestEveryScreenFits(t *testing.T) {
	for _, size := range screens {
		t.Run(fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), func(t *testing.T) {
			tour(t, size, func(r *rig, name string) {
				lang, large, contrast := r.s.Lang(), r.s.Large(), r.s.Contrast()
				for _, lg := range []bool{false, true} {
					for _, l := range []string{"pl", "en", "uk"} {
						r.s.SetLang(l)
						r.s.SetAccessibility(lg, contrast)
						r.u.Refresh()
						for _, b := range r.fits(size) {
							t.Errorf("%.0fx%.0f %s in %s, large text %v: %s", size.Width, size.Height, name, l, lg, b)
						}
					}
				}
				r.s.SetLang(lang)
				r.s.SetAccessibility(large, contrast)
				r.u.Refresh()
			})
		})
	}
}

// onCanvas is where o is on its canvas (the test driver reports positions
// inside the canvas's interactive area).
func onCanvas(o fyne.CanvasObject) fyne.Position {
	drv := fyne.CurrentApp().Driver()
	inset, _ := drv.CanvasForObject(o).InteractiveArea()
	return drv.AbsolutePositionForObject(o).Add(inset)
}
