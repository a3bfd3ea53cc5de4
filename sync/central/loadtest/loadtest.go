// Package loadtest drives a central with a simulated fleet at human pace:
// kiosks seeded straight into the store, each sending a heartbeat every
// 30 s, a ballot now and then at a busy day's rate and a catalog check;
// residents looking up their receipts on the check page; a few city staff
// on the dashboard. It measures each endpoint's latency and the ballots
// stored per second, and reads processes' CPU time from /proc.
package loadtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// The human pace the simulation keeps, per kiosk and per person.
const (
	HeartbeatEvery = 30 * time.Second // as the agent sends them
	CatalogEvery   = 5 * time.Minute  // a kiosk asks for a newer catalog
	// BallotEvery is a busy day at a voting point: a resident every three
	// minutes at each kiosk, all day (Kraków's busiest points).
	BallotEvery = 3 * time.Minute
	// ChecksPerSecond is residents looking up a receipt, fleet-wide per
	// 1,000 kiosks.
	ChecksPerSecond = 0.5
	// DashboardUsers each load the fleet page every DashboardEvery.
	DashboardUsers = 3
	DashboardEvery = 10 * time.Second
)

// Endpoints, in the order reports list them.
var Endpoints = []string{"heartbeat", "ballots", "catalog", "check", "dashboard"}

// Kiosk is a simulated kiosk: its key and its chain so far.
type Kiosk struct {
	ID    string
	Venue string
	key   ed25519.PrivateKey
	mu    sync.Mutex
	seq   uint64
	prev  string
	last  time.Time // when its last ballot was cast
	track []string  // trackers of its stored ballots
}

// Seed adds n kiosks to the store, spread over the edition's venues, each
// with its own key, as enrollment would leave them.
func Seed(ctx context.Context, st store.Store, ed *election.Edition, from, n int) ([]*Kiosk, error) {
	out := make([]*Kiosk, 0, n)
	now := time.Now()
	for i := from; i < from+n; i++ {
		pub, key, _ := ed25519.GenerateKey(nil)
		k := &Kiosk{ID: fmt.Sprintf("load-%05d", i), Venue: ed.Venues[i%len(ed.Venues)].ID, key: key}
		if err := st.AddKiosk(ctx, store.Kiosk{ID: k.ID, Venue: k.Venue, PublicKey: pub, Enrolled: now}); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// Sample is one request's outcome.
type Sample struct {
	Endpoint string
	Took     time.Duration
	OK       bool
	Stored   int           // ballots the central stored (ballots)
	Lag      time.Duration // how late it was sent after its planned time
}

// Client sends the fleet's requests to a central at Base.
type Client struct {
	Base    string
	Edition *election.Edition
	HTTP    *http.Client
	// Residents come from many addresses, as they would: each request of
	// the check page is sent from one of these loopback addresses.
	residents []*http.Client
	staff     []*http.Client
	mu        sync.Mutex
	trackers  []string
}

// NewClient makes a client for base with keep-alive connections, as the
// kiosks' agents and browsers keep them.
func NewClient(base string, ed *election.Edition) *Client {
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}
	c := &Client{Base: strings.TrimSuffix(base, "/"), Edition: ed, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	for i := range 64 {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(i+1))}
		rt := &http.Transport{DialContext: (&net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}).DialContext, MaxIdleConnsPerHost: 4}
		c.residents = append(c.residents, &http.Client{Transport: rt, Timeout: 30 * time.Second})
	}
	return c
}

