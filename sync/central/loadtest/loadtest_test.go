package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/loopback"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/loadtest"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// window is how long each fleet size is driven (URNA_LOAD_WINDOW, 30s by
// default: every kiosk's heartbeat once).
func window() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("URNA_LOAD_WINDOW")); err == nil && d > 0 {
		return d
	}
	return loadtest.HeartbeatEvery
}

// proc is a process the benchmark started.
type proc struct {
	name string
	cmd  *exec.Cmd
}

func start(b *testing.B, name string, log string, bin string, args ...string) *proc {
	b.Helper()
	f, _ := os.Create(log)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd}
	b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		f.Close()
	})
	return p
}

func waitListening(b *testing.B, addr, log string) {
	b.Helper()
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(log)
	b.Fatalf("nothing listens on %s:\n%s", addr, out)
}

// central is one urna-central deployment: its data folder, store and
// the place its users reach it.
type deployment struct {
	url   string
	procs []*proc // what serves: replicas, proxy
	pg    int     // PostgreSQL's postmaster, 0 for bbolt
	dsn   string  // PostgreSQL's database
	ed    *election.Edition
}

func buildCentral(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "urna-central")
	if out, err := exec.Command("go", "build", "-o", bin, "../../../cmd/urna-central").CombinedOutput(); err != nil {
		b.Fatalf("build urna-central: %v\n%s", err, out)
	}
	return bin
}

// prepare makes a data folder with keys, a staff user and the demo
// edition published into db.
func prepare(b *testing.B, db string) (string, *election.Edition) {
	ctx := context.Background()
	data := b.TempDir()
	if err := central.Init(data); err != nil {
		b.Fatal(err)
	}
	keys, _ := central.LoadKeys(data)
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	users, _ := json.Marshal(map[string]string{"anna": string(hash)})
	os.WriteFile(filepath.Join(data, "users.json"), users, 0o600)
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	var buf bytes.Buffer
	election.EncodeEdition(&buf, ed)
	st, err := store.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := central.Publish(ctx, st, keys, buf.Bytes()); err != nil {
		b.Fatal(err)
	}
	c, _ := st.Catalog(ctx)
	pub, _ := election.DecodeEdition(bytes.NewReader(c.Edition))
	return data, pub
}

// copyDir copies the files of a data folder (keys, users) for a replica.
func copyDir(b *testing.B, from string) string {
	to := b.TempDir()
	ents, _ := os.ReadDir(from)
	for _, e := range ents {
		if e.Type().IsRegular() {
			raw, _ := os.ReadFile(filepath.Join(from, e.Name()))
			os.WriteFile(filepath.Join(to, e.Name()), raw, 0o600)
		}
	}
	return to
}

func postmaster() int {
	raw, _ := os.ReadFile(filepath.Join(pgtest.Dir(), "data", "postmaster.pid"))
	var pid int
	fmt.Sscan(string(raw), &pid)
	return pid
}

// row is one line of the fleet table.
type row struct {
	name    string
	kiosks  int
	stats   map[string]loadtest.Stats
	idle    map[string]loadtest.Stats
	stored  float64 // ballots stored per second
	cpu     map[string]time.Duration
	elapsed time.Duration
	commits float64 // PostgreSQL transactions committed per request
}

