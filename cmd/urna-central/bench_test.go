package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// BenchmarkOpenData exports 1,000,000 counted ballots of a bbolt store as
// open data (a shuffled Pabulib file per pool, the counted trackers), next
// to a plain scan of the same store in the same run (the floor: reading
// every ballot once). The export reads the store twice (the tally's
// choices, then the trackers) and writes 2,000,000 ballots (a city and a
// district pool each) with a file sync per pool.
func BenchmarkOpenData(b *testing.B) {
	const n = 1_000_000
	db := filepath.Join(b.TempDir(), "central.db")
	st, err := store.OpenBolt(db)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ed := openDataEdition()
	raw, _ := json.Marshal(ed)
	if err := st.PutCatalog(ctx, wire.Catalog{Version: 1, Edition: raw}); err != nil {
		b.Fatal(err)
	}
	city := permutations(idsIn(ed, "city"))
	districts := map[string][][]string{"d1": permutations(idsIn(ed, "d1")), "d2": permutations(idsIn(ed, "d2"))}
	sel := func(pool string, choice []string) election.Selection {
		s := election.Selection{Pool: pool}
		for j, id := range choice {
			s.Choices = append(s.Choices, election.Choice{Project: id, Points: 3 - j})
		}
		return s
	}
	batch := make([]wire.SealedBallot, 0, 10000)
	for i := range n {
		var vk election.VoterKey
		vk[0], vk[1], vk[2], vk[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		d := []string{"d1", "d2"}[i%2]
		batch = append(batch, wire.SealedBallot{ID: fmt.Sprintf("%064x", i*7919), Kiosk: fmt.Sprintf("k-%03d", i%180), Seq: uint64(i/180 + 1),
			CastAt: ed.Opens.Add(time.Duration(i) * time.Second), Edition: ed.ID, Catalog: 1, District: d, VoterKey: vk,
			Selections: []election.Selection{sel("city", city[i%len(city)]), sel(d, districts[d][(i/2)%len(districts[d])])}})
		if len(batch) == cap(batch) {
			if _, err := st.AddBallots(ctx, batch, nil, time.Now()); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	// the floor, best of a scan before and one after the export (this
	// machine's neighbours move single runs)
	scanned := 0
	plainScan := func() time.Duration {
		start := time.Now()
		scanned = 0
		st.Ballots(ctx, func(store.Stored) error { scanned++; return nil })
		if scanned != n {
			b.Fatalf("%d ballots scanned", scanned)
		}
		return time.Since(start)
	}
	scan := plainScan()
	var export time.Duration
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		if err := exportOpenData(ctx, st, "", dir); err != nil {
			b.Fatal(err)
		}
		export += time.Since(start)
	}
	scan = min(scan, plainScan())
	st.Close()
	per := export / time.Duration(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(per.Seconds(), "export-s")
	b.ReportMetric(scan.Seconds(), "scan-s")
	b.ReportMetric(per.Seconds()/scan.Seconds(), "ratio-to-scan")
	b.ReportMetric(float64(scanned), "ballots")
}

func idsIn(ed *election.Edition, pool string) []string {
	var out []string
	for _, p := range ed.ProjectsIn(pool) {
		out = append(out, p.ID)
	}
	return out
}
