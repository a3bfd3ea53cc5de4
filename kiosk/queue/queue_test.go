package queue

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/election"
)

func ballot() election.Ballot {
	return election.Ballot{Edition: "e", District: "d1", Selections: []election.Selection{
		{Pool: "city", Choices: []election.Choice{{Project: "c1", Points: 3}, {Project: "c2", Points: 2}, {Project: "c3", Points: 1}}},
	}}
}

func voter(i int) election.VoterKey {
	return election.NewVoterKey([]byte("secret"), election.Identity{Kind: election.ByPESEL, Value: fmt.Sprint(i)})
}

func open(t *testing.T, path string) *Queue {
	t.Helper()
	q, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestAppendChainAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	q := open(t, path)
	if err := q.SetKioskID("k1"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 5 {
		s, err := q.Append(ballot(), voter(i), 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Seq != uint64(i+1) || s.Kiosk != "k1" {
			t.Fatalf("ballot %d sealed as %d by %q", i, s.Seq, s.Kiosk)
		}
		if i > 0 && s.Prev != ids[i-1] {
			t.Fatalf("ballot %d not chained", i)
		}
		if err := s.Verify(q.PublicKey()); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if _, err := q.Append(ballot(), voter(3), 1); !errors.Is(err, ErrAlreadyVoted) {
		t.Fatalf("second vote: %v, want ErrAlreadyVoted", err)
	}
	if seen, _ := q.Seen(voter(3)); !seen {
		t.Fatal("voter 3 not seen")
	}
	if err := q.Mark(Accepted, "", 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := q.Mark(Rejected, "duplicate", 3); err != nil {
		t.Fatal(err)
	}
	pending, _ := q.Pending(10)
	if len(pending) != 2 || pending[0].Seq != 4 {
		t.Fatalf("pending = %v", pending)
	}
	st, _ := q.Stats(time.Now().Add(-time.Hour))
	if st.Total != 5 || st.Pending != 2 || st.Accepted != 2 || st.Rejected != 1 || st.Today != 5 || st.LastSeq != 5 || st.Head != ids[4] {
		t.Fatalf("stats = %+v", st)
	}
	pub := q.PublicKey()
	q.Close()

	q = open(t, path)
	defer q.Close()
	if seq, head := q.Head(); seq != 5 || head != ids[4] {
		t.Fatalf("after reopen head = %d %s", seq, head)
	}
	if !pub.Equal(q.PublicKey()) || q.KioskID() != "k1" {
		t.Fatal("kiosk key or id changed across reopen")
	}
	// the voters seen are read back from the ballots
	if seen, _ := q.Seen(voter(2)); !seen {
		t.Fatal("voter 2 not seen after reopen")
	}
	if _, err := q.Append(ballot(), voter(2), 1); !errors.Is(err, ErrAlreadyVoted) {
		t.Fatalf("second vote after reopen: %v, want ErrAlreadyVoted", err)
	}
	if pending, _ := q.Pending(10); len(pending) != 2 || pending[0].Seq != 4 || pending[1].Seq != 5 {
		t.Fatalf("pending after reopen = %v", pending)
	}
	if err := q.Mark(Accepted, "", 4); err != nil {
		t.Fatal(err)
	}
	if pending, _ := q.Pending(10); len(pending) != 1 || pending[0].Seq != 5 {
		t.Fatalf("pending after marking 4 = %v", pending)
	}
	if err := q.Mark(Pending, "", 4); err == nil {
		t.Fatal("an answered ballot went back to pending")
	}
	s, err := q.Append(ballot(), voter(9), 1)
	if err != nil || s.Seq != 6 || s.Prev != ids[4] {
		t.Fatalf("append after reopen: %v %+v", err, s)
	}
	events, _ := q.Events()
	names := map[EventName]int{}
	for _, ev := range events {
		names[ev.Name]++
	}
	// sealed ballots are their own record: no event repeats them
	if names[EventVoteRefused] != 2 || names[EventQueueOpened] != 2 || names[EventBallotRejected] != 1 {
		t.Fatalf("audit = %v", names)
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	q := open(t, path)
	defer q.Close()
	// bbolt's flock is per open file description, so a second open in this
	// process contends like another process would.
	_, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

// tamper rewrites one stored ballot through bbolt directly.
func tamper(t *testing.T, path string, seq uint64, edit func(string) string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBallots)
		if edit == nil {
			return b.Delete(seqKey(seq))
		}
		return b.Put(seqKey(seq), []byte(edit(string(b.Get(seqKey(seq))))))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFindsBreaks(t *testing.T) {
	tests := map[string]struct {
		seq  uint64
		edit func(string) string
		want string
	}{
		"deleted ballot":  {seq: 3, want: "seq 3: missing"},
		"changed choice":  {seq: 2, edit: func(s string) string { return strings.Replace(s, `"c1"`, `"c9"`, 1) }, want: "seq 2: ballot signature"},
		"changed id":      {seq: 4, edit: func(s string) string { return strings.Replace(s, `"id":"`, `"id":"00`, 1) }, want: "seq 4"},
		"garbage":         {seq: 1, edit: func(string) string { return "{" }, want: "seq 1: unreadable"},
		"voter twice":     {seq: 4, edit: func(s string) string { return strings.Replace(s, voter(3).String(), voter(1).String(), 1) }, want: "seq 4: a second ballot of one voter"},
		"last one broken": {seq: 5, edit: func(s string) string { return strings.Replace(s, `"seq":5`, `"seq":6`, 1) }, want: "seq 5: stored under 5 but numbered 6"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			q := open(t, path)
			for i := range 5 {
				if _, err := q.Append(ballot(), voter(i), 1); err != nil {
					t.Fatal(err)
				}
			}
			q.Close()
			tamper(t, path, tc.seq, tc.edit)
			_, err := Open(path, Options{})
			var ce *ChainError
			if !errors.As(err, &ce) || !strings.Contains(ce.Error(), tc.want) || !errors.Is(err, boltfile.ErrDamaged) {
				t.Fatalf("open = %v, want a chain error with %q", err, tc.want)
			}
		})
	}
}

func TestNoPersonalDataInFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	q := open(t, path)
	pesel := "44051401359"
	key := election.NewVoterKey([]byte("edition secret"), election.Identity{Kind: election.ByPESEL, Value: pesel})
	if _, err := q.Append(ballot(), key, 1); err != nil {
		t.Fatal(err)
	}
	q.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), pesel) || strings.Contains(string(raw), "440514") {
		t.Fatal("the store holds the PESEL")
	}
}

// The crash test: a child process appends ballots in a loop and prints each
// sequence number Append returned; the parent kills it with SIGKILL at
// random moments, then checks the file.
const crashEnv = "URNA_QUEUE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	if dir := os.Getenv(powercutEnv); dir != "" {
		powercutChild(dir)
		return
	}
	os.Exit(m.Run())
}

