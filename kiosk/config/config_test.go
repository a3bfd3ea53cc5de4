package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := `venue = "nck"
data = "/tmp/k"
staff_pin_hash = "$2a$10$x"
technician_pin_hash = "$2a$10$y"
idle_warn = "45s"
idle_reset = "75s"
[printer]
port = "/dev/ttyUSB0"
profile = "epson-tm-t20"
baud = 38400
flow = "rtscts"
[central]
url = "https://central.example"
[resident]
language = "uk"
large_text = true
[audio]
guide = true
rate = 200
`
	path := filepath.Join(dir, "kiosk.toml")
	os.WriteFile(path, []byte(good), 0o644)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Venue != "nck" || c.IdleWarn != 45*time.Second || c.Printer.Baud != 38400 || c.Printer.DataBits != 8 || c.Central.URL == "" ||
		c.Resident != (Resident{Language: "uk", LargeText: true}) || c.Audio != (Audio{Speech: true, Guide: true, Rate: 200}) {
		t.Fatalf("%+v", c)
	}
	tests := map[string]string{
		"unknown key":   strings.Replace(good, "venue", "venu", 1),
		"bad baud":      strings.Replace(good, "38400", "1234", 1),
		"no venue":      strings.Replace(good, `venue = "nck"`, "", 1),
		"idle order":    strings.Replace(good, `"75s"`, `"30s"`, 1),
		"syntax":        good + "[[[",
		"language":      strings.Replace(good, `language = "uk"`, `language = "de"`, 1),
		"no pin hashes": strings.Replace(good, `staff_pin_hash = "$2a$10$x"`, "", 1),
		"speech rate":   strings.Replace(good, "rate = 200", "rate = 1000", 1),
	}
	for name, text := range tests {
		os.WriteFile(path, []byte(text), 0o644)
		if _, err := Load(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestNamedStaff: named staff PINs, each with an id, beside the single PIN
// of older files (id "staff"); ids are unique.
func TestNamedStaff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.toml")
	base := "venue = \"nck\"\ntechnician_pin_hash = \"$2a$10$y\"\n[printer]\nport = \"virtual\"\n"
	os.WriteFile(path, []byte("staff_pin_hash = \"$2a$10$x\"\n"+base+"[[staff]]\nid = \"anna\"\npin_hash = \"$2a$10$z\"\n"), 0o644)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ms := c.StaffMembers()
	if len(ms) != 2 || ms[0].ID != "staff" || ms[1].ID != "anna" || ms[1].Hash != "$2a$10$z" || c.StaffIdle != 60*time.Second {
		t.Fatalf("%+v, staff idle %v", ms, c.StaffIdle)
	}
	for name, text := range map[string]string{
		"duplicate id": base + "[[staff]]\nid = \"anna\"\npin_hash = \"a\"\n[[staff]]\nid = \"anna\"\npin_hash = \"b\"\n",
		"no hash":      base + "[[staff]]\nid = \"anna\"\n",
		"no staff":     base,
	} {
		os.WriteFile(path, []byte(text), 0o644)
		if _, err := Load(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestPackagedExampleLoads: the configuration the package installs reads,
// once a technician fills in the venue and PIN hashes.
func TestPackagedExampleLoads(t *testing.T) {
	raw, err := os.ReadFile("../../packaging/kiosk/kiosk.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(`venue = "CHANGE-ME"`, `venue = "nck"`, `staff_pin_hash = ""`, `staff_pin_hash = "$2a$10$x"`,
		`technician_pin_hash = ""`, `technician_pin_hash = "$2a$10$y"`).Replace(string(raw))
	path := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(path, []byte(text), 0o644)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Resident != (Resident{Language: "pl"}) {
		t.Fatalf("resident defaults %+v", c.Resident)
	}
}
