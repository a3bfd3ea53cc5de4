package store

import (
	"reflect"
	"testing"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func TestChoicesEncoding(t *testing.T) {
	b := wire.SealedBallot{Edition: "krakow-2025", District: "d16", Selections: []election.Selection{
		{Pool: "city", Choices: []election.Choice{{Project: "c01", Points: 3}, {Project: "c07", Points: 1}}},
		{Pool: "d16", Choices: []election.Choice{{Project: "żółw-1", Points: 0}}}}}
	ed, d, sels, err := decodeChoices(encodeChoices(&b), interner{})
	if err != nil || ed != b.Edition || d != b.District || !reflect.DeepEqual(sels, b.Selections) {
		t.Fatalf("%q %q %+v %v", ed, d, sels, err)
	}
	if _, _, _, err := decodeChoices([]byte{5, 'a'}, nil); err == nil {
		t.Fatal("a truncated entry decoded")
	}
}
