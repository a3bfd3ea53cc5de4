package queue

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/powercut"
	"github.com/urna-kiosk/urna/sync/election"
)

const powercutEnv = "URNA_QUEUE_POWERCUT_CHILD"

// powercutChild opens the store on the power-cut file system, checks that
// every ballot acknowledged before (listed in the file named by
// URNA_POWERCUT_ACKED) is there, then appends ballots, acknowledging each
// on standard output once Append has returned.
func powercutChild(dir string) {
	fail := func(what string, err any) {
		fmt.Printf("fail %s: %v\n", what, err)
		os.Exit(3)
	}
	q, err := Open(filepath.Join(dir, "kiosk.db"), Options{Timeout: 5 * time.Second})
	if err != nil {
		fail("open", err)
	}
	bs, err := q.Ballots()
	if err != nil {
		fail("check", err)
	}
	have := map[uint64]string{}
	for _, b := range bs {
		have[b.Seq] = b.ID
	}
	if raw, err := os.ReadFile(os.Getenv("URNA_POWERCUT_ACKED")); err == nil {
		for _, l := range strings.Fields(string(raw)) {
			seq, id, _ := strings.Cut(l, ":")
			n, _ := strconv.ParseUint(seq, 10, 64)
			if have[n] != id {
				fail("lost", fmt.Sprintf("acknowledged ballot %d is not in the store (%d ballots)", n, len(bs)))
			}
		}
	}
	if err := q.Check(); err != nil {
		fail("check", err)
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ok", len(bs))
	out.Flush()
	for range 30 {
		var k election.VoterKey
		rand.Read(k[:])
		s, err := q.Append(ballot(), k, 1)
		if err != nil {
			os.Exit(4) // the power is off
		}
		fmt.Fprintf(out, "ack %d:%s\n", s.Seq, s.ID)
		out.Flush()
	}
	q.Close()
}

// TestPowerCut cuts the power under the kiosk's store at a spread of points
// (on a file system that drops every write not fsync'd, and every create
// or rename whose folder was not fsync'd): every acknowledged ballot
// survives, and the store always opens.
func TestPowerCut(t *testing.T) {
	powercut.Need(t)
	start := time.Now()
	mnt, work := t.TempDir(), t.TempDir()
	ackFile := filepath.Join(work, "acked")
	var f *powercut.FS
	acked := map[string]bool{}
	cuts, rounds, ops := 0, 100, 0
	for i := 0; i <= rounds; i++ {
		k, fresh := powercut.Spread(i, 7)
		if i == rounds {
			k = 0 // a last round without a cut: everything acknowledged is checked
		}
		if fresh && i < rounds {
			f, acked = powercut.New(), map[string]bool{}
		}
		var list strings.Builder
		for a := range acked {
			list.WriteString(a + "\n")
		}
		os.WriteFile(ackFile, []byte(list.String()), 0o600)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), powercutEnv+"="+mnt, "URNA_POWERCUT_ACKED="+ackFile)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		r, err := f.Run(mnt, k, cmd)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		ops = max(ops, r.Ops)
		if r.Cut {
			cuts++
		}
		opened := false
		for _, l := range r.Lines {
			switch {
			case strings.HasPrefix(l, "ack "):
				acked[strings.TrimPrefix(l, "ack ")] = true
			case l == "ok" || strings.HasPrefix(l, "ok "):
				opened = true
			case strings.HasPrefix(l, "fail open") && r.Cut:
				// the cut came while the store was opening
			case strings.HasPrefix(l, "fail"):
				t.Fatalf("round %d (cut after %d operations): %s\nfiles: %v\n%s", i, k, l, f.Files(), stderr.String())
			}
		}
		if !opened && !r.Cut {
			t.Fatalf("round %d: the store did not open: %v\n%s", i, r.Lines, stderr.String())
		}
	}
	if cuts < 100 || len(acked) < 100 {
		t.Fatalf("%d cuts and %d acknowledged ballots: the test did not exercise the store", cuts, len(acked))
	}
	t.Logf("%d power cuts (up to %d operations a round), %d ballots acknowledged in the last group all kept, %v", cuts, ops, len(acked), time.Since(start).Round(time.Millisecond))
}
