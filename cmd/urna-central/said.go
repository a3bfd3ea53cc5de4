package main

import (
	"fmt"

	"github.com/urna-kiosk/urna/assets"
)

// said is an error staff read as a translated sentence: key names it in
// assets/i18n, args fill its {placeholders} as name, value pairs.
type said struct {
	key  string
	args []any
}

func (e *said) Error() string { return assets.MustMessages().T("en", e.key, e.args...) }

// say makes a *said.
func say(key string, args ...any) error { return &said{key: key, args: args} }

// sentence is err in lang: the translated sentence of a *said, else err's text.
func sentence(lang string, err error) string {
	if s, ok := err.(*said); ok {
		return assets.MustMessages().T(lang, s.key, s.args...)
	}
	return fmt.Sprint(err)
}
