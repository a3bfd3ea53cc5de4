package central

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// onlineWithin is how recent a kiosk's last heartbeat must be for the
// fleet page and the metrics to call it online.
const onlineWithin = 3 * time.Minute

// printerStates is the closed set of printer states a heartbeat names; any
// other word is counted as "other", so a kiosk cannot make new series.
var printerStates = map[string]bool{"ok": true, "paper-near-end": true, "paper-out": true,
	"cover-open": true, "offline": true, "error": true, "unknown": true}

// printerState is a heartbeat's printer word as a label, the one name the
// fleet page and the metrics use: "unknown" when the kiosk said nothing or
// could not tell (a printer without status), "other" for a word outside
// the closed set.
func printerState(word string) string {
	switch {
	case word == "":
		return "unknown"
	case printerStates[word]:
		return word
	}
	return "other"
}

// apiMetrics are the kiosk API's figures, made on first use so that New
// stays as it is; one set per Server.
type apiMetrics struct {
	once        sync.Once
	batchTime   prometheus.Histogram
	batchSize   prometheus.Histogram
	catalogs    *prometheus.CounterVec
	heartbeats  *prometheus.CounterVec
	counters    prometheus.Collector
	answeredDsc *prometheus.Desc
	receivedDsc *prometheus.Desc
}

func (s *Server) apiMetrics() *apiMetrics {
	m := &s.metrics
	m.once.Do(func() {
		m.batchTime = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "urna_ingest_batch_seconds",
			Help:    "Time to check and store one batch of ballots from a kiosk.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}) // 1 ms … 8 s
		m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "urna_ingest_batch_ballots",
			Help:    "Ballots in one batch from a kiosk.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}})
		m.catalogs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "urna_catalog_requests_total",
			Help: "Catalog requests from kiosks by HTTP code (200 sent, 304 unchanged)."}, []string{"code"})
		m.heartbeats = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "urna_heartbeats_total",
			Help: "Heartbeats recorded, by the printer state the kiosk reported."}, []string{"printer"})
		for _, code := range []string{"200", "304"} {
			m.catalogs.WithLabelValues(code) // present from the start, for rate()
		}
		for state := range printerStates {
			m.heartbeats.WithLabelValues(state)
		}
		m.receivedDsc = prometheus.NewDesc("urna_ballots_received_total", "Ballots received by this replica.", nil, nil)
		m.answeredDsc = prometheus.NewDesc("urna_ballots_answered_total",
			"Ballots answered by this replica, by status (rejections by reason).", []string{"status"}, nil)
		m.counters = countersCollector{s: s, m: m}
	})
	return m
}

// collectors are every figure of the API, for a registry.
func (m *apiMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.batchTime, m.batchSize, m.catalogs, m.heartbeats, m.counters}
}

// countersCollector exposes Server.Counters as Prometheus counters.
type countersCollector struct {
	s *Server
	m *apiMetrics
}

func (c countersCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.m.receivedDsc
	ch <- c.m.answeredDsc
}

func (c countersCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.m.receivedDsc, prometheus.CounterValue, float64(c.s.Counters.Received.Load()))
	for st, n := range c.s.Counters.Snapshot() {
		ch <- prometheus.MustNewConstMetric(c.m.answeredDsc, prometheus.CounterValue, float64(n), string(st))
	}
}

// measuredIngest is Ingest with its batch's time and size observed.
func (s *Server) measuredIngest(ctx context.Context, k store.Kiosk, bs []wire.SealedBallot) ([]wire.Result, error) {
	m := s.apiMetrics()
	start := time.Now()
	res, err := s.Ingest(ctx, k, bs)
	if err == nil {
		m.batchTime.Observe(time.Since(start).Seconds())
		m.batchSize.Observe(float64(len(bs)))
	}
	return res, err
}

// countedCatalog counts catalog requests by their answer's code.
func (s *Server) countedCatalog(h kioskHandler) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
		promhttp.InstrumentHandlerCounter(s.apiMetrics().catalogs, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h(w, r, k, body)
		})).ServeHTTP(w, r)
	}
}

