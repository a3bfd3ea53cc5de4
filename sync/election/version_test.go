package election

import (
	"bytes"
	"errors"
	"testing"
)

func TestVersionAtLeast(t *testing.T) {
	for name, c := range map[string]struct {
		version, min string
		want         bool
	}{
		"equal":                  {"1.4.2", "1.4.2", true},
		"newer patch":            {"1.4.3", "1.4.2", true},
		"older minor":            {"1.3.9", "1.4.0", false},
		"numbers, not text":      {"1.10.0", "1.9.0", true},
		"short form":             {"1.4", "1.4.0", true},
		"leading v":              {"v2.0.0", "1.9", true},
		"pre-release is below":   {"1.4.0-rc1", "1.4.0", false},
		"release above its rc":   {"1.4.0", "1.4.0-rc1", true},
		"later rc":               {"1.4.0-rc2", "1.4.0-rc1", true},
		"build metadata ignored": {"1.4.0+deb12", "1.4.0", true},
		"dev build is unknown":   {"dev", "0.1.0", false},
		"empty is unknown":       {"", "0.1.0", false},
		"junk minimum":           {"1.0.0", "latest", false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := VersionAtLeast(c.version, c.min); got != c.want {
				t.Errorf("VersionAtLeast(%q, %q) = %v", c.version, c.min, got)
			}
		})
	}
}

func TestEditionMinKioskVersion(t *testing.T) {
	e := &Edition{}
	if !e.KioskAllowed("dev") {
		t.Error("an edition without a minimum refuses a dev kiosk")
	}
	e.MinKioskVersion = "0.5.0"
	if e.KioskAllowed("0.4.9") || !e.KioskAllowed("0.5.0") {
		t.Error("the minimum is not applied")
	}
}

func FuzzVersionAtLeast(f *testing.F) {
	f.Add("1.4.2-rc1", "1.4")
	f.Fuzz(func(t *testing.T, a, b string) {
		if _, _, ok := parseVersion(a); ok && !VersionAtLeast(a, a) {
			t.Errorf("%q is not at least itself", a)
		}
		if _, _, ok := parseVersion(b); !ok && VersionAtLeast(a, b) {
			t.Errorf("%q passes the unreadable minimum %q", a, b)
		}
	})
}

// TestMinKioskVersionField: the edition file carries minKioskVersion, and
// one that is not a version is refused with the field named.
func TestMinKioskVersionField(t *testing.T) {
	e := testEdition()
	e.MinKioskVersion = "0.6.0"
	got, err := DecodeEdition(bytes.NewReader(encoded(t, e)))
	if err != nil || got.MinKioskVersion != "0.6.0" {
		t.Fatalf("read back %q, %v", got.MinKioskVersion, err)
	}
	e.MinKioskVersion = "latest"
	_, err = DecodeEdition(bytes.NewReader(encoded(t, e)))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "minKioskVersion" || ps[0].Key != KeyFileInvalid {
		t.Fatalf("got %v, want %s on minKioskVersion", err, KeyFileInvalid)
	}
}