// measure drives the fleet for d, after a few unloaded requests per
// endpoint, and reads each process's CPU time around the loaded window.
func measure(b *testing.B, name string, dep *deployment, fleet []*loadtest.Kiosk, d time.Duration) row {
	ctx := context.Background()
	c := loadtest.NewClient(dep.url, dep.ed)
	if err := c.SignIn("anna", "urzednik-2025!"); err != nil {
		b.Fatal(err)
	}
	// unloaded: one request at a time
	var idle []loadtest.Sample
	for i := range 10 {
		k := fleet[i*len(fleet)/10]
		idle = append(idle, c.Heartbeat(ctx, k), c.Ballot(ctx, k), c.Catalog(ctx, k), c.Check(ctx), c.Dashboard(ctx, i))
	}
	idleStats, _ := loadtest.Summarize(idle)
	cpu := func() map[string]time.Duration {
		m := map[string]time.Duration{"load generator": loadtest.CPU(os.Getpid())}
		for _, p := range dep.procs {
			m[p.name] = loadtest.CPU(p.cmd.Process.Pid)
		}
		if dep.pg != 0 {
			m["postgresql"] = loadtest.TreeCPU(dep.pg)
		}
		return m
	}
	// PostgreSQL's own count of committed transactions, in this database
	commits := func() int64 {
		if dep.dsn == "" {
			return 0
		}
		conn, err := pgx.Connect(ctx, strings.SplitN(dep.dsn, "&pool_", 2)[0])
		if err != nil {
			return 0
		}
		defer conn.Close(ctx)
		var n int64
		conn.QueryRow(ctx, `SELECT pg_stat_force_next_flush()`).Scan(new(any))
		conn.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
		return n
	}
	plan := loadtest.Plan(fleet, d, uint64(len(fleet)))
	c0 := commits()
	before := cpu()
	start := time.Now()
	samples := c.Run(ctx, plan, 512)
	elapsed := time.Since(start)
	after := cpu()
	for k := range after {
		after[k] -= before[k]
	}
	time.Sleep(600 * time.Millisecond) // backends report their counts at most every 500 ms
	c1 := commits()
	stats, stored := loadtest.Summarize(samples)
	return row{name: name, kiosks: len(fleet), stats: stats, idle: idleStats, stored: float64(stored) / elapsed.Seconds(), cpu: after, elapsed: elapsed,
		commits: float64(c1-c0) / float64(max(len(samples), 1))}
}

