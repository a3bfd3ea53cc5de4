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
	fmt.Fprintln(out, "ok")
	out.Flush()
	if os.Getenv("URNA_POWERCUT_VERIFY") != "" {
		q.Close()
		return
	}
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
// survives, and the store always opens. On the main of 2026-12-01 the
// store itself vanished: bbolt never fsyncs the folder it creates kiosk.db in.
func TestPowerCut(t *testing.T) {
	res := powercut.Scenario{Cuts: 100, Step: 7, Child: func(mnt string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), powercutEnv+"="+mnt)
		return cmd
	}}.Run(t)
	if res.Acked < 100 {
		t.Fatalf("%d acknowledged ballots: the test did not exercise appends", res.Acked)
	}
	t.Logf("%d power cuts (up to %d operations a round), %d acknowledged ballots all kept, %v", res.Cuts, res.MaxOps, res.Acked, res.Took.Round(time.Millisecond))
}
