package packaging

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/kiosk/printer"
)

// TestUdevRuleNamesPrinters: USB printer-class devices (/dev/usb/lp*), the
// kind most printers sold today are, get the stable name and a group the
// kiosk user is in; every USB id a profile knows is named for serial
// bridges; and each rule line is well-formed (issue 14: the rule matched
// only SUBSYSTEM=="tty").
func TestUdevRuleNamesPrinters(t *testing.T) {
	raw, err := os.ReadFile("kiosk/60-urna-printer.rules")
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`^(SUBSYSTEMS?|KERNEL|ATTRS\{[A-Za-z]+\}|ENV\{[A-Z_]+\}|SYMLINK|GROUP|MODE)(==|\+=|=)"[^"]*"$`)
	var usbmisc bool
	rules := ""
	for i, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rules += line + "\n"
		for _, kv := range strings.Split(line, ", ") {
			if !key.MatchString(kv) {
				t.Errorf("line %d: %q is not a udev key", i+1, kv)
			}
		}
		if strings.Contains(line, `SUBSYSTEM=="usbmisc"`) && strings.Contains(line, `KERNEL=="lp[0-9]*"`) &&
			strings.Contains(line, `SYMLINK+="urna-printer"`) && strings.Contains(line, `GROUP="lp"`) {
			usbmisc = true
		}
	}
	if !usbmisc {
		t.Error("no rule names USB printer-class devices (SUBSYSTEM==\"usbmisc\", /dev/usb/lp*)")
	}
	for _, p := range printer.Profiles {
		for _, id := range p.USB {
			if !strings.Contains(rules, `ATTRS{idVendor}=="`+id.VID+`"`) {
				t.Errorf("%s's USB vendor %s is in no rule", p.Name, id.VID)
			}
		}
	}
	for file, want := range map[string]string{"kiosk/urna-kiosk.service": "SupplementaryGroups=video input render dialout lp", "kiosk/postinst": "dialout lp"} {
		b, _ := os.ReadFile(file)
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not put the kiosk user in group lp", file)
		}
	}
}