// SignIn signs the dashboard users in with user and password.
func (c *Client) SignIn(user, password string) error {
	c.staff = nil
	for range DashboardUsers {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Timeout: 60 * time.Second, Transport: c.HTTP.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := hc.PostForm(c.Base+"/login", url.Values{"user": {user}, "password": {password}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/dashboard" {
			return fmt.Errorf("sign-in: %s, to %q", resp.Status, loc)
		}
		c.staff = append(c.staff, hc)
	}
	return nil
}

func (c *Client) signed(ctx context.Context, k *Kiosk, method, path string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	wire.SignRequest(req, k.ID, func(m []byte) []byte { return ed25519.Sign(k.key, m) }, body, time.Now())
	return c.HTTP.Do(req)
}

func timed(endpoint string, f func() (bool, int)) Sample {
	start := time.Now()
	ok, n := f()
	return Sample{Endpoint: endpoint, Took: time.Since(start), OK: ok, Stored: n}
}

func drain(resp *http.Response, err error) bool {
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotModified
}

// Heartbeat sends k's heartbeat with its chain head.
func (c *Client) Heartbeat(ctx context.Context, k *Kiosk) Sample {
	k.mu.Lock()
	hb := wire.Heartbeat{Version: "0.6.0", Catalog: c.Edition.Version, LastSeq: k.seq, HeadID: k.prev, Printer: "ok", FreeDiskMB: 20000, KioskTime: time.Now()}
	k.mu.Unlock()
	body, _ := json.Marshal(hb)
	return timed("heartbeat", func() (bool, int) { return drain(c.signed(ctx, k, http.MethodPost, wire.PathHeartbeat, body)), 0 })
}

// Catalog asks for the catalog as a kiosk's agent does.
func (c *Client) Catalog(ctx context.Context, k *Kiosk) Sample {
	return timed("catalog", func() (bool, int) { return drain(c.signed(ctx, k, http.MethodGet, wire.PathCatalog, nil)), 0 })
}

// Ballot casts one valid ballot at k (a new voter, district pool chosen
// from k's venue) and uploads it, as the agent does right after the
// receipt prints. A kiosk never casts two within a minute.
func (c *Client) Ballot(ctx context.Context, k *Kiosk) Sample {
	ed := c.Edition
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	if now.Sub(k.last) < time.Minute {
		now = k.last.Add(time.Minute) // never faster than a person
	}
	district := "d18"
	if v := ed.Venue(k.Venue); v != nil && v.District != "" {
		district = v.District
	}
	b := election.Ballot{Edition: ed.ID, District: district}
	for _, pool := range []string{"city", district} {
		ps := ed.ProjectsIn(pool)
		if len(ps) < 3 {
			continue
		}
		i := mrand.IntN(len(ps) - 2)
		b.Selections = append(b.Selections, election.Selection{Pool: pool, Choices: []election.Choice{
			{Project: ps[i].ID, Points: 3}, {Project: ps[i+1].ID, Points: 2}, {Project: ps[i+2].ID, Points: 1}}})
	}
	s := wire.SealedBallot{Kiosk: k.ID, Seq: k.seq + 1, Prev: k.prev, CastAt: now, Edition: ed.ID, Catalog: ed.Version,
		District: b.District, Selections: b.Selections}
	rand.Read(s.VoterKey[:])
	s.Seal(k.key)
	body, _ := json.Marshal(wire.BallotBatch{Ballots: []wire.SealedBallot{s}})
	return timed("ballots", func() (bool, int) {
		resp, err := c.signed(ctx, k, http.MethodPost, wire.PathBallots, body)
		if err != nil {
			return false, 0
		}
		defer resp.Body.Close()
		var br wire.BatchResponse
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&br) != nil || len(br.Results) != 1 || !br.Results[0].Status.Stored() {
			return false, 0
		}
		k.seq, k.prev, k.last = s.Seq, s.ID, now
		c.mu.Lock()
		c.trackers = append(c.trackers, s.Tracker())
		c.mu.Unlock()
		return true, 1
	})
}

// Check looks a receipt up on the check page, from a resident's address.
func (c *Client) Check(ctx context.Context) Sample {
	c.mu.Lock()
	tracker := "ABCD-EFGH-JKLM" // none stored yet: a mistyped one
	if len(c.trackers) > 0 {
		tracker = c.trackers[mrand.IntN(len(c.trackers))]
	}
	c.mu.Unlock()
	hc := c.residents[mrand.IntN(len(c.residents))]
	return timed("check", func() (bool, int) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/check/"+url.PathEscape(tracker)+"?format=json", nil)
		return drain(hc.Do(req)), 0
	})
}

// Dashboard loads the fleet page as staff member i.
func (c *Client) Dashboard(ctx context.Context, i int) Sample {
	hc := c.staff[i%len(c.staff)]
	return timed("dashboard", func() (bool, int) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/dashboard", nil)
		return drain(hc.Do(req)), 0
	})
}

// event is one request at its time from the start.
type event struct {
	at    time.Duration
	kind  string
	kiosk *Kiosk
	user  int
}

