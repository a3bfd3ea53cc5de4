package powercut

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Scenario is a power-cut test of one program. The child it starts works
// in the folder it is given (the mount point) and prints, line by line:
// "ok" once it has opened its files and found every acknowledged record
// (listed one a line in the file named by URNA_POWERCUT_ACKED) there,
// "ack RECORD" for each record it acknowledges, and "fail WHAT: WHY" when
// a check fails. With URNA_POWERCUT_VERIFY=1 it only checks.
type Scenario struct {
	Cuts int // at least this many cuts
	Step int // operations between the cut points of consecutive rounds
	// Child returns the command of one child run (the test binary again,
	// with an environment variable that makes it the child).
	Child func(mnt string) *exec.Cmd
}

// Result is what a scenario did.
type Result struct {
	Cuts, Acked, MaxOps int
	Took                time.Duration
}

// Run runs the scenario: rounds cut at Spread's points, and after each
// group (and at the end) a round without a cut that only checks, so that
// every acknowledged record and every file is checked on a machine that
// came back from its last cut.
func (s Scenario) Run(t *testing.T) Result {
	t.Helper()
	Need(t)
	start := time.Now()
	mnt, work := t.TempDir(), t.TempDir()
	ackFile := filepath.Join(work, "acked")
	var f *FS
	var res Result
	acked := map[string]bool{}
	round := func(name string, k int, verify bool) {
		t.Helper()
		var list strings.Builder
		for a := range acked {
			list.WriteString(a + "\n")
		}
		if err := os.WriteFile(ackFile, []byte(list.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := s.Child(mnt)
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
		cmd.Env = append(cmd.Env, "URNA_POWERCUT_ACKED="+ackFile)
		if verify {
			cmd.Env = append(cmd.Env, "URNA_POWERCUT_VERIFY=1")
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		r, err := f.Run(mnt, k, cmd)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res.MaxOps = max(res.MaxOps, r.Ops)
		if r.Cut {
			res.Cuts++
		}
		opened := false
		for _, l := range r.Lines {
			switch {
			case strings.HasPrefix(l, "ack "):
				acked[strings.TrimPrefix(l, "ack ")] = true
			case l == "ok":
				opened = true
			case strings.HasPrefix(l, "fail") && !r.Cut:
				t.Fatalf("%s: %s\nfiles: %v\n%s", name, l, f.Files(), stderr.String())
			}
		}
		if !opened && !r.Cut {
			t.Fatalf("%s: the child did not start: %q\n%s", name, r.Lines, stderr.String())
		}
	}
	for i := 0; res.Cuts < s.Cuts; i++ {
		k, fresh := Spread(i, s.Step)
		if fresh {
			if f != nil {
				round("check before a fresh start", 0, true)
				res.Acked += len(acked)
			}
			f, acked = New(), map[string]bool{}
		}
		round(fmt.Sprintf("round %d (cut after %d operations)", i, k), k, false)
	}
	round("last check", 0, true)
	res.Acked += len(acked)
	res.Took = time.Since(start)
	return res
}
