package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// verifyRate is how many ed25519 signatures this machine checks per second
// on all its cores: the physical limit of ingest.
func verifyRate(b *testing.B, bs []wire.SealedBallot, pub ed25519.PublicKey) float64 {
	start := time.Now()
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(bs); i += n {
				if bs[i].Verify(pub) != nil {
					b.Error("bad signature")
				}
			}
		}()
	}
	wg.Wait()
	return float64(len(bs)) / time.Since(start).Seconds()
}

// BenchmarkIngest posts batches of 500 signed ballots over HTTP from four
// kiosks at once to the central and reports ballots/s next to the ed25519
// verification rate on all cores, measured in the same run. Both take the
// best of three runs (this VM's neighbours move single runs by ±15 %);
// each ingest run starts from an empty store. Goals: ratio ≥ 0.5 (bbolt),
// ≥ 0.3 (PostgreSQL).
func BenchmarkIngest(b *testing.B) {
	const kiosks, per, runs = 4, 2500, 3
	for _, kind := range []string{"bolt", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			open := func() store.Store {
				var st store.Store
				var err error
				if kind == "bolt" {
					st, err = store.OpenBolt(filepath.Join(b.TempDir(), "c.db"))
				} else {
					st, err = store.OpenPostgres(context.Background(), pgtest.DSN(b))
				}
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { st.Close() })
				return st
			}
			// The kiosks enroll once and cast their ballots; each run then
			// knows them at a fresh central.
			r := newRig(b, open())
			type load struct {
				k      *kiosk
				bs     []wire.SealedBallot
				bodies [][]byte
			}
			var loads []load
			for i := range kiosks {
				k := r.kiosk("")
				for j := range per {
					k.vote(b, r.ed, 100000+i*per+j)
				}
				bs, _ := k.q.Ballots()
				l := load{k: k, bs: bs}
				for i := 0; i < len(bs); i += wire.MaxBatch {
					raw, _ := json.Marshal(wire.BallotBatch{Ballots: bs[i:min(i+wire.MaxBatch, len(bs))]})
					l.bodies = append(l.bodies, raw)
				}
				loads = append(loads, l)
			}
			ingest := func() float64 {
				st := open()
				run := newRig(b, st)
				for _, l := range loads {
					if err := st.AddKiosk(context.Background(), store.Kiosk{ID: l.k.q.KioskID(), Venue: "nck",
						PublicKey: l.k.q.PublicKey(), Enrolled: time.Now()}); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				var wg sync.WaitGroup
				for _, l := range loads {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for _, body := range l.bodies {
							req, _ := http.NewRequest(http.MethodPost, run.http.URL+wire.PathBallots, bytes.NewReader(body))
							wire.SignRequest(req, l.k.q.KioskID(), l.k.q.Sign, body, time.Now())
							resp, err := http.DefaultClient.Do(req)
							if err != nil || resp.StatusCode != http.StatusOK {
								b.Errorf("%v %v", err, resp.Status)
								return
							}
							resp.Body.Close()
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				if total, counted, _ := st.Counts(context.Background()); total != kiosks*per || counted != kiosks*per {
					b.Fatalf("stored %d, counted %d", total, counted)
				}
				return float64(kiosks*per) / elapsed.Seconds()
			}
			rate, verify := 0.0, 0.0
			for b.Loop() {
				for range runs {
					rate = max(rate, ingest())
					verify = max(verify, verifyRate(b, loads[0].bs, loads[0].k.q.PublicKey()))
				}
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(rate, "ballots/s")
			b.ReportMetric(verify, "ed25519-verify/s")
			b.ReportMetric(rate/verify, "ratio")
		})
	}
}

// BenchmarkCatchUp syncs 10,000 ballots queued at one kiosk (after a day
// offline) to a central on loopback. Goal ≤ 3 s.
func BenchmarkCatchUp(b *testing.B) {
	const n = 10000
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		st, err := store.OpenBolt(filepath.Join(b.TempDir(), "c.db"))
		if err != nil {
			b.Fatal(err)
		}
		r := newRig(b, st)
		k := r.kiosk("")
		ballots := make([]election.Ballot, 1)
		ballots[0] = ballot(r.ed)
		for i := range n {
			if _, err := k.q.Append(ballots[0], election.VoterKey{byte(i), byte(i >> 8), byte(i >> 16), 1}, 1); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		got, err := k.a.SyncOnce(context.Background())
		total += time.Since(start)
		b.StopTimer()
		if err != nil || got != n {
			b.Fatalf("synced %d: %v", got, err)
		}
		if s, _ := k.q.Stats(time.Time{}); s.Pending != 0 {
			b.Fatalf("%d pending", s.Pending)
		}
		st.Close()
		b.StartTimer()
	}
	secs := total.Seconds() / float64(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(secs, "s-for-10k")
	b.ReportMetric(secs/3, "ratio-to-3s-goal")
}

// BenchmarkTally tallies 1,000,000 counted ballots in a bbolt store, next
// to a plain scan of the same store in the same run (the floor: reading
// every ballot once). Goal: ≤ 1 s.
func BenchmarkTally(b *testing.B) {
	const n = 1_000_000
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := newRig(b, st)
	ed := r.ed
	city, d18 := ed.ProjectsIn("city"), ed.ProjectsIn("d18")
	batch := make([]wire.SealedBallot, 0, 10000)
	for i := range n {
		var vk election.VoterKey
		vk[0], vk[1], vk[2], vk[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		sel := func(ps []election.Project, pool string) election.Selection {
			return election.Selection{Pool: pool, Choices: []election.Choice{
				{Project: ps[i%len(ps)].ID, Points: 3}, {Project: ps[(i+1)%len(ps)].ID, Points: 2}, {Project: ps[(i+2)%len(ps)].ID, Points: 1}}}
		}
		batch = append(batch, wire.SealedBallot{ID: fmt.Sprintf("%064x", i), Kiosk: "k", Seq: uint64(i + 1), CastAt: ed.Opens.Add(time.Duration(i) * time.Second),
			Edition: ed.ID, District: "d18", VoterKey: vk, Selections: []election.Selection{sel(city, "city"), sel(d18, "d18")}})
		if len(batch) == cap(batch) {
			if _, err := st.AddBallots(context.Background(), batch, nil, time.Now()); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	start := time.Now()
	scanned := 0
	st.Ballots(context.Background(), func(store.Stored) error { scanned++; return nil })
	scan := time.Since(start)
	var tally time.Duration
	for b.Loop() {
		start := time.Now()
		_, rs, err := central.Results(context.Background(), st, "")
		if err != nil {
			b.Fatal(err)
		}
		tally += time.Since(start)
		if rs[0].Voters != n {
			b.Fatalf("%d voters", rs[0].Voters)
		}
	}
	per := tally / time.Duration(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(per.Seconds(), "tally-s")
	b.ReportMetric(scan.Seconds(), "scan-s")
	b.ReportMetric(per.Seconds()/scan.Seconds(), "ratio-to-scan")
	b.ReportMetric(float64(scanned), "ballots")
}

// BenchmarkAuditRecount runs the audit (every signature verified, the
// de-duplication re-run, the recount compared with the fast tally) over
// 1,000,000 signed ballots of 20 kiosks in a bbolt store, next to
// 1,000,000 ballot verifications spread over every core in the same run:
// the floor. Goal: ratio ≤ 1.3. On a shared VM at load 13–22 on two
// cores the best of two gave 211 s against a floor of 230 s (0.92): under
// such load the audit's extra scanning thread wins it a larger share of
// the CPU, so a quiet machine should show a ratio a little above 1.
func BenchmarkAuditRecount(b *testing.B) {
	const n, kiosks = 1_000_000, 20
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := newRig(b, st)
	ed := r.ed
	city, d18 := ed.ProjectsIn("city"), ed.ProjectsIn("d18")
	ctx := context.Background()
	keys := make([]ed25519.PrivateKey, kiosks)
	for k := range kiosks {
		pub, priv, _ := ed25519.GenerateKey(nil)
		keys[k] = priv
		if err := st.AddKiosk(ctx, store.Kiosk{ID: fmt.Sprint("k", k), Venue: "nck", PublicKey: pub, Enrolled: ed.Opens}); err != nil {
			b.Fatal(err)
		}
	}
	// sign on every core, store in batches of 10,000 (one kiosk's run each)
	all := make([]wire.SealedBallot, n)
	per := n / kiosks
	var wg sync.WaitGroup
	for k := range kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := ""
			for j := range per {
				i := k*per + j
				var vk election.VoterKey
				vk[0], vk[1], vk[2], vk[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
				sel := func(ps []election.Project, pool string) election.Selection {
					return election.Selection{Pool: pool, Choices: []election.Choice{
						{Project: ps[i%len(ps)].ID, Points: 3}, {Project: ps[(i+1)%len(ps)].ID, Points: 2}, {Project: ps[(i+2)%len(ps)].ID, Points: 1}}}
				}
				bal := wire.SealedBallot{Kiosk: fmt.Sprint("k", k), Seq: uint64(j + 1), Prev: prev, CastAt: ed.Opens.Add(time.Duration(j) * time.Second),
					Edition: ed.ID, Catalog: ed.Version, District: "d18", VoterKey: vk, Selections: []election.Selection{sel(city, "city"), sel(d18, "d18")}}
				bal.Seal(keys[k])
				all[i] = bal
				prev = bal.ID
			}
		}()
	}
	wg.Wait()
	for i := 0; i < n; i += 10000 {
		if _, err := st.AddBallots(ctx, all[i:i+10000], nil, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	pubs := map[string]ed25519.PublicKey{}
	for k := range kiosks {
		pubs[fmt.Sprint("k", k)] = keys[k].Public().(ed25519.PublicKey)
	}
	floor := func() time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		w := runtime.GOMAXPROCS(0)
		for x := range w {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := x; i < n; i += w {
					if all[i].Verify(pubs[all[i].Kiosk]) != nil {
						b.Error("bad signature")
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	// the best of two of each, interleaved: this VM's neighbours move
	// single runs by a third
	var auditT, floorT time.Duration
	for b.Loop() {
		for range 2 {
			f := floor()
			start := time.Now()
			a, err := central.RunAudit(ctx, st, time.Now())
			d := time.Since(start)
			if err != nil || !a.Agrees || a.Verified != n || a.Voters != n {
				b.Fatalf("audit: %v %v", a, err)
			}
			if floorT == 0 || f < floorT {
				floorT = f
			}
			if auditT == 0 || d < auditT {
				auditT = d
			}
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(auditT.Seconds(), "audit-s")
	b.ReportMetric(floorT.Seconds(), "verify-floor-s")
	b.ReportMetric(auditT.Seconds()/floorT.Seconds(), "ratio")
}