// Plan lays out the requests of a window of length d for the fleet at
// human pace: each kiosk's heartbeat at its own phase of the 30 s, its
// ballots and catalog checks at random with the rates above, residents'
// lookups and the staff's page loads.
func Plan(fleet []*Kiosk, d time.Duration, seed uint64) []event {
	r := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var ev []event
	poisson := func(every time.Duration, add func(time.Duration)) {
		for t := time.Duration(r.ExpFloat64() * float64(every)); t < d; t += time.Duration(r.ExpFloat64() * float64(every)) {
			add(t)
		}
	}
	for _, k := range fleet {
		for t := time.Duration(r.Int64N(int64(HeartbeatEvery))); t < d; t += HeartbeatEvery {
			ev = append(ev, event{at: t, kind: "heartbeat", kiosk: k})
		}
		poisson(BallotEvery, func(t time.Duration) { ev = append(ev, event{at: t, kind: "ballots", kiosk: k}) })
		poisson(CatalogEvery, func(t time.Duration) { ev = append(ev, event{at: t, kind: "catalog", kiosk: k}) })
	}
	rate := ChecksPerSecond * float64(len(fleet)) / 1000
	poisson(time.Duration(float64(time.Second)/max(rate, 0.2)), func(t time.Duration) { ev = append(ev, event{at: t, kind: "check"}) })
	for u := range DashboardUsers {
		for t := time.Duration(r.Int64N(int64(DashboardEvery))); t < d; t += DashboardEvery {
			ev = append(ev, event{at: t, kind: "dashboard", user: u})
		}
	}
	slices.SortFunc(ev, func(a, b event) int { return int(a.at - b.at) })
	return ev
}

// Run sends the planned requests at their times, at most inflight at
// once (a request that finds no slot waits, and its latency counts from
// its planned time), and returns every sample. It ends when the plan is
// sent and answered, or when ctx ends.
func (c *Client) Run(ctx context.Context, plan []event, inflight int) []Sample {
	var (
		mu      sync.Mutex
		samples = make([]Sample, 0, len(plan))
		wg      sync.WaitGroup
		slots   = make(chan struct{}, inflight)
	)
	start := time.Now()
	for _, e := range plan {
		if d := time.Until(start.Add(e.at)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		planned := start.Add(e.at)
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			wait := time.Since(planned)
			var s Sample
			switch e.kind {
			case "heartbeat":
				s = c.Heartbeat(ctx, e.kiosk)
			case "ballots":
				s = c.Ballot(ctx, e.kiosk)
			case "catalog":
				s = c.Catalog(ctx, e.kiosk)
			case "check":
				s = c.Check(ctx)
			case "dashboard":
				s = c.Dashboard(ctx, e.user)
			}
			s.Lag = wait // the generator's own delay, not the central's
			mu.Lock()
			samples = append(samples, s)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return samples
}

// Stats are one endpoint's figures over a window.
type Stats struct {
	N, Failed int
	P50, P99  time.Duration
	MaxLag    time.Duration // the latest a request was sent after its time
}

// Summarize gives each endpoint's stats and the ballots stored.
func Summarize(samples []Sample) (map[string]Stats, int) {
	by := map[string][]time.Duration{}
	out := map[string]Stats{}
	stored := 0
	for _, s := range samples {
		st := out[s.Endpoint]
		st.N++
		st.MaxLag = max(st.MaxLag, s.Lag)
		if !s.OK {
			st.Failed++
		}
		out[s.Endpoint] = st
		by[s.Endpoint] = append(by[s.Endpoint], s.Took)
		stored += s.Stored
	}
	for e, ds := range by {
		slices.Sort(ds)
		st := out[e]
		st.P50, st.P99 = ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)]
		out[e] = st
	}
	return out, stored
}

// CPU is the processor time a process and its waited-for children used,
// from /proc/PID/stat (utime, stime, cutime, cstime).
func CPU(pid int) time.Duration {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// the command may hold spaces: the fields start after its ')'
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // fields 14-17 of stat, counted from 3
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// Children lists the processes whose parent is pid (PostgreSQL's backends).
func Children(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, c)
		}
	}
	return out
}

// TreeCPU is the CPU time of pid and its children.
func TreeCPU(pid int) time.Duration {
	t := CPU(pid)
	for _, c := range Children(pid) {
		t += CPU(c)
	}
	return t
}
