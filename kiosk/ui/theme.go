package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// kioskTheme is the kiosk's look: Kraków's blue on white, with a larger
// text size and a high-contrast palette (yellow and white on black) that
// residents switch on. Fyne has no high-contrast theme of its own.
type kioskTheme struct {
	fyne.Theme
	large    bool
	contrast bool
	fit      float32 // 1 on a full-HD screen, less on small panels
}

// sizeNameTouch is the theme's size of the smallest touch target.
const sizeNameTouch fyne.ThemeSizeName = "urna-touch"

// newTheme is the theme for a text size, a contrast and a screen: text and
// touch targets shrink a little on small panels (1024×600) so that every
// screen fits, never below what a finger and an older eye need.
func newTheme(large, contrast bool, screen fyne.Size) *kioskTheme {
	short := min(screen.Width, screen.Height)
	fit := float32(1)
	if short > 0 && short < 1080 {
		fit = max(0.72, short/1080)
	}
	return &kioskTheme{Theme: theme.DefaultTheme(), large: large, contrast: contrast, fit: fit}
}

// touchSize is the smallest touch target of the theme in use.
func touchSize() float32 { return theme.Size(sizeNameTouch) }

var (
	krakowBlue = color.NRGBA{0x1a, 0x4f, 0x8b, 0xff}
	gold       = color.NRGBA{0xf2, 0xc1, 0x2e, 0xff}
)

// Color implements fyne.Theme.
func (t *kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if t.contrast {
		switch n {
		case theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
			return color.Black
		case theme.ColorNameForeground, theme.ColorNameForegroundOnPrimary:
			if n == theme.ColorNameForegroundOnPrimary {
				return color.Black
			}
			return color.White
		case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
			return color.NRGBA{0xff, 0xe6, 0x00, 0xff}
		case theme.ColorNameButton:
			// 3:1 against the black rows and background it sits on
			return color.NRGBA{0x5c, 0x5c, 0x5c, 0xff}
		case theme.ColorNameInputBackground:
			return color.Black
		case theme.ColorNameDisabledButton:
			return color.Black // no fill: only an active button has one
		case theme.ColorNameHover, theme.ColorNamePressed:
			return color.NRGBA{0x80, 0x80, 0x80, 0xff}
		case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
			// readable, and plainly not as bright as what can be touched
			return color.NRGBA{0x8c, 0x8c, 0x8c, 0xff}
		case theme.ColorNameSeparator, theme.ColorNameInputBorder:
			return color.White
		case theme.ColorNameError:
			return color.NRGBA{0xff, 0x6e, 0x6e, 0xff}
		case theme.ColorNameSuccess:
			return color.NRGBA{0x6e, 0xff, 0x8a, 0xff}
		}
		return t.Theme.Color(n, theme.VariantDark)
	}
	switch n {
	case theme.ColorNameBackground:
		return color.NRGBA{0xf7, 0xf8, 0xfa, 0xff}
	case theme.ColorNameForeground:
		return color.NRGBA{0x14, 0x18, 0x1f, 0xff}
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return krakowBlue
	case theme.ColorNameForegroundOnPrimary:
		return color.White
	case theme.ColorNameButton:
		return color.NRGBA{0xe4, 0xe9, 0xf1, 0xff}
	case theme.ColorNameSuccess:
		return color.NRGBA{0x1e, 0x7d, 0x3a, 0xff}
	case theme.ColorNameWarning:
		return gold
	}
	return t.Theme.Color(n, theme.VariantLight)
}

// Size implements fyne.Theme: text readable at arm's length on a kiosk,
// larger again in large-text mode.
func (t *kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	fit := t.fit
	if fit == 0 {
		fit = 1
	}
	scale := float32(1.5)
	if t.large {
		scale = 2.0
	}
	switch n {
	case sizeNameTouch:
		return minTouch * max(fit, 0.85)
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return t.Theme.Size(n) * scale * fit
	case theme.SizeNamePadding, theme.SizeNameInnerPadding:
		return t.Theme.Size(n) * 1.5 * fit
	}
	return t.Theme.Size(n)
}
