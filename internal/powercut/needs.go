package powercut

import (
	"os"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
)

// Need skips (fails under CI=true) when FUSE is not usable here.
func Need(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		needs.Missing(t, "/dev/fuse is missing: power-cut tests need FUSE (modprobe fuse)")
	}
	needs.Tool(t, "fusermount3", "fuse3")
}
