package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// storedRoundTrip checks that appendStored decodes to what json.Marshal
// of the same Stored decodes to.
func storedRoundTrip(t *testing.T, b wire.SealedBallot, received time.Time) {
	t.Helper()
	want, werr := json.Marshal(Stored{Ballot: b, Received: received})
	got, gerr := appendStored([]byte("prefix"), &b, received)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("errors differ: encoding/json %v, appendStored %v", werr, gerr)
	}
	if werr != nil {
		return
	}
	if string(got[:6]) != "prefix" {
		t.Fatal("prefix lost")
	}
	var a, z Stored
	if err := json.Unmarshal(got[6:], &a); err != nil {
		t.Fatalf("%v in %s", err, got[6:])
	}
	if err := json.Unmarshal(want, &z); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, z) {
		t.Fatalf("decoded differently:\n%s\n%s", got[6:], want)
	}
	// the fast decoder reads the same, or leaves it to encoding/json
	d := storedDecoder{in: interner{}}
	var f Stored
	if d.decode(got[6:], &f) && !reflect.DeepEqual(f, z) {
		t.Fatalf("the fast decoder read differently:\n%+v\n%+v", f, z)
	}
}

// The fast decoder takes what the central writes (no fallback) for plain ballots.
func TestStoredDecoderTakesPlainBallots(t *testing.T) {
	at := time.Date(2026, 5, 12, 10, 30, 15, 123000000, time.UTC)
	b := wire.SealedBallot{ID: "ab12", Kiosk: "k-1", Seq: 7, Prev: "ff", CastAt: at, Edition: "krakow-2025", Catalog: 3,
		District: "d18", VoterKey: election.VoterKey{1, 2, 3}, Sig: []byte{0, 1, 2, 250},
		Selections: []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "p1", Points: 3}}}, {Pool: "d18"}}}
	raw, _ := appendStored(nil, &b, at)
	d := storedDecoder{in: interner{}}
	var st Stored
	if !d.decode(raw, &st) || !reflect.DeepEqual(st.Ballot, b) || !st.Received.Equal(at) {
		t.Fatalf("decoded %+v", st)
	}
}

func TestAppendStored(t *testing.T) {
	at := time.Date(2026, 5, 12, 10, 30, 15, 123000000, time.UTC)
	full := wire.SealedBallot{ID: "ab12", Kiosk: "k-1", Seq: 7, Prev: "ff", CastAt: at, Edition: "krakow-2025", Catalog: 3,
		District: "d18", VoterKey: election.VoterKey{1, 2, 3}, Sig: []byte{0, 1, 2, 250},
		Selections: []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "p1", Points: 3}, {Project: "p2"}}}, {Pool: "d18"}}}
	storedRoundTrip(t, full, at.Add(time.Second))
	storedRoundTrip(t, wire.SealedBallot{}, time.Time{})
	odd := full
	odd.Kiosk = "quote\" back\\slash \n\t\x01 <&> zażółć Київ \xff\xfe end \u2028"
	odd.Selections = []election.Selection{{Pool: "", Choices: []election.Choice{}}}
	storedRoundTrip(t, odd, at.In(time.FixedZone("CEST", 2*3600)))
	far := full
	far.CastAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	storedRoundTrip(t, far, at)
}

func FuzzAppendStored(f *testing.F) {
	f.Add("k-1", "ab", "d18", "p1", int64(1), 3, []byte{1, 2})
	f.Add("\"\\\x00", "\xff", "ż", "Київ", int64(-62135596800), -1, []byte(nil))
	f.Fuzz(func(t *testing.T, kiosk, prev, district, project string, unix int64, points int, sig []byte) {
		b := wire.SealedBallot{ID: prev + kiosk, Kiosk: kiosk, Prev: prev, CastAt: time.Unix(unix, 0).UTC(), District: district, Sig: sig,
			Selections: []election.Selection{{Pool: district, Choices: []election.Choice{{Project: project, Points: points}}}}}
		storedRoundTrip(t, b, time.Unix(unix/2, 0).UTC())
	})
}
