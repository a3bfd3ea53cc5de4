package ui

import (
	"encoding/json"
	"os"

	"fyne.io/fyne/v2"
)

// Target is an on-screen button in window pixels, for automation: the
// smoke test under Xvfb taps them with xdotool.
type Target struct {
	Text string  `json:"text"`
	X    float32 `json:"x"`
	Y    float32 `json:"y"`
	W    float32 `json:"w"`
	H    float32 `json:"h"`
}

// Targets lists the buttons on screen (and the staff corner as "hot-corner").
func (u *UI) Targets() []Target {
	var out []Target
	scale := u.win.Canvas().Scale()
	drv := fyne.CurrentApp().Driver()
	// Positions are inside the canvas's interactive area (the test driver
	// insets it; GLFW does not): add the inset to get window coordinates.
	inset, _ := u.win.Canvas().InteractiveArea()
	add := func(text string, o fyne.CanvasObject) {
		p, s := drv.AbsolutePositionForObject(o).Add(inset), o.Size()
		out = append(out, Target{Text: text, X: p.X * scale, Y: p.Y * scale, W: s.Width * scale, H: s.Height * scale})
	}
	walk(u.win.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *touchButton:
			if !x.Disabled() {
				add(x.Text, x)
			}
		case *hotCorner:
			add("hot-corner", x)
		}
	})
	return out
}

// WriteTargets writes the screen's name and targets as JSON to path
// (atomically, so a reader never sees half a file).
func (u *UI) WriteTargets(path string) error {
	b, err := json.Marshal(struct {
		Screen  string   `json:"screen"`
		Targets []Target `json:"targets"`
	}{u.Screen(), u.Targets()})
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
