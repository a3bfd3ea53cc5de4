// Package assets embeds what the binaries ship: the demo edition, the
// translations (pl, en, uk), fonts and icons.
package assets

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/urna-kiosk/urna/sync/election"
)

//go:embed demo/edition.json
var demoEdition []byte

// DemoEdition returns the demo edition's JSON: a Kraków-like 2025 edition
// with the 18 real districts, 90 projects and six venues.
func DemoEdition() []byte { return demoEdition }

// MustDemoEdition returns the demo edition decoded; a fresh copy each
// call, so callers may change it. The file is embedded and checked by
// TestDemoEdition, so it always decodes.
func MustDemoEdition() *election.Edition {
	e, err := election.DecodeEdition(bytes.NewReader(demoEdition))
	if err != nil {
		panic(err)
	}
	return e
}

//go:embed i18n/*.json
var i18nFS embed.FS

// Languages are the translations shipped, in the order screens offer them.
var Languages = []string{"pl", "en", "uk"}

// Messages maps a language to its translation keys and sentences.
type Messages map[string]map[string]string

// LoadMessages reads the embedded translations.
func LoadMessages() (Messages, error) {
	m := Messages{}
	for _, lang := range Languages {
		b, err := i18nFS.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			return nil, err
		}
		var tr map[string]string
		if err := json.Unmarshal(b, &tr); err != nil {
			return nil, fmt.Errorf("i18n/%s.json: %w", lang, err)
		}
		m[lang] = tr
	}
	return m, nil
}

// MustMessages is LoadMessages for the embedded files, which the tests check.
func MustMessages() Messages {
	m, err := LoadMessages()
	if err != nil {
		panic(err)
	}
	return m
}

// T translates key into lang, falling back to Polish and then to the key
// itself; {name} placeholders are filled from args given as name, value pairs.
func (m Messages) T(lang, key string, args ...any) string {
	s, ok := m[lang][key]
	if !ok {
		if s, ok = m["pl"][key]; !ok {
			s = key
		}
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}

//go:embed fonts/DejaVuSans.ttf
var fontSans []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontSansBold []byte

//go:embed fonts/DejaVuSansMono.ttf
var fontMono []byte

//go:embed fonts/DejaVuSansMono-Bold.ttf
var fontMonoBold []byte

// Fonts (DejaVu, see fonts/LICENSE-DejaVu.txt) cover Polish and Ukrainian.

// FontSans is DejaVu Sans, for posters and reports.
func FontSans() []byte { return fontSans }

// FontSansBold is DejaVu Sans Bold.
func FontSansBold() []byte { return fontSansBold }

// FontMono is DejaVu Sans Mono, for the virtual printer's text.
func FontMono() []byte { return fontMono }

// FontMonoBold is DejaVu Sans Mono Bold.
func FontMonoBold() []byte { return fontMonoBold }

//go:embed icon.png
var icon []byte

// Icon is the application icon (512×512 PNG).
func Icon() []byte { return icon }

// EnvLanguage is the translation the process's locale asks for (LC_ALL,
// LC_MESSAGES, LANG: "uk_UA.UTF-8" gives "uk"), Polish when none of ours.
func EnvLanguage(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		for _, lang := range Languages {
			if strings.HasPrefix(v, lang) {
				return lang
			}
		}
		return "pl"
	}
	return "pl"
}
