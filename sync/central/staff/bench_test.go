package staff_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// BenchmarkSubmissionWindow is Kraków's submission window compressed in
// time, on loopback and the bbolt store: 1,200 proposals, 60 % of them in
// the last tenth of the run, with status checks and list views meanwhile,
// 50 clients at once. Each page's p99 is reported next to the p99 of a
// static page the same server serves in the same run (the ratio is what
// the page costs over the server's and the network's own floor).
func BenchmarkSubmissionWindow(b *testing.B) {
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "central.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	desk := proposals.New(proposals.Config{Store: st, Clock: func() time.Time { return now }, PerAddress: 1 << 30, StatusPerAddress: 1 << 30,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	mux := http.NewServeMux()
	(&public.Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	static := []byte(strings.Repeat("<p>Budżet Obywatelski</p>\n", 200))
	mux.HandleFunc("GET /static", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(static)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	const total, clients = 1200, 50
	type job struct{ kind string }
	// the run's jobs in order: 40 % of the submissions spread over the
	// first nine tenths, 60 % in the last tenth; a status check, a list
	// view and a static page alongside every second submission
	var jobs []job
	early, late := total*40/100, total*60/100
	for i := range 10 {
		n := early / 9
		if i < early%9 {
			n++
		}
		if i == 9 {
			n = late
		}
		for j := range n {
			jobs = append(jobs, job{"submit"})
			if j%2 == 0 {
				jobs = append(jobs, job{"status"}, job{"list"}, job{"static"})
			}
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	trackerRE := regexp.MustCompile(`id="tracker">([A-Z0-9-]+)<`)
	secretRE := regexp.MustCompile(`id="secret">([A-Z0-9-]+)<`)
	b.ResetTimer()
	for range b.N {
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		var receipts [][2]string
		ch := make(chan job)
		var wg sync.WaitGroup
		var failed error
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := 0
				for j := range ch {
					n++
					var req *http.Request
					switch j.kind {
					case "submit":
						form := url.Values{"pool": {fmt.Sprintf("d%02d", 1+(c+n)%18)}, "title": {fmt.Sprintf("Projekt %d-%d: ławki i zieleń", c, n)},
							"summary": {strings.Repeat("Krótki opis projektu. ", 10)}, "description": {strings.Repeat("Szczegółowy opis. ", 100)},
							"location": {"ul. Długa 1"}, "category": {"green"}, "cost": {"150 000"}, "contact": {"kontakt@example.pl"}}
						req, _ = http.NewRequest(http.MethodPost, srv.URL+"/proposals/new", strings.NewReader(form.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.Header.Set("Origin", srv.URL)
					case "status":
						mu.Lock()
						var r [2]string
						if len(receipts) > 0 {
							r = receipts[(c*7+n)%len(receipts)]
						}
						mu.Unlock()
						form := url.Values{"tracker": {r[0]}, "secret": {r[1]}}
						req, _ = http.NewRequest(http.MethodPost, srv.URL+"/proposals/status", strings.NewReader(form.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.Header.Set("Origin", srv.URL)
					case "list":
						q := ""
						if n%3 != 0 {
							q = fmt.Sprintf("?d=d%02d", 1+n%18)
						}
						req, _ = http.NewRequest(http.MethodGet, srv.URL+"/proposals"+q, nil)
					case "static":
						req, _ = http.NewRequest(http.MethodGet, srv.URL+"/static", nil)
					}
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						mu.Lock()
						failed = err
						mu.Unlock()
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					d := time.Since(t0)
					mu.Lock()
					lat[j.kind] = append(lat[j.kind], d)
					if j.kind == "submit" {
						tm, sm := trackerRE.FindSubmatch(body), secretRE.FindSubmatch(body)
						if tm == nil || sm == nil {
							failed = fmt.Errorf("submit answered %d", resp.StatusCode)
						} else {
							receipts = append(receipts, [2]string{string(tm[1]), string(sm[1])})
						}
					}
					mu.Unlock()
				}
			}()
		}
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
		if failed != nil {
			b.Fatal(failed)
		}
		p99 := func(ds []time.Duration) float64 {
			slices.Sort(ds)
			return float64(ds[len(ds)*99/100].Microseconds()) / 1000
		}
		floor := p99(lat["static"])
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(len(receipts)), "proposals")
		b.ReportMetric(floor, "static-p99-ms")
		for _, k := range []string{"submit", "status", "list"} {
			v := p99(lat[k])
			b.ReportMetric(v, k+"-p99-ms")
			b.ReportMetric(v/floor, k+"-p99/static")
		}
	}
}
