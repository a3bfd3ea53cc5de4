package central_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/wire"
)

// scrape reads /metrics with Prometheus' own text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer metrics-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the Prometheus text parser refuses /metrics: %v", err)
	}
	return fams
}

// value is the one series of name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no %s in /metrics", name)
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v in /metrics", name, want)
	return nil
}

// TestMetricsScrapedByPrometheusParser: /metrics, parsed as Prometheus
// parses it, has the Go and process collectors, the ingest, catalog,
// heartbeat and page histograms and counters, and the fleet as the
// dashboard sees it (queue, paper, versions, chain breaks).
func TestMetricsScrapedByPrometheusParser(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	web := central.NewWeb(r.srv, central.WebConfig{MetricsToken: "metrics-token-0123456789"})
	h := httptest.NewServer(web.Handler())
	defer h.Close()

	k1, k2 := r.kiosk(""), r.kiosk("")
	for i := range 5 {
		k1.vote(t, r.ed, i)
	}
	if _, err := k1.a.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k1.a.PullCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := agentWithPrinter(k2, r.http.URL, "paper-out").SendHeartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	// a ballot whose link does not follow k2's chain (stored behind the
	// API's back, as a restored backup or a faulty replica could)
	b := k2.vote(t, r.ed, 50)
	b2 := k2.vote(t, r.ed, 51)
	b2.Prev = "not-the-previous-ballot"
	if _, err := r.st.AddBallots(ctx, []wire.SealedBallot{b, b2}, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	get(t, h.URL+"/check", "Accept-Language", "pl")
	get(t, h.URL+"/dashboard")

	fams := scrape(t, h.URL+"/metrics")
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total",
		"process_resident_memory_bytes", "process_open_fds"} {
		if fams[name] == nil {
			t.Errorf("no standard metric %s", name)
		}
	}
	if n := value(t, fams, "urna_ballots_answered_total", map[string]string{"status": "accepted"}).GetCounter().GetValue(); n != 5 {
		t.Errorf("accepted ballots: %v, want 5", n)
	}
	if n := value(t, fams, "urna_ingest_batch_ballots", nil).GetHistogram().GetSampleSum(); n != 5 {
		t.Errorf("ballots in the ingest batches: %v, want 5", n)
	}
	if n := value(t, fams, "urna_ingest_batch_seconds", nil).GetHistogram().GetSampleCount(); n < 1 {
		t.Errorf("ingest batches timed: %v", n)
	}
	if n := value(t, fams, "urna_catalog_requests_total", map[string]string{"code": "200"}).GetCounter().GetValue(); n < 1 {
		t.Errorf("catalogs sent: %v", n)
	}
	if n := value(t, fams, "urna_heartbeats_total", map[string]string{"printer": "paper-out"}).GetCounter().GetValue(); n != 1 {
		t.Errorf("heartbeats with paper out: %v, want 1", n)
	}
	for _, page := range []string{"check", "dashboard"} {
		if n := value(t, fams, "urna_web_request_seconds", map[string]string{"page": page}).GetHistogram().GetSampleCount(); n != 1 {
			t.Errorf("%s pages timed: %v, want 1", page, n)
		}
	}
	id2 := k2.q.KioskID()
	if v := value(t, fams, "urna_kiosk_printer", map[string]string{"kiosk": id2, "state": "paper-out"}).GetGauge().GetValue(); v != 1 {
		t.Errorf("paper out at %s: %v", id2, v)
	}
	if v := value(t, fams, "urna_kiosk_info", map[string]string{"kiosk": id2}); !strings.Contains(v.String(), `"test"`) {
		t.Errorf("version of %s: %v", id2, v)
	}
	if v := value(t, fams, "urna_kiosk_chain_breaks", map[string]string{"kiosk": id2}).GetGauge().GetValue(); v < 1 {
		t.Errorf("chain breaks at %s: %v", id2, v)
	}
	if v := value(t, fams, "urna_kiosk_chain_breaks", map[string]string{"kiosk": k1.q.KioskID()}).GetGauge().GetValue(); v != 0 {
		t.Errorf("chain breaks at a sound kiosk: %v", v)
	}
	value(t, fams, "urna_kiosk_queue_depth", map[string]string{"kiosk": id2, "venue": "nck"})
	value(t, fams, "urna_kiosk_last_heartbeat_timestamp_seconds", map[string]string{"kiosk": id2})
	if v := value(t, fams, "urna_kiosks", map[string]string{"state": "online"}).GetGauge().GetValue(); v != 1 {
		t.Errorf("online kiosks: %v, want 1 (the one that sent a heartbeat)", v)
	}
	if v := value(t, fams, "urna_ballots_stored", nil).GetGauge().GetValue(); v != 7 {
		t.Errorf("ballots stored: %v, want 7", v)
	}
	if v := value(t, fams, "urna_store_up", nil).GetGauge().GetValue(); v != 1 {
		t.Errorf("store up: %v", v)
	}
}