func requests(m map[string]loadtest.Stats) int {
	n := 0
	for _, s := range m {
		n += s.N
	}
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func report(b *testing.B, rows []row) {
	var out strings.Builder
	load, _ := os.ReadFile("/proc/loadavg") // neighbours on a shared machine move every figure
	fmt.Fprintf(&out, "\nfleet load test: %s windows, %d cores, load average now %s; latency ms p50/p99 loaded (unloaded), failed requests\n",
		window(), runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Fprintf(&out, "%-14s %6s", "deployment", "kiosks")
	for _, e := range loadtest.Endpoints {
		fmt.Fprintf(&out, " | %-26s", e)
	}
	fmt.Fprintf(&out, " | %9s | CPU share of the machine per process\n", "stored/s")
	for _, r := range rows {
		fmt.Fprintf(&out, "%-14s %6d", r.name, r.kiosks)
		for _, e := range loadtest.Endpoints {
			s, i := r.stats[e], r.idle[e]
			fmt.Fprintf(&out, " | %-26s", fmt.Sprintf("%s/%s (%s/%s) %d✗/%d", ms(s.P50), ms(s.P99), ms(i.P50), ms(i.P99), s.Failed, s.N))
		}
		fmt.Fprintf(&out, " | %9.1f |", r.stored)
		total := r.elapsed.Seconds() * float64(runtime.NumCPU())
		for _, name := range []string{"load generator", "haproxy", "replica 1", "replica 2", "postgresql"} {
			if d, ok := r.cpu[name]; ok {
				fmt.Fprintf(&out, " %s %.0f%%", name, 100*d.Seconds()/total)
			}
		}
		lag := time.Duration(0)
		for _, s := range r.stats {
			lag = max(lag, s.MaxLag)
		}
		fmt.Fprintf(&out, " · generator lag max %s", ms(lag))
		if r.commits > 0 {
			fmt.Fprintf(&out, " · %.1f PostgreSQL transactions per request (reads included), %.0f/s", r.commits, r.commits*float64(requests(r.stats))/r.elapsed.Seconds())
		}
		fmt.Fprintln(&out)
	}
	fmt.Print(out.String())
	b.Log(out.String())
}

// BenchmarkFleetLoad drives two urna-central replicas on one throwaway
// PostgreSQL behind haproxy with 180, 1,000 and 5,000 simulated kiosks
// seeded straight into the store, at human pace (heartbeats every 30 s,
// a busy day's ballots, catalog checks, residents' lookups, three staff
// on the fleet page), and one replica on bbolt with 1,000 beside it.
// Each endpoint's loaded latency is printed next to the same endpoint
// unloaded in the same run, with the CPU share of every process.
func BenchmarkFleetLoad(b *testing.B) {
	needs.Tool(b, "haproxy", "haproxy")
	bin := buildCentral(b)
	d := window()
	var rows []row
	for b.Loop() {
		rows = rows[:0]
		ctx := context.Background()
		// PostgreSQL: two replicas behind haproxy
		dsn := pgtest.DSN(b)
		data, ed := prepare(b, dsn)
		dep := pgReplicas(b, bin, data, dsn, ed)
		st, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		var fleet []*loadtest.Kiosk
		for _, n := range []int{180, 1000, 5000} {
			more, err := loadtest.Seed(ctx, st, ed, len(fleet), n-len(fleet))
			if err != nil {
				b.Fatal(err)
			}
			fleet = append(fleet, more...)
			rows = append(rows, measure(b, "pg×2+haproxy", dep, fleet, d))
		}
		st.Close()
		// The same 5,000 on two more replicas whose connection pools hold
		// 32 connections each instead of pgx's default (4 on two cores):
		// whether the pool is what waits.
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		wide := pgReplicas(b, bin, copyDir(b, data), dsn+sep+"pool_max_conns=32", ed)
		for _, p := range dep.procs {
			p.cmd.Process.Signal(syscall.SIGSTOP) // idle the first pair: their CPU stays out
		}
		rows = append(rows, measure(b, "pg×2 pool 32", wide, fleet, d))
		for _, p := range dep.procs {
			p.cmd.Process.Signal(syscall.SIGCONT)
		}

		// bbolt: one replica, seeded before it opens the file
		bdata := b.TempDir()
		db := "bolt:" + filepath.Join(bdata, "central.db")
		bdata2, bed := prepare(b, db)
		bst, err := store.Open(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		bfleet, err := loadtest.Seed(ctx, bst, bed, 0, 1000)
		bst.Close()
		if err != nil {
			b.Fatal(err)
		}
		addr := loopback.Addr(b)
		log := filepath.Join(bdata2, "serve.log")
		bdep := &deployment{ed: bed, url: "http://" + addr}
		bdep.procs = append(bdep.procs, start(b, "replica 1", log, bin, "serve", "--data", bdata2, "--db", db, "--listen", addr, "--insecure-http"))
		waitListening(b, addr, log)
		rows = append(rows, measure(b, "bbolt×1", bdep, bfleet, d))
	}
	report(b, rows)
	for _, r := range rows {
		if r.name != "pg×2+haproxy" {
			continue
		}
		b.ReportMetric(r.stored, fmt.Sprintf("stored/s@%d", r.kiosks))
		for _, e := range []string{"heartbeat", "ballots"} {
			if i := r.idle[e].P99; i > 0 {
				b.ReportMetric(float64(r.stats[e].P99)/float64(i), fmt.Sprintf("%s-p99-vs-unloaded@%d", e, r.kiosks))
			}
		}
	}
	b.ReportMetric(0, "ns/op")
}

// pgReplicas starts two urna-central replicas on dsn, each with its own
// copy of the data folder, behind haproxy.
func pgReplicas(b *testing.B, bin, data, dsn string, ed *election.Edition) *deployment {
	dep := &deployment{ed: ed, pg: postmaster(), dsn: dsn}
	var backends []string
	for i := range 2 {
		dir := data
		if i > 0 {
			dir = copyDir(b, data)
		}
		addr := loopback.Addr(b)
		log := filepath.Join(dir, "serve.log")
		dep.procs = append(dep.procs, start(b, fmt.Sprintf("replica %d", i+1), log, bin, "serve", "--data", dir, "--db", dsn,
			"--listen", addr, "--insecure-http", "--trusted-proxy", "127.0.0.1"))
		waitListening(b, addr, log)
		backends = append(backends, addr)
	}
	front := loopback.Addr(b)
	cfg := filepath.Join(data, "haproxy.cfg")
	os.WriteFile(cfg, []byte(haproxyConfig(front, backends)), 0o600)
	dep.procs = append(dep.procs, start(b, "haproxy", filepath.Join(data, "haproxy.log"), "haproxy", "-db", "-f", cfg))
	waitListening(b, front, filepath.Join(data, "haproxy.log"))
	dep.url = "http://" + front
	return dep
}

func haproxyConfig(front string, backends []string) string {
	var s strings.Builder
	fmt.Fprintf(&s, `global
	maxconn 8192
defaults
	mode http
	timeout connect 5s
	timeout client 60s
	timeout server 60s
	option forwardfor
	option http-keep-alive
frontend urna
	bind %s
	default_backend replicas
backend replicas
	balance roundrobin
`, front)
	for i, a := range backends {
		fmt.Fprintf(&s, "\tserver r%d %s\n", i+1, a)
	}
	return s.String()
}
