package printer

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/urna-kiosk/urna/assets"
)

// TestProfilesFromDatabase: every page number the encoder sends is the
// number the database gives that page on that model (issue 14 item 2: the
// Rongta's CP866 17 is CP1253 on the RP326, the TM-T88IV has no 1250/1251).
func TestProfilesFromDatabase(t *testing.T) {
	for _, p := range Profiles {
		t.Run(p.Name, func(t *testing.T) {
			if len(p.CodePages) == 0 {
				t.Fatal("no code page for Polish")
			}
			for _, cp := range p.CodePages {
				if got := dbModels[p.DBKey].Pages[cp.Number]; got != cp.Name {
					t.Errorf("ESC t %d is %s on %s per the database, the profile says %s", cp.Number, got, p.DBKey, cp.Name)
				}
			}
			if p.WidthDots == 0 || p.Columns == 0 || p.DPI == 0 {
				t.Errorf("width %d dots, %d columns, %d dpi", p.WidthDots, p.Columns, p.DPI)
			}
			for _, f := range []string{"WidthDots", "Columns", "Pages", "Status", "USB", "SpeedMMs"} {
				if p.Sources[f] == "" {
					t.Errorf("no source for %s", f)
				}
			}
		})
	}
	want := map[string]string{
		"rongta-rp326":   "CP852=18 CP1251=6",
		"epson-tm-t88iv": "CP852=18 CP866=17",
		"epson-tm-t88v":  "CP852=18 CP1251=46",
		"default":        "CP852=18 CP1251=46",
		"zj-5870":        "CP852=18 CP866=17",
	}
	for name, pages := range want {
		p, err := LookupProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, cp := range p.CodePages {
			got = append(got, cp.Name+"="+string(rune('0'+cp.Number/10))+string(rune('0'+cp.Number%10)))
		}
		if g := strings.TrimPrefix(strings.ReplaceAll(strings.Join(got, " "), "=0", "="), " "); g != pages {
			t.Errorf("%s uses %s, want %s", name, g, pages)
		}
	}
	if p, _ := LookupProfile("rongta-rp326"); p.WidthDots != 576 || !strings.HasPrefix(p.Sources["WidthDots"], "override") {
		t.Errorf("RP326 width %d from %q", p.WidthDots, p.Sources["WidthDots"])
	}
	for old, now := range aliases {
		if p, err := LookupProfile(old); err != nil || p.Name != now {
			t.Errorf("old name %s: %v", old, err)
		}
	}
}

// TestUkrainianLettersKept: і/І/ґ/Ґ print as themselves where the model
// has Windows-1251 (issue 14 item 4), and only on CP866 are they spelled
// in Latin letters.
func TestUkrainianLettersKept(t *testing.T) {
	for name, want := range map[string]string{"default": "Ґанок і Іван", "pos-5890": "Ґанок і Іван", "epson-tm-t88iv": "Ганок i Iван"} {
		p, _ := LookupProfile(name)
		if got := NewEncoder(p).Printable("Ґанок і Іван"); got != want {
			t.Errorf("%s prints %q, want %q", name, got, want)
		}
	}
}

