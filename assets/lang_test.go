package assets

import (
	"strings"
	"testing"
)

func TestEnvLanguage(t *testing.T) {
	for env, want := range map[string]string{
		"LANG=uk_UA.UTF-8":              "uk",
		"LANG=en_GB.UTF-8":              "en",
		"LANG=pl_PL.UTF-8":              "pl",
		"LANG=de_DE.UTF-8":              "pl",
		"":                              "pl",
		"LC_ALL=en_US.UTF-8 LANG=uk_UA": "en",
		"LC_MESSAGES=uk_UA LANG=en_US":  "uk",
	} {
		vars := map[string]string{}
		for _, kv := range strings.Fields(env) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		if got := EnvLanguage(func(k string) string { return vars[k] }); got != want {
			t.Errorf("%q: %s, want %s", env, got, want)
		}
	}
	// the sentences staff see for a damaged store, in every language
	m := MustMessages()
	for _, lang := range Languages {
		for _, key := range []string{"store.missing", "store.damaged"} {
			if s := m.T(lang, key, "path", "kiosk.db", "salvage", "urnactl salvage"); !strings.Contains(s, "urnactl salvage") || !strings.Contains(s, "kiosk.db") {
				t.Errorf("%s %s: %q", lang, key, s)
			}
		}
	}
}
