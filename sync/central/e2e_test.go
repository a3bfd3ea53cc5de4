package central_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/loopback"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// faultProxy sits between kiosks and the central and misbehaves: it adds
// latency, resets connections before forwarding, and drops responses after
// the central has committed. Seeded, so a failure can be replayed.
type faultProxy struct {
	rp                       *httputil.ReverseProxy
	mu                       sync.Mutex
	rnd                      *rand.Rand
	resets, dropped, delayed atomic.Int64
}

func newFaultProxy(target string, seed uint64) *faultProxy {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = nil
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) }
	return &faultProxy{rp: rp, rnd: rand.New(rand.NewPCG(seed, seed))}
}

func (p *faultProxy) roll() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.Float64()
}

// kill closes the client's connection with a reset.
func kill(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := p.roll()
	switch {
	case x < 0.10: // reset before the central sees it
		p.resets.Add(1)
		kill(w)
		return
	case x < 0.20: // the central commits, the answer is lost
		p.dropped.Add(1)
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		kill(w)
		return
	case x < 0.40:
		p.delayed.Add(1)
		time.Sleep(time.Duration(10+p.roll()*90) * time.Millisecond)
	}
	p.rp.ServeHTTP(w, r)
}

// centralProc runs the real urna-central binary.
type centralProc struct {
	t             *testing.T
	bin, data, db string
	addr          string
	cmd           *exec.Cmd
	log           *os.File
}

func (c *centralProc) start() {
	c.t.Helper()
	c.cmd = exec.Command(c.bin, "serve", "--data", c.data, "--db", c.db, "--listen", c.addr, "--insecure-http")
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	for range 100 {
		if conn, err := net.Dial("tcp", c.addr); err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatal("the central did not start")
}

func (c *centralProc) kill9() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd.Wait()
}

func buildCentral(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "urna-central")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/urna-central").CombinedOutput(); err != nil {
		t.Fatalf("build urna-central: %v\n%s", err, out)
	}
	return bin
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	bin := buildCentral(t)
	for _, kind := range []string{"bolt", "postgres"} {
		t.Run(kind, func(t *testing.T) { endToEnd(t, bin, kind) })
	}
}

