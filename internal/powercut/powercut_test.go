package powercut

import (
	"os/exec"
	"testing"
)

// TestDurability: only what was fsync'd survives a cut; a new name only
// once its folder was fsync'd.
func TestDurability(t *testing.T) {
	Need(t)
	f, mnt := New(), t.TempDir()
	run := func(script string, k int) Round {
		t.Helper()
		cmd := exec.Command("sh", "-ec", script)
		cmd.Dir = mnt
		r, err := f.Run(mnt, k, cmd)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	run(`printf durable > a; sync a; sync .`, 0)
	run(`printf lost > b`, 0)                            // neither the file nor its name synced
	run(`printf name-only > c; sync c`, 0)               // the file synced, not its folder
	run(`printf empty > d; sync .`, 0)                   // the name synced, not the content
	run(`printf new > a.tmp; sync a.tmp; mv a.tmp a`, 0) // a rename never synced
	want := map[string]int{"a": len("durable"), "d": 0}
	got := f.Files()
	if len(got) != len(want) {
		t.Fatalf("after the power cuts: %v, want %v", got, want)
	}
	for name, size := range want {
		if s, ok := got[name]; !ok || s != size {
			t.Fatalf("after the power cuts: %v, want %v", got, want)
		}
	}
	// a cut after the second change: the first write happened, nothing after
	r := run(`printf x > e; printf y >> e; sync e; sync .`, 2)
	if !r.Cut {
		t.Fatal("no cut")
	}
	if _, ok := f.Files()["e"]; ok {
		t.Fatal("a file never made durable survived the cut")
	}
}