func crashChild(path string) {
	q, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "open")
	out.Flush()
	for {
		var k election.VoterKey
		rand.Read(k[:])
		s, err := q.Append(ballot(), k, 1)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Fprintln(out, s.Seq)
		out.Flush()
	}
}

func TestCrashKill(t *testing.T) {
	kills := 200
	if testing.Short() {
		kills = 20
	}
	path := filepath.Join(t.TempDir(), "kiosk.db")
	reported := map[uint64]bool{}
	var maxSeq uint64
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan uint64, 1024)
		opened, scanned := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(lines)
			defer close(scanned)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == "open" {
					close(opened)
				} else if n, err := strconv.ParseUint(sc.Text(), 10, 64); err == nil {
					lines <- n
				}
			}
		}()
		// Kill at a random moment: one time in five during start-up and
		// verification, else in the middle of appends (counted from the
		// store being open, so that a slow start on a busy machine does
		// not turn every kill into one during start-up).
		d, _ := rand.Int(rand.Reader, big.NewInt(40))
		if i%5 != 0 {
			select {
			case <-opened:
			case <-scanned: // the child ended before opening: Wait says why
			}
		}
		time.Sleep(time.Duration(d.Int64()+2) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for n := range lines {
			reported[n] = true
			maxSeq = max(maxSeq, n)
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("kill %d: child ended on its own: %v %s", i, err, stderr.String())
		}

		q, err := Open(path, Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", i, err)
		}
		if err := q.Check(); err != nil {
			t.Fatalf("kill %d: bbolt check: %v", i, err)
		}
		seq, _ := q.Head()
		for n := range reported {
			if n > seq {
				t.Fatalf("kill %d: seq %d was reported committed but the chain ends at %d", i, n, seq)
			}
		}
		st, err := q.Stats(time.Time{})
		if err != nil || uint64(st.Total) != seq || st.Pending != st.Total {
			t.Fatalf("kill %d: stats %+v for head %d: %v", i, st, seq, err)
		}
		q.Close()
	}
	// Most kills land mid-append on an idle machine (about one ballot per
	// kill); a loaded one starts children slower, so ask for a quarter.
	if maxSeq < uint64(kills/4) {
		t.Fatalf("only %d ballots were appended across %d kills: the test did not exercise appends", maxSeq, kills)
	}
	t.Logf("%d kills, %d ballots reported committed, all present", kills, len(reported))
}
