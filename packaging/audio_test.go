package packaging

import (
	"os"
	"strings"
	"testing"
)

// TestKioskUserMayUseAudio: the voice guide speaks through the sound
// device, which Debian gives to group audio; the unit and the postinst
// both put the kiosk user in it.
func TestKioskUserMayUseAudio(t *testing.T) {
	for file, want := range map[string]string{"kiosk/urna-kiosk.service": "SupplementaryGroups=video input render dialout lp audio", "kiosk/postinst": "dialout lp audio"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not put the kiosk user in group audio", file)
		}
	}
}
