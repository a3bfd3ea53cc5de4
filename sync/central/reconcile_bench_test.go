package central_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// BenchmarkReconcile reconciles 180 voting points holding 100,000 ballots
// in the bbolt store, and reports the time next to a plain scan of the
// same store (every stored ballot read once) in the same run: the
// reconciliation reads each kiosk's chain once, so its goal is a ratio ≤ 2.
func BenchmarkReconcile(b *testing.B) {
	const points, ballots = 180, 100_000
	ctx := context.Background()
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	pub, key, _ := ed25519.GenerateKey(nil)
	t0 := time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)
	for p := range points {
		id := fmt.Sprintf("k-%03d", p)
		st.AddKiosk(ctx, store.Kiosk{ID: id, Venue: "nck", PublicKey: pub, Enrolled: t0})
		n := ballots / points
		if p < ballots%points {
			n++
		}
		var bs []wire.SealedBallot
		prev := ""
		for i := range n {
			bl := wire.SealedBallot{Kiosk: id, Seq: uint64(i + 1), Prev: prev, CastAt: t0.Add(time.Duration(i) * time.Second), Edition: "e",
				Catalog: 1, District: "d1", VoterKey: election.VoterKey(sha256.Sum256(fmt.Appendf(nil, "%s/%d", id, i))),
				Selections: []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "c1", Points: 3}}}}}
			bl.Seal(key)
			bs = append(bs, bl)
			prev = bl.ID
		}
		for i := 0; i < len(bs); i += wire.MaxBatch {
			if _, err := st.AddBallots(ctx, bs[i:min(i+wire.MaxBatch, len(bs))], nil, t0); err != nil {
				b.Fatal(err)
			}
		}
		if p%3 != 0 { // a third of the points have not reported
			last := bs[len(bs)-1]
			st.PutClosing(ctx, wire.ClosingReport{ClosingReport: election.ClosingReport{Kiosk: id, Ballots: n, LastSeq: last.Seq, Head: last.ID},
				Edition: "e", ClosedAt: t0.Add(12 * time.Hour)}, t0)
		}
	}
	b.ResetTimer()
	var scan, rec time.Duration
	for range b.N {
		start := time.Now()
		seen := 0
		if err := st.Ballots(ctx, func(store.Stored) error { seen++; return nil }); err != nil || seen != ballots {
			b.Fatalf("scan: %d %v", seen, err)
		}
		scan += time.Since(start)
		start = time.Now()
		ps, err := central.Reconcile(ctx, st)
		rec += time.Since(start)
		if err != nil || len(ps) != points {
			b.Fatalf("reconcile: %d points, %v", len(ps), err)
		}
		reconciled := 0
		for _, p := range ps {
			if p.State == election.Reconciled {
				reconciled++
			}
		}
		if reconciled != points-points/3 {
			b.Fatalf("%d reconciled", reconciled)
		}
	}
	b.ReportMetric(rec.Seconds()*1000/float64(b.N), "reconcile-ms")
	b.ReportMetric(scan.Seconds()*1000/float64(b.N), "scan-ms")
	b.ReportMetric(float64(rec)/float64(scan), "ratio-to-scan")
}