// TestWrapAfterTransliteration: lines are counted as printed, so "…" that
// becomes "..." cannot push a line past the paper (issue 14 item 5).
func TestWrapAfterTransliteration(t *testing.T) {
	p, _ := LookupProfile("epson-tm-t20ii")
	s := strings.Repeat("x", 46) + "… " + strings.Repeat("„słowo” ", 12) + "5 €"
	e := NewEncoder(p)
	for _, l := range Wrap(e.Printable(s), e.Columns(1)) {
		if n := utf8.RuneCountInString(l); n > p.Columns {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	for _, w := range []int{1, 2} {
		e := NewEncoder(p)
		e.Wrap(s, w)
		printed := regexp.MustCompile("\x1bt.").ReplaceAll(e.Bytes()[5:], nil) // page switches take no column
		for _, l := range strings.Split(string(printed), "\n") {
			if len(l) > e.Columns(w) { // one byte per printed column
				t.Errorf("width %d: %d bytes on a line: %q", w, len(l), l)
			}
		}
	}
}

// TestWrapKeepsDoubleSpace: the poster strip's "12  Title" keeps its two
// spaces (issue 14 item 7).
func TestWrapKeepsDoubleSpace(t *testing.T) {
	got := Wrap("12  Zielony skwer przy ulicy", 14)
	if strings.Join(got, "|") != "12  Zielony|skwer przy|ulicy" {
		t.Errorf("Wrap = %q", got)
	}
}

func TestGuessProfileByProductName(t *testing.T) {
	if g := GuessProfile("0416", "5011", "POS58 Printer"); g != "pos-5890" {
		t.Errorf("58 mm clone guessed as %s", g)
	}
	if g := GuessProfile("0416", "5011", "POS80 Printer"); g != "default" {
		t.Errorf("80 mm clone guessed as %s", g)
	}
}

// TestUSBPrintersFromSysfs reads a sysfs tree shaped as the kernel's for a
// printer-class device: /sys/class/usbmisc/lp0/device is the interface,
// whose parent holds the USB ids.
func TestUSBPrintersFromSysfs(t *testing.T) {
	root := t.TempDir()
	dev := filepath.Join(root, "devices", "pci0000:00", "usb1", "1-2")
	iface := filepath.Join(dev, "1-2:1.0")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(iface, 0o755))
	for name, v := range map[string]string{"idVendor": "0416\n", "idProduct": "5011\n", "product": "POS58 Printer\n", "manufacturer": "Winbond\n", "serial": "XP-01\n"} {
		must(os.WriteFile(filepath.Join(dev, name), []byte(v), 0o644))
	}
	must(os.MkdirAll(filepath.Join(root, "class", "usbmisc", "lp0"), 0o755))
	must(os.Symlink(iface, filepath.Join(root, "class", "usbmisc", "lp0", "device")))
	got, err := USBPrinters(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Address != "/dev/usb/lp0" || got[0].Transport != TransportUSB || got[0].VID != "0416" ||
		got[0].Guess != "pos-5890" || got[0].Serial != "XP-01" {
		t.Fatalf("USBPrinters = %+v", got)
	}
	if _, err := USBPrinters("/sys"); err != nil {
		t.Fatalf("this machine's sysfs: %v", err)
	}
	if ps, err := USBPrinters(t.TempDir()); err != nil || len(ps) != 0 {
		t.Fatalf("no usbmisc class: %v %v", ps, err)
	}
}

func TestTransportFromAddress(t *testing.T) {
	for addr, want := range map[string]string{"/dev/usb/lp0": TransportUSB, "192.168.1.50": TransportTCP, "printer.local:9100": TransportTCP,
		"/dev/ttyUSB0": TransportSerial, "/dev/urna-printer": TransportSerial} {
		c := Config{Address: addr}.WithDefaults()
		if got := c.TransportAt(c.Address); got != want || c.Verify() != nil {
			t.Errorf("%s: %s (%v)", addr, got, c.Verify())
		}
	}
	if c := (Config{Address: "192.168.1.50"}).WithDefaults(); c.Address != "192.168.1.50:9100" {
		t.Errorf("port 9100 not added: %s", c.Address)
	}
	if c := (Config{Port: "/dev/ttyS0"}).WithDefaults(); c.Address != "/dev/ttyS0" {
		t.Errorf("older name port not read: %+v", c)
	}
}

func TestStateKeyTranslated(t *testing.T) {
	m := assets.MustMessages()
	for _, s := range []Status{{Unknown: true}, {Error: true}, {PaperOut: true}, {CoverOpen: true}, {}} {
		key := StateKey(s)
		for _, lang := range []string{"pl", "en", "uk"} {
			if got := m.T(lang, key); got == key || got == "" {
				t.Errorf("%s: %s has no %s text", s, key, lang)
			}
		}
	}
	if StateKey(Status{Online: true}) != "" {
		t.Error("a ready printer has a warning")
	}
}

// TestSerialOnAPlainFileSaysUseUSB: opening a device without termios as a
// serial line (a /dev/usb/lp* set to transport "serial") says what to set.
func TestSerialOnAPlainFileSaysUseUSB(t *testing.T) {
	f := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Config{Transport: TransportSerial, Address: f}, nil)
	if err == nil || !strings.Contains(err.Error(), `transport "usb"`) {
		t.Fatalf("Open = %v", err)
	}
}
