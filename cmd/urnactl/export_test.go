package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestExportBallotsBrokenChain: a kiosk with one edited ballot exports the
// other 29 of its 30 for the USB rescue (today's main exports none).
func TestExportBallotsBrokenChain(t *testing.T) {
	data := t.TempDir()
	q, err := openQueue(data)
	if err != nil {
		t.Fatal(err)
	}
	b := election.Ballot{Edition: "e", District: "d1", Selections: []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "p1", Points: 3}}}}}
	for i := range 30 {
		if _, err := q.Append(b, election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByCode, Value: fmt.Sprint(i)}), 1); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()
	db, err := bolt.Open(filepath.Join(data, "kiosk.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		bk, k := tx.Bucket([]byte("ballots")), binary.BigEndian.AppendUint64(nil, 13)
		return bk.Put(k, []byte(strings.Replace(string(bk.Get(k)), `"p1"`, `"p2"`, 1)))
	})
	db.Close()
	if _, err := openQueue(data); err == nil {
		t.Fatal("the edited chain opened")
	}
	usb := filepath.Join(t.TempDir(), "ballots.jsonl")
	if err := cmdExportBallots([]string{"--data", data, "--out", usb}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(usb)
	if n := strings.Count(string(raw), "\n"); n != 29 {
		t.Fatalf("%d ballots exported, want 29", n)
	}
	if strings.Contains(string(raw), `"seq":13,`) {
		t.Fatal("the edited ballot was exported")
	}
}

// TestSalvageCommand: a kiosk.db with damaged branch pages does not open;
// urnactl salvage --replace puts a store with all 30 ballots in its place.
func TestSalvageCommand(t *testing.T) {
	data := t.TempDir()
	q, err := openQueue(data)
	if err != nil {
		t.Fatal(err)
	}
	b := election.Ballot{Edition: "e", District: "d1", Selections: []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "p1", Points: 3}}}}}
	for i := range 30 {
		if _, err := q.Append(b, election.NewVoterKey([]byte("s"), election.Identity{Kind: election.ByCode, Value: fmt.Sprint(i)}), 1); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()
	path := filepath.Join(data, "kiosk.db")
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	flag := make([]byte, 1)
	for p := int64(2); p < 64; p++ {
		f.ReadAt(flag, p*4096+8)
		if flag[0] == 0x01 { // a branch page
			f.WriteAt([]byte{0x07}, p*4096+8)
		}
	}
	f.Close()
	if _, err := openQueue(data); !errors.Is(err, boltfile.ErrDamaged) {
		t.Fatalf("the damaged store: %v", err)
	}
	if err := cmdSalvage([]string{"--data", data, "--replace"}); err != nil {
		t.Fatal(err)
	}
	q, err = openQueue(data)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if st, _ := q.Stats(time.Time{}); st.Total != 30 {
		t.Fatalf("%d ballots after salvage", st.Total)
	}
	if left, _ := filepath.Glob(filepath.Join(data, "kiosk.db.damaged-*")); len(left) != 1 {
		t.Fatalf("the damaged store was not kept aside: %v", left)
	}
}
