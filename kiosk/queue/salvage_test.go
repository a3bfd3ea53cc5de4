package queue

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSalvage copies what can be read and verified from damaged copies of a
// kiosk's store into a new one and reports what was lost.
func TestSalvage(t *testing.T) {
	path := storeWith30(t)
	q := open(t, path)
	pub := q.PublicKey()
	q.Mark(Accepted, "", 1, 2, 3)
	q.SetSetting("enrollment", "central")
	q.Close()
	raw, _ := os.ReadFile(path)
	// the pages holding ballots: found by their JSON
	var ballotPages []int
	for p := 2; p*4096 < min(len(raw), 256<<10); p++ {
		if bytes.Contains(raw[p*4096:(p+1)*4096], []byte(`{"id":`)) {
			ballotPages = append(ballotPages, p)
		}
	}
	if len(ballotPages) < 3 {
		t.Fatalf("ballots on %d pages", len(ballotPages))
	}
	for name, c := range map[string]struct {
		edit      func([]byte) []byte
		recovered int
	}{
		// every page with ballots is readable; the branch pages above them are not
		"branch pages damaged": {func(b []byte) []byte {
			n := 0
			for p := 2; p < 64; p++ {
				if b[p*4096+8] == 0x01 { // a branch page
					b[p*4096+8], n = 0x07, n+1
				}
			}
			if n == 0 {
				t.Fatal("no branch page")
			}
			return b
		}, 30},
		"one ballot page unreadable": {func(b []byte) []byte {
			clear(b[ballotPages[1]*4096 : (ballotPages[1]+1)*4096])
			return b
		}, -1},
		"truncated": {func(b []byte) []byte { return b[:ballotPages[2]*4096] }, -1},
		"one ballot edited": {func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"c1"`))
			b[i+2] = '9'
			return b
		}, 29},
	} {
		t.Run(name, func(t *testing.T) {
			from := damagedCopy(t, path, 256<<10, c.edit)
			to := filepath.Join(t.TempDir(), "kiosk.db")
			rep, err := Salvage(from, to, pub)
			if err != nil {
				t.Fatal(err)
			}
			if c.recovered >= 0 && rep.Recovered != c.recovered || c.recovered < 0 && rep.Recovered >= 30 {
				t.Fatalf("recovered %d, want %d: %+v", rep.Recovered, c.recovered, rep)
			}
			if rep.Recovered+len(rep.Missing) != int(max(rep.Highest, rep.Known)) || rep.Recovered == 0 || rep.Recovered == 30 && len(rep.Missing) > 0 {
				t.Fatalf("report does not add up: %+v", rep)
			}
			bs, breaks, err := Rescue(to, time.Second)
			if err != nil || len(bs) != rep.Recovered {
				t.Fatalf("the salvaged store: %d ballots, %v", len(bs), err)
			}
			if len(rep.Missing) > 0 && len(breaks) == 0 && rep.Known <= rep.Highest {
				t.Fatal("missing ballots but no break in the salvaged chain")
			}
			if rep.KeyLost {
				if _, err := Open(to, Options{}); !errors.Is(err, ErrSalvagedWithoutKey) {
					t.Fatalf("a store salvaged without its key opened: %v", err)
				}
				if _, err := Salvage(from, filepath.Join(t.TempDir(), "x.db"), nil); !errors.Is(err, ErrKeyLost) {
					t.Fatalf("salvage without the key and without the public key: %v", err)
				}
			}
			if len(rep.Missing) > 0 || rep.KeyLost {
				return
			}
			s, err := Open(to, Options{})
			if err != nil {
				t.Fatalf("a whole salvaged chain does not open: %v", err)
			}
			defer s.Close()
			st, _ := s.Stats(time.Time{})
			v, _ := s.Setting("enrollment")
			if !s.PublicKey().Equal(pub) || s.KioskID() != "k1" || v != "central" || st.Total != 30 {
				t.Fatalf("salvaged store: kiosk %q, setting %q, stats %+v", s.KioskID(), v, st)
			}
			events, _ := s.Events()
			if len(events) == 0 || !strings.Contains(string(events[len(events)-2].Name), "salvaged") {
				t.Fatalf("no salvage in the audit log: %v", events)
			}
		})
	}
	if _, err := Salvage(path, path, nil); err == nil {
		t.Fatal("salvage over an existing file")
	}
}

// TestSalvageKeepsTheHighestNumber: every page with ballots is lost. The
// salvage names all 30 numbers as lost (known from the audit log), and the
// new store refuses to take ballots: numbered from 1 again, they would be
// second, different ballots under numbers the central holds.
func TestSalvageKeepsTheHighestNumber(t *testing.T) {
	path := storeWith30(t)
	q := open(t, path)
	pub := q.PublicKey()
	q.Close()
	from := damagedCopy(t, path, 256<<10, func(b []byte) []byte {
		for p := 2; (p+1)*4096 <= len(b); p++ {
			if bytes.Contains(b[p*4096:(p+1)*4096], []byte(`{"id":`)) {
				clear(b[p*4096 : (p+1)*4096])
			}
		}
		return b
	})
	to := filepath.Join(t.TempDir(), "kiosk.db")
	rep, err := Salvage(from, to, pub)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recovered != 0 || len(rep.Missing) != 30 || rep.Known != 30 {
		t.Fatalf("recovered %d, missing %d, known %d: %+v", rep.Recovered, len(rep.Missing), rep.Known, rep)
	}
	if s, err := Open(to, Options{}); !errors.Is(err, ErrSalvagedLost) {
		if err == nil {
			b, _ := s.Append(ballot(), voter(999), 1)
			s.Close()
			t.Fatalf("the salvaged store takes a new ballot numbered %d", b.Seq)
		}
		t.Fatalf("open: %v", err)
	}
}

// TestSalvageNamesLostRecords: the pages with the kiosk's enrollment and
// catalog are lost; the salvage names each kind of record it could not
// recover instead of dropping them silently.
func TestSalvageNamesLostRecords(t *testing.T) {
	path := storeWith30(t)
	q := open(t, path)
	pub := q.PublicKey()
	q.SetSetting("enrollment", "enrollment-record-0123456789")
	q.SetSetting("catalog", `{"version":1,"catalog-record":true}`)
	q.Close()
	whole, err := Salvage(path, filepath.Join(t.TempDir(), "kiosk.db"), pub)
	if err != nil || len(whole.RecordsLost) != 0 {
		t.Fatalf("an undamaged store: lost %v, %v", whole.RecordsLost, err)
	}
	from := damagedCopy(t, path, 256<<10, func(b []byte) []byte {
		for p := 2; (p+1)*4096 <= len(b); p++ {
			if bytes.Contains(b[p*4096:(p+1)*4096], []byte("enrollment-record-0123456789")) ||
				bytes.Contains(b[p*4096:(p+1)*4096], []byte("catalog-record")) {
				clear(b[p*4096 : (p+1)*4096])
			}
		}
		return b
	})
	rep, err := Salvage(from, filepath.Join(t.TempDir(), "kiosk.db"), pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"enrollment", "catalog"} {
		if !slices.Contains(rep.RecordsLost, kind) {
			t.Errorf("the %s was lost and the report does not say so: %+v", kind, rep)
		}
	}
}
