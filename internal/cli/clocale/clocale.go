// Package clocale, imported for its side effect before Fyne, keeps Fyne
// from logging "Error parsing user locale C" under the C or POSIX locale
// (LANG=C.UTF-8 on servers and in systemd units): Fyne reads the locale
// while it initializes, and takes C.UTF-8 for a language named C.
//
// It only sets LANGUAGE=en when the locale is C or POSIX and LANGUAGE is
// unset: gettext ignores LANGUAGE under the C locale, and Urna's own
// messages read LC_ALL, LC_MESSAGES and LANG, not LANGUAGE. It imports
// nothing that Fyne imports after it, so it runs first.
package clocale

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		if base == "C" || base == "POSIX" {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
