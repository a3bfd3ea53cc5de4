package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// keyLayout is an on-screen keyboard's keys, row by row. A layout that
// reflows (voter codes: no order a resident knows by heart) fills as many
// keys a row as the width allows.
type keyLayout struct {
	name   string
	rows   []string
	reflow bool
}

// The keyboard's layouts: digits (PESEL, PINs), the voter-code alphabet
// (no 0, 1, I, O), Polish (QWERTY with Polish letters) and Ukrainian
// (ЙЦУКЕН).
var (
	digitsLayout    = keyLayout{name: "digits", rows: []string{"123", "456", "789"}}
	codeLayout      = keyLayout{name: "code", rows: []string{"23456789ABCDEFGHJKLMNPQRSTUVWXYZ"}, reflow: true}
	polishLayout    = keyLayout{name: "pl", rows: []string{"1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM", "ĄĆĘŁŃÓŚŹŻ"}}
	ukrainianLayout = keyLayout{name: "uk", rows: []string{"1234567890", "ЙЦУКЕНГШЩЗХЇ", "ФІВАПРОЛДЖЄ", "ЯЧСМИТЬБЮҐ'"}}
)

// textLayout is the search keyboard for a language: Cyrillic for
// Ukrainian, Polish letters otherwise.
func textLayout(lang string) keyLayout {
	if lang == "uk" {
		return ukrainianLayout
	}
	return polishLayout
}

// keyboard is the kiosk's one on-screen keyboard (Fyne has none on
// desktops): a layout's keys, then a last row of the screen's own keys
// (delete, space, done…). It sizes its keys to the room it is given.
type keyboard struct {
	widget.BaseWidget
	layout keyLayout
	onRune func(rune)
	last   []fyne.CanvasObject
	box    *fyne.Container
	width  float32
}

// newKeyboard builds a keyboard; last are the keys of its last row.
func newKeyboard(l keyLayout, onRune func(rune), last ...fyne.CanvasObject) *keyboard {
	k := &keyboard{layout: l, onRune: onRune, last: last}
	k.ExtendBaseWidget(k)
	k.arrange(0)
	return k
}

// keypad is the numeric keypad: digits, then clear, 0 and delete.
func keypad(typeDigit func(rune), del, clear func(), deleteLabel, clearLabel string) fyne.CanvasObject {
	k := newKeyboard(digitsLayout, typeDigit)
	k.last = []fyne.CanvasObject{newButton(clearLabel, clear), newButton("0", func() { typeDigit('0') }), newButton("⌫ "+deleteLabel, del)}
	k.arrange(0)
	return k
}

// rows are the layout's rows for a width (a reflowing layout's keys fill
// each row; 0: the layout as written).
func (k *keyboard) rows(width float32) []string {
	if !k.layout.reflow || width <= 0 {
		return k.layout.rows
	}
	keys := []rune(k.layout.rows[0])
	per := max(4, int((width+keyGap)/(touchSize()+keyGap)))
	per = min(per, len(keys))
	// rows of even length: no last row of two lonely keys
	rows := (len(keys) + per - 1) / per
	per = (len(keys) + rows - 1) / rows
	var out []string
	for len(keys) > 0 {
		n := min(per, len(keys))
		out = append(out, string(keys[:n]))
		keys = keys[n:]
	}
	return out
}

// keyGap is the gap between keys.
const keyGap = 4

func (k *keyboard) arrange(width float32) {
	k.width = width
	var lines []fyne.CanvasObject
	for _, row := range k.rows(width) {
		var keys []fyne.CanvasObject
		for _, r := range row {
			keys = append(keys, newButton(string(r), func() { k.onRune(r) }))
		}
		lines = append(lines, container.New(&keyRow{}, keys...))
	}
	if len(k.last) > 0 {
		lines = append(lines, container.New(&keyRow{}, k.last...))
	}
	k.box = container.New(&keyRows{}, lines...)
}

// children lets walk look inside.
func (k *keyboard) children() []fyne.CanvasObject { return []fyne.CanvasObject{k.box} }

// CreateRenderer implements fyne.Widget.
func (k *keyboard) CreateRenderer() fyne.WidgetRenderer { return &keyboardRenderer{k: k} }

type keyboardRenderer struct{ k *keyboard }

func (r *keyboardRenderer) Layout(size fyne.Size) {
	if r.k.layout.reflow && size.Width != r.k.width {
		r.k.arrange(size.Width)
	}
	r.k.box.Resize(size)
}
func (r *keyboardRenderer) MinSize() fyne.Size {
	return r.k.box.MinSize()
}
func (r *keyboardRenderer) Refresh()                     { r.k.box.Refresh() }
func (r *keyboardRenderer) Destroy()                     {}
func (r *keyboardRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.k.box} }

// MinSize implements fyne.Widget: a reflowing keyboard may be as narrow as
// four keys.
func (k *keyboard) MinSize() fyne.Size {
	if k.layout.reflow && k.width == 0 {
		k.arrange(4*touchSize() + 3*keyGap)
	}
	return k.box.MinSize()
}

// keyRow lays keys out in a row of equal keys with small gaps: as wide as
// the row allows, never narrower than a touch target.
type keyRow struct{}

func (keyRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		m := o.MinSize()
		w = max(w, m.Width)
		h = max(h, m.Height)
	}
	n := float32(len(objs))
	return fyne.NewSize(n*w+(n-1)*keyGap, h)
}

func (keyRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := float32(len(objs))
	w := (size.Width - (n-1)*keyGap) / n
	for i, o := range objs {
		o.Move(fyne.NewPos(float32(i)*(w+keyGap), 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

// keyRows stacks key rows, sharing the height among them.
type keyRows struct{}

func (keyRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height
	}
	return fyne.NewSize(w, h+float32(len(objs)-1)*keyGap)
}

func (keyRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := float32(len(objs))
	h := (size.Height - (n-1)*keyGap) / n
	// keys no taller than wide-ish: a big area gets roomy keys, not towers
	h = min(h, 1.6*touchSize())
	for i, o := range objs {
		o.Move(fyne.NewPos(0, float32(i)*(h+keyGap)))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}
