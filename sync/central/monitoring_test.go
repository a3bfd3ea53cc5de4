package central_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/sync/central"
)

const monitoring = "../../packaging/monitoring"

// TestMonitoringExamples: the alert rules and the Grafana dashboard under
// packaging/monitoring are valid for Prometheus' own promtool, the alerts
// fire as their unit tests say (kiosk offline, queue stale, paper out,
// chain break), and every metric they name is one /metrics serves.
func TestMonitoringExamples(t *testing.T) {
	promtool := needs.Tool(t, "promtool", "prometheus")
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(promtool, args...)
		cmd.Dir = monitoring
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Every YAML file beside the rules is a rule file, as a technician's
	// glob (promtool check rules packaging/monitoring/*.yml) takes them;
	// the rules' unit tests live in tests/.
	files, _ := filepath.Glob(filepath.Join(monitoring, "*.yml"))
	if len(files) == 0 {
		t.Fatal("no rule files in packaging/monitoring")
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	run(append([]string{"check", "rules"}, files...)...)
	run("test", "rules", "tests/urna-alerts.test.yml")

	// The dashboard's queries, checked by promtool as recording rules.
	raw, err := os.ReadFile(filepath.Join(monitoring, "grafana-urna.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("grafana-urna.json: %v", err)
	}
	var rules []map[string]string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			rules = append(rules, map[string]string{"record": "urna:dashboard_query", "expr": tg.Expr})
		}
	}
	if len(rules) < 10 {
		t.Fatalf("the dashboard has %d queries", len(rules))
	}
	doc, _ := json.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	tmp := filepath.Join(t.TempDir(), "dashboard-queries.yml") // JSON is YAML
	if err := os.WriteFile(tmp, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	run("check", "rules", tmp)

	// Every metric the rules and the dashboard name is served.
	r := newRig(t, bolt(t))
	web := central.NewWeb(r.srv, central.WebConfig{MetricsToken: "metrics-token-0123456789"})
	h := httptest.NewServer(web.Handler())
	defer h.Close()
	k := r.kiosk("")
	k.vote(t, r.ed, 1)
	k.a.SyncOnce(context.Background())
	k.vote(t, r.ed, 2) // waiting: the heartbeat names its age
	if _, err := agentWithPrinter(k, r.http.URL, "paper-out").SendHeartbeat(context.Background()); err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, h.URL+"/metrics")
	alerts, _ := os.ReadFile(filepath.Join(monitoring, "urna-alerts.yml"))
	names := regexp.MustCompile(`\b(?:urna|go|process)_[a-z_]+\b`)
	for _, text := range []string{string(alerts), string(raw)} {
		for _, n := range names.FindAllString(text, -1) {
			base := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && fams[b] != nil {
					base = b
				}
			}
			if fams[base] == nil {
				t.Errorf("the monitoring examples name %s, which /metrics does not serve", n)
			}
		}
	}
}
