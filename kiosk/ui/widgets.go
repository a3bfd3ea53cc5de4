package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
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
	t := touchSize()
	return b.Button.MinSize().Max(fyne.NewSize(t, t))
}

// heading is large bold text.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	l.SizeName = "headingText"
	l.Wrapping = fyne.TextWrapWord
	return l
}

// headingIn is a heading wrapped to width by the kiosk itself (Fyne's own
// wrapping reports a height for the width it had before, which lets text
// overlap what follows), in at most three lines.
func headingIn(text string, width float32) *widget.Label {
	l := heading(clampLines(text, width-2*theme.InnerPadding(), theme.Size(theme.SizeNameHeadingText), fyne.TextStyle{Bold: true}, 3))
	l.Wrapping = fyne.TextWrapOff
	return l
}

// paraIn is body text wrapped to width, in at most eight lines.
func paraIn(text string, width float32) *widget.Label {
	l := widget.NewLabel(clampLines(text, width-2*theme.InnerPadding(), theme.TextSize(), fyne.TextStyle{}, 8))
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

// messageLine is a problem (or, with notice, a notice) in a space kept
// for it whether or not there is one, so nothing below jumps when it
// appears: lines lines of text tall.
func messageLine(text string, notice bool, lines int) fyne.CanvasObject {
	keep := canvas.NewRectangle(color.Transparent)
	keep.SetMinSize(fyne.NewSize(1, lineHeight(false)*float32(lines)))
	if text == "" {
		return container.NewStack(keep)
	}
	l := widget.NewLabel("⚠ " + text)
	l.Importance = widget.DangerImportance
	if notice {
		l.Text, l.Importance = "➜ "+text, widget.HighImportance // not ℹ, which reads as the word "i" (and)
	}
	l.TextStyle.Bold = true
	l.Wrapping = fyne.TextWrapWord
	return container.NewStack(keep, l)
}

// lineHeight is the height of one line of a label.
func lineHeight(heading bool) float32 {
	size := theme.TextSize()
	if heading {
		size = theme.Size(theme.SizeNameHeadingText)
	}
	return fyne.MeasureText("Ąg", size, fyne.TextStyle{}).Height + 2*theme.InnerPadding()
}

// clampLines wraps text to width in at most n lines, the last cut with
// "…" when it does not fit: list rows keep one height, so a page's size
// can be computed.
func clampLines(text string, width, size float32, style fyne.TextStyle, n int) string {
	words := strings.Fields(text)
	fits := func(s string) bool { return fyne.MeasureText(s, size, style).Width <= width }
	cut := func(s string) string {
		if fits(s) {
			return s
		}
		r := []rune(s)
		for len(r) > 0 && !fits(string(r)+"…") {
			r = r[:len(r)-1]
		}
		return strings.TrimSpace(string(r)) + "…"
	}
	var lines []string
	start := 0 // the first word of the line being filled
	for i := range words {
		if i == start || fits(strings.Join(words[start:i+1], " ")) {
			continue
		}
		if len(lines) == n-1 {
			break
		}
		lines = append(lines, cut(strings.Join(words[start:i], " ")))
		start = i
	}
	if start < len(words) {
		lines = append(lines, cut(strings.Join(words[start:], " ")))
	}
	return strings.Join(lines, "\n")
}

// modalCard is a card over a dimmed screen that takes every touch: while it
// is up nothing behind it can be touched (a touch outside the card does
// nothing, rather than reaching the button under it).
type modalCard struct {
	widget.BaseWidget
	content fyne.CanvasObject
	box     fyne.CanvasObject
}

func newModal(card fyne.CanvasObject, width float32) *modalCard {
	keep := canvas.NewRectangle(color.Transparent)
	keep.SetMinSize(fyne.NewSize(width, 1))
	m := &modalCard{content: card}
	m.box = container.NewStack(shade(), container.NewCenter(panel(container.NewStack(keep, card))))
	m.ExtendBaseWidget(m)
	return m
}

// Tapped implements fyne.Tappable: a touch beside the card is swallowed.
func (m *modalCard) Tapped(*fyne.PointEvent) {}

// CreateRenderer implements fyne.Widget.
func (m *modalCard) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(m.box) }

func (m *modalCard) children() []fyne.CanvasObject { return []fyne.CanvasObject{m.box} }

// tapArea is a screen-sized target under a screen's buttons ("touch the
// screen to vote" means the whole screen).
type tapArea struct {
	widget.BaseWidget
	onTap func()
}

func newTapArea(onTap func()) *tapArea {
	a := &tapArea{onTap: onTap}
	a.ExtendBaseWidget(a)
	return a
}

// Tapped implements fyne.Tappable.
func (a *tapArea) Tapped(*fyne.PointEvent) { a.onTap() }

// CreateRenderer implements fyne.Widget.
func (a *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
