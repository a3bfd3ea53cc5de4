package packaging

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/urna-kiosk/urna/internal/needs"
)

// fyneApp is the part of FyneApp.toml that `fyne package` turns into the
// Linux desktop entry (Name, Icon, app ID, version, categories).
type fyneApp struct {
	Website string
	Details struct {
		Icon, Name, ID, Version string
		Build                   int
	}
	LinuxAndBSD struct {
		GenericName, Comment string
		Categories, Keywords []string
	}
}

// FyneApp.toml stays true: its app ID is the one the kiosk runs with, its
// icon is a square PNG that a desktop can scale, its version is the one the
// packages are built with, and its categories are registered ones.
func TestFyneAppMetadata(t *testing.T) {
	app := readFyneApp(t)
	main, err := os.ReadFile("../cmd/urna-kiosk/main.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`app\.NewWithID\("([^"]+)"\)`).FindAllSubmatch(main, -1)
	if len(ids) != 1 || string(ids[0][1]) != app.Details.ID {
		t.Errorf("urna-kiosk runs with app IDs %q; FyneApp.toml says %q", ids, app.Details.ID)
	}
	if !regexp.MustCompile(`^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*){2,}$`).MatchString(app.Details.ID) {
		t.Errorf("app ID %q is not a reverse-DNS name", app.Details.ID)
	}
	if app.Details.Version != version {
		t.Errorf("FyneApp.toml version %q, the packages are tested as %q", app.Details.Version, version)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(app.Details.Version) || app.Details.Build < 1 {
		t.Errorf("version %q build %d", app.Details.Version, app.Details.Build)
	}
	if app.Details.Name == "" || app.LinuxAndBSD.GenericName == "" || app.LinuxAndBSD.Comment == "" {
		t.Errorf("the desktop entry needs Name, GenericName and Comment: %+v", app)
	}
	// freedesktop.org's registered main categories.
	main_ := map[string]bool{"AudioVideo": true, "Audio": true, "Video": true, "Development": true, "Education": true,
		"Game": true, "Graphics": true, "Network": true, "Office": true, "Science": true, "Settings": true, "System": true, "Utility": true}
	if len(app.LinuxAndBSD.Categories) == 0 || !main_[app.LinuxAndBSD.Categories[0]] {
		t.Errorf("categories %v do not start with a registered main category", app.LinuxAndBSD.Categories)
	}
	f, err := os.Open(filepath.Join("..", app.Details.Icon))
	if err != nil {
		t.Fatalf("icon: %v", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("icon %s: %v", app.Details.Icon, err)
	}
	if cfg.Width != cfg.Height || cfg.Width < 256 {
		t.Errorf("icon %s is %dx%d; a desktop entry's icon is square, at least 256 px", app.Details.Icon, cfg.Width, cfg.Height)
	}
}

func readFyneApp(t *testing.T) fyneApp {
	t.Helper()
	var app fyneApp
	md, err := toml.DecodeFile("../FyneApp.toml", &app)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Errorf("FyneApp.toml: unknown key %s", und[0])
	}
	return app
}

// The kiosk package's desktop entry and icon say what FyneApp.toml says,
// and desktop-file-validate accepts the entry.
func TestDesktopEntry(t *testing.T) {
	needs.Tool(t, "dpkg-deb", "dpkg")
	validate := needs.Tool(t, "desktop-file-validate", "desktop-file-utils")
	app := readFyneApp(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	for _, b := range []string{"urna-kiosk", "urnactl", "urna-central"} {
		os.WriteFile(filepath.Join(bin, b), []byte("#!/bin/sh\n"), 0o755) // only the metadata is looked at
	}
	run(t, "", "./build-deb.sh", app.Details.Version, "amd64", bin, filepath.Join(dir, "dist"))
	x := filepath.Join(dir, "x")
	run(t, "", "dpkg-deb", "-x", filepath.Join(dir, "dist", "urna-kiosk_"+app.Details.Version+"_amd64.deb"), x)
	entry := filepath.Join(x, "usr/share/applications", app.Details.ID+".desktop")
	raw, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("the kiosk package has no desktop entry named for the app ID: %v", err)
	}
	if out, err := exec.Command(validate, entry).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			fields[k] = v
		}
	}
	list := func(s string) []string { return strings.FieldsFunc(s, func(r rune) bool { return r == ';' }) }
	want := map[string]string{"Name": app.Details.Name, "GenericName": app.LinuxAndBSD.GenericName,
		"Comment": app.LinuxAndBSD.Comment, "Icon": app.Details.ID, "Exec": "urna-kiosk"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("desktop entry %s=%q, FyneApp.toml says %q", k, fields[k], v)
		}
	}
	if !slices.Equal(list(fields["Categories"]), app.LinuxAndBSD.Categories) || !slices.Equal(list(fields["Keywords"]), app.LinuxAndBSD.Keywords) {
		t.Errorf("desktop entry categories %q keywords %q; FyneApp.toml %v %v", fields["Categories"], fields["Keywords"],
			app.LinuxAndBSD.Categories, app.LinuxAndBSD.Keywords)
	}
	icon, err := os.ReadFile(filepath.Join(x, "usr/share/icons/hicolor/512x512/apps", app.Details.ID+".png"))
	orig, _ := os.ReadFile(filepath.Join("..", app.Details.Icon))
	if err != nil || string(icon) != string(orig) {
		t.Errorf("the packaged icon is not FyneApp.toml's %s: %v", app.Details.Icon, err)
	}
}
