package layout

import (
	"bytes"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/election"
)

// An edition that publishes its counted trackers never gets choices on a
// receipt, even when it asks for them: tracker and choices together on
// paper would prove to anyone how the resident voted.
func TestNoChoicesWhenTrackersPublished(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-t20")
	for _, publish := range []bool{false, true} {
		ed := assets.MustDemoEdition()
		ed.ShowChoices, ed.PublishTrackers = true, publish
		r := Receipt{Edition: ed, Venue: ed.Venue("nck"), Tracker: "ABCD-EFGH-JKLM-NPQR", CastAt: time.Now(), Lang: "pl",
			Choices: []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "c01", Points: 3}}}}}
		doc, err := BuildReceipt(p, assets.MustMessages(), r)
		if err != nil {
			t.Fatal(err)
		}
		if shown := bytes.Contains(doc.Data, []byte("BO.OM.1/25")); shown == publish {
			t.Errorf("trackers published %v: choices printed %v", publish, shown)
		}
	}
}
