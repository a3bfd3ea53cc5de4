package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// minTouch is the smallest touch target: 15 mm on a typical 21" kiosk
// screen at Fyne's scale 1 (about 96 units to the inch, 15 mm ≈ 57 units),
// with a margin.
const minTouch = 64

// touchButton is a button at least minTouch high and wide.
type touchButton struct {
	widget.Button
}

func newButton(label string, tap func()) *touchButton {
	b := &touchButton{}
	b.Text, b.OnTapped = label, tap
	b.ExtendBaseWidget(b)
	return b
}

func primary(label string, tap func()) *touchButton {
	b := newButton(label, tap)
	b.Importance = widget.HighImportance
	return b
}

// MinSize implements fyne.Widget.
func (b *touchButton) MinSize() fyne.Size {
	return b.Button.MinSize().Max(fyne.NewSize(minTouch, minTouch))
}

// keypad is the on-screen numeric keypad (Fyne has no on-screen keyboard
// on desktops).
func keypad(typeDigit func(rune), back, clear func(), backLabel, clearLabel string) fyne.CanvasObject {
	keys := []fyne.CanvasObject{}
	for _, d := range "123456789" {
		keys = append(keys, newButton(string(d), func() { typeDigit(d) }))
	}
	keys = append(keys, newButton(clearLabel, clear), newButton("0", func() { typeDigit('0') }), newButton("⌫ "+backLabel, back))
	return container.NewGridWithColumns(3, keys...)
}

// keyboard is a small on-screen text keyboard with Polish letters, for
// voter codes (letters and digits) and for searching titles.
func keyboard(rows []string, typeRune func(rune), back func(), extra ...fyne.CanvasObject) fyne.CanvasObject {
	var lines []fyne.CanvasObject
	for _, row := range rows {
		var keys []fyne.CanvasObject
		for _, r := range row {
			keys = append(keys, newButton(string(r), func() { typeRune(r) }))
		}
		lines = append(lines, container.NewGridWithColumns(len(keys), keys...))
	}
	last := append([]fyne.CanvasObject{newButton("⌫", back)}, extra...)
	lines = append(lines, container.NewGridWithColumns(len(last), last...))
	return container.NewVBox(lines...)
}

// Keyboard rows: the voter-code alphabet leaves out 0, 1, I and O.
var (
	codeRows   = []string{"23456789", "ABCDEFGHJK", "LMNPQRSTUV", "WXYZ"}
	searchRows = []string{"1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM", "ĄĆĘŁŃÓŚŹŻ"}
)

// heading is large bold text.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	l.SizeName = "headingText"
	l.Wrapping = fyne.TextWrapWord
	return l
}

// para is wrapped body text.
func para(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// problemLabel shows a problem's sentence, or nothing.
func problemLabel(text string) fyne.CanvasObject {
	if text == "" {
		return layout.NewSpacer()
	}
	l := widget.NewLabel("⚠ " + text)
	l.Importance = widget.DangerImportance
	l.TextStyle.Bold = true
	l.Wrapping = fyne.TextWrapWord
	return l
}