// countedHeartbeat counts heartbeats the central recorded, by printer state.
func (s *Server) countedHeartbeat(h kioskHandler) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
		rec := &codeRecorder{ResponseWriter: w, code: http.StatusOK}
		h(rec, r, k, body)
		var hb wire.Heartbeat
		if rec.code != http.StatusOK || json.Unmarshal(body, &hb) != nil {
			return
		}
		s.apiMetrics().heartbeats.WithLabelValues(printerState(hb.Printer)).Inc()
	}
}

// codeRecorder remembers the status code a handler wrote.
type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (c *codeRecorder) WriteHeader(code int) {
	c.code = code
	c.ResponseWriter.WriteHeader(code)
}

// webMetrics are the web pages' figures and the registry /metrics serves.
type webMetrics struct {
	reg   *prometheus.Registry
	pages *prometheus.HistogramVec
	page  http.Handler // the exposition of reg
}

func newWebMetrics(w *Web) *webMetrics {
	m := &webMetrics{reg: prometheus.NewRegistry(),
		pages: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "urna_web_request_seconds",
			Help:    "Time to answer a web page, by page (check: the residents' ballot check, with its floor).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}, []string{"page"})} // 5 ms … 10 s
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.pages, fleetCollector{w: w})
	m.reg.MustRegister(w.srv.apiMetrics().collectors()...)
	for _, p := range []string{"check", "dashboard", "login", "other"} {
		m.pages.WithLabelValues(p) // present from the start, so rates exist before the first visit
	}
	m.page = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// pageOf names a path's page for the latency histogram (a closed set).
func pageOf(path string) string {
	for _, p := range []string{"check", "dashboard", "login"} {
		if path == "/"+p || strings.HasPrefix(path, "/"+p+"/") {
			return p
		}
	}
	return "other"
}

// timed observes how long each page takes.
func (w *Web) timed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(rw, r)
		w.metrics.pages.WithLabelValues(pageOf(r.URL.Path)).Observe(time.Since(start).Seconds())
	})
}

// metricsPage is the Prometheus exposition of w's registry.
func (w *Web) metricsPage(rw http.ResponseWriter, r *http.Request) {
	w.metrics.page.ServeHTTP(rw, r)
}

// fleetCollector reads the fleet from the store at each scrape: what the
// kiosks last said, so that alerts see what the fleet page sees.
type fleetCollector struct{ w *Web }

var (
	descKiosks      = prometheus.NewDesc("urna_kiosks", "Enrolled kiosks by state (online: a heartbeat within 3 minutes).", []string{"state"}, nil)
	descStoreUp     = prometheus.NewDesc("urna_store_up", "1 when the store answered this scrape.", nil, nil)
	descStored      = prometheus.NewDesc("urna_ballots_stored", "Ballots in the store.", nil, nil)
	descCounted     = prometheus.NewDesc("urna_voters_counted", "Voters with a counted ballot.", nil, nil)
	kioskLabels     = []string{"kiosk", "venue"}
	descQueue       = prometheus.NewDesc("urna_kiosk_queue_depth", "Ballots waiting at a kiosk, as its last heartbeat said.", kioskLabels, nil)
	descOldest      = prometheus.NewDesc("urna_kiosk_oldest_pending_timestamp_seconds", "When the oldest ballot waiting at a kiosk was cast (absent when none waits).", kioskLabels, nil)
	descLastSeen    = prometheus.NewDesc("urna_kiosk_last_heartbeat_timestamp_seconds", "When the central last recorded a heartbeat of the kiosk (absent when never).", kioskLabels, nil)
	descPrinter     = prometheus.NewDesc("urna_kiosk_printer", "The printer state of a kiosk's last heartbeat (1 for the state it is in).", append(kioskLabels, "state"), nil)
	descInfo        = prometheus.NewDesc("urna_kiosk_info", "A kiosk's software version, as its last heartbeat said.", append(kioskLabels, "version"), nil)
	descChainBreaks = prometheus.NewDesc("urna_kiosk_chain_breaks", "Ballots of a kiosk whose hash chain link is wrong, or two with one number.", kioskLabels, nil)
	descChainGaps   = prometheus.NewDesc("urna_kiosk_chain_gaps", "Sequence numbers of a kiosk below its highest that never arrived.", kioskLabels, nil)
	descTooOld      = prometheus.NewDesc("urna_kiosk_version_below_minimum", "1 when a kiosk's version is below the edition's minKioskVersion: its point will not open.", append(kioskLabels, "version"), nil)
	descEnrolled    = prometheus.NewDesc("urna_kiosk_enrolled_timestamp_seconds", "When a kiosk was enrolled: with no last heartbeat, how long it has never reported.", kioskLabels, nil)
	descSkew        = prometheus.NewDesc("urna_kiosk_clock_skew_seconds", "A kiosk's clock minus the central's at its last heartbeat.", kioskLabels, nil)
)

