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
}

func newTheme(large, contrast bool) fyne.Theme {
	return &kioskTheme{Theme: theme.DefaultTheme(), large: large, contrast: contrast}
}

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
		case theme.ColorNameButton, theme.ColorNameInputBackground:
			return color.NRGBA{0x1c, 0x1c, 0x1c, 0xff}
		case theme.ColorNameHover, theme.ColorNamePressed:
			return color.NRGBA{0x40, 0x40, 0x40, 0xff}
		case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
			return color.NRGBA{0xc0, 0xc0, 0xc0, 0xff}
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
	scale := float32(1.5)
	if t.large {
		scale = 2.0
	}
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return t.Theme.Size(n) * scale
	case theme.SizeNamePadding, theme.SizeNameInnerPadding:
		return t.Theme.Size(n) * 1.5
	}
	return t.Theme.Size(n)
}
