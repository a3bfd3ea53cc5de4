package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

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