func (fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descKiosks, descStoreUp, descStored, descCounted, descQueue, descOldest,
		descLastSeen, descPrinter, descInfo, descChainBreaks, descChainGaps, descSkew, descTooOld, descEnrolled} {
		ch <- d
	}
}

func (c fleetCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := c.w.srv.cfg.Store
	up := 1.0
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		// not Must: a label a kiosk sent that Prometheus refuses (not
		// UTF-8) drops that series instead of the central
		if m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...); err == nil {
			ch <- m
		}
	}
	if total, counted, err := st.Counts(ctx); err == nil {
		gauge(descStored, float64(total))
		gauge(descCounted, float64(counted))
	} else {
		up = 0
	}
	ks, err := st.Kiosks(ctx)
	if err != nil {
		gauge(descStoreUp, 0)
		return
	}
	ed, _ := c.w.srv.current(ctx) // nil before the first publish
	now := c.w.srv.cfg.Clock()
	states := map[string]int{"online": 0, "offline": 0, "never-seen": 0, "revoked": 0}
	checks := c.w.srv.checkFleet(ctx, ks, ed, nil, ChecksPerRequest)
	for _, k := range ks {
		switch {
		case !k.Revoked.IsZero():
			states["revoked"]++
			continue // refused since: its last state no longer matters
		case k.LastSeen.IsZero():
			states["never-seen"]++
		case now.Sub(k.LastSeen) < onlineWithin:
			states["online"]++
		default:
			states["offline"]++
		}
		hb, l := k.Heartbeat, []string{k.ID, k.Venue}
		gauge(descQueue, float64(hb.QueueDepth), l...)
		if !k.Enrolled.IsZero() {
			gauge(descEnrolled, float64(k.Enrolled.Unix()), l...)
		}
		gauge(descSkew, k.Skew.Seconds(), l...)
		if !hb.OldestPending.IsZero() {
			gauge(descOldest, float64(hb.OldestPending.Unix()), l...)
		}
		if !k.LastSeen.IsZero() {
			gauge(descLastSeen, float64(k.LastSeen.Unix()), l...)
			gauge(descPrinter, 1, k.ID, k.Venue, printerState(hb.Printer))
			gauge(descInfo, 1, k.ID, k.Venue, hb.Version)
			if ed != nil {
				tooOld := 0.0
				if !ed.KioskAllowed(hb.Version) {
					tooOld = 1
				}
				gauge(descTooOld, tooOld, k.ID, k.Venue, hb.Version)
			}
		}
		// the latest check, at most ChecksPerRequest of them run by this
		// scrape: absent for a kiosk not yet checked
		if c, ok := checks[k.ID]; ok {
			gauge(descChainBreaks, float64(c.Breaks), l...)
			gauge(descChainGaps, float64(c.Gaps), l...)
		}
	}
	for s, n := range states {
		gauge(descKiosks, float64(n), s)
	}
	gauge(descStoreUp, up)
}