func endToEnd(t *testing.T, bin, kind string) {
	const kiosks, perKiosk = 3, 1000
	ctx := context.Background()
	data := t.TempDir()
	if err := central.Init(data); err != nil {
		t.Fatal(err)
	}
	keys, _ := central.LoadKeys(data)
	db := "bolt:" + filepath.Join(data, "central.db")
	if kind == "postgres" {
		db = pgtest.DSN(t)
	}
	// Publish the catalog and make enrollment codes before the server runs
	// (bbolt allows one process at a time).
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := central.Publish(ctx, st, keys, demoEdition(t)); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Catalog(ctx)
	ed, _ := election.DecodeEdition(bytes.NewReader(c.Edition))
	var codes []string
	for range kiosks {
		code, _ := central.NewEnrollCode(ctx, st, "nck", time.Hour, time.Now())
		codes = append(codes, code)
	}
	st.Close()

	logf, _ := os.Create(filepath.Join(data, "central.log"))
	defer logf.Close()
	cp := &centralProc{t: t, bin: bin, data: data, db: db, addr: loopback.Addr(t), log: logf}
	cp.start()
	defer func() { cp.cmd.Process.Signal(syscall.SIGTERM); cp.cmd.Wait() }()
	proxy := newFaultProxy("http://"+cp.addr, 42)
	ps := httptest.NewServer(proxy)
	defer ps.Close()

	// Kiosks enroll directly, then sync through the proxy.
	var agentLog bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &agentLog, mu: &logMu}, nil))
	type k struct {
		q      *queue.Queue
		a      *agent.Agent
		secret []byte
		dir    string
	}
	var ks []k
	for i := range kiosks {
		dir := t.TempDir()
		q, err := queue.Open(filepath.Join(dir, "kiosk.db"), queue.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		er, err := agent.Enroll(ctx, nil, "http://"+cp.addr, codes[i], q)
		if err != nil {
			t.Fatal(err)
		}
		a := agent.New(agent.Config{URL: ps.URL, Queue: q, EditionKey: er.EditionKey, Log: log, Batch: 100,
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 400 * time.Millisecond, Every: 50 * time.Millisecond,
			Client: &http.Client{Timeout: 5 * time.Second}})
		ks = append(ks, k{q: q, a: a, secret: er.VoterSecret, dir: dir})
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, kk := range ks {
		wg.Add(1)
		go func() { defer wg.Done(); kk.a.Run(runCtx) }()
	}
	// Residents vote while the agents sync; the central dies twice.
	var voting sync.WaitGroup
	var pesels sync.Map
	for i, kk := range ks {
		voting.Add(1)
		go func() {
			defer voting.Done()
			for j := range perKiosk {
				p := pesel(i*perKiosk + j)
				pesels.Store(p, true)
				id := election.Identity{Kind: election.ByPESEL, Value: p, Resident: true}
				if _, err := kk.q.Append(ballot(ed), election.NewVoterKey(kk.secret, id), ed.Version); err != nil {
					t.Error(err)
					return
				}
				if j%50 == 0 {
					time.Sleep(15 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	cp.kill9()
	time.Sleep(400 * time.Millisecond)
	cp.start()
	time.Sleep(300 * time.Millisecond)
	cp.kill9()
	time.Sleep(300 * time.Millisecond)
	cp.start()
	voting.Wait()

	deadline := time.Now().Add(2 * time.Minute)
	for {
		pending := 0
		for _, kk := range ks {
			s, _ := kk.q.Stats(time.Time{})
			pending += s.Pending
			if s.Rejected > 0 {
				t.Fatalf("%d ballots rejected", s.Rejected)
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d ballots still pending", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	wg.Wait()
	t.Logf("faults: %d resets, %d responses dropped after commit, %d delayed; 2 SIGKILLs",
		proxy.resets.Load(), proxy.dropped.Load(), proxy.delayed.Load())
	if proxy.resets.Load() == 0 || proxy.dropped.Load() == 0 {
		t.Fatal("the proxy injected no faults")
	}

	cp.cmd.Process.Signal(syscall.SIGTERM)
	cp.cmd.Wait()
	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	total, counted, _ := st.Counts(ctx)
	if total != kiosks*perKiosk || counted != kiosks*perKiosk {
		t.Fatalf("central holds %d ballots, %d counted; want %d", total, counted, kiosks*perKiosk)
	}
	for _, kk := range ks {
		ch, err := st.Chain(ctx, kk.q.KioskID())
		if err != nil || ch.Count != perKiosk || ch.MaxSeq != perKiosk || len(ch.Gaps) > 0 || len(ch.Breaks) > 0 {
			t.Fatalf("kiosk %s chain: %+v %v", kk.q.KioskID(), ch, err)
		}
	}

	// No PESEL anywhere: kiosk files, central files, the logs, the database.
	dirs := []string{data}
	for _, kk := range ks {
		dirs = append(dirs, kk.dir)
	}
	if kind == "postgres" {
		dirs = append(dirs, pgtest.Dir())
	}
	logMu.Lock()
	logs := agentLog.Bytes()
	logMu.Unlock()
	if found := scanForPESELs(t, dirs, logs, &pesels); found != "" {
		t.Fatalf("a PESEL was found: %s", found)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var elevenDigits = regexp.MustCompile(`[0-9]{11}`)

// scanForPESELs looks in every file under dirs, and in extra, for any of
// the PESELs used; it returns where one was found.
func scanForPESELs(t *testing.T, dirs []string, extra []byte, pesels *sync.Map) string {
	check := func(where string, r io.Reader) string {
		br := bufio.NewReaderSize(r, 1<<20)
		var carry []byte
		buf := make([]byte, 1<<20)
		for {
			n, err := br.Read(buf)
			chunk := append(carry, buf[:n]...)
			for _, m := range elevenDigits.FindAll(chunk, -1) {
				if _, ok := pesels.Load(string(m)); ok {
					return where
				}
			}
			if len(chunk) > 10 {
				carry = append([]byte(nil), chunk[len(chunk)-10:]...)
			}
			if err != nil {
				return ""
			}
		}
	}
	if w := check("agent log", bytes.NewReader(extra)); w != "" {
		return w
	}
	files := 0
	for _, d := range dirs {
		filepath.Walk(d, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !info.Mode().IsRegular() {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return nil
			}
			defer f.Close()
			files++
			if w := check(path, f); w != "" {
				t.Errorf("PESEL in %s", w)
			}
			return nil
		})
	}
	if files < 3 {
		t.Fatalf("scanned only %d files", files)
	}
	t.Logf("scanned %d files for %s PESELs", files, fmt.Sprint(countMap(pesels)))
	if t.Failed() {
		return "see above"
	}
	return ""
}

func countMap(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

// The scan itself finds a planted PESEL (else a broken scan would pass).
func TestPESELScanFindsPlanted(t *testing.T) {
	dir := t.TempDir()
	var m sync.Map
	m.Store(pesel(5), true)
	os.WriteFile(filepath.Join(dir, "a"), []byte("xx"+pesel(5)+"yy"), 0o644)
	os.WriteFile(filepath.Join(dir, "b"), []byte("nothing"), 0o644)
	os.WriteFile(filepath.Join(dir, "c"), []byte("nothing"), 0o644)
	inner := &testing.T{}
	if scanForPESELs(inner, []string{dir}, nil, &m) == "" {
		t.Fatal("the scan missed a planted PESEL")
	}
}
