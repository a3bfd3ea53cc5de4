package ui

import (
	"image/color"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

var colorBlack color.Color = color.Black

// asBallot turns a sealed ballot back into the resident's ballot.
func asBallot(s wire.SealedBallot) election.Ballot {
	return election.Ballot{Edition: s.Edition, District: s.District, Selections: s.Selections}
}
