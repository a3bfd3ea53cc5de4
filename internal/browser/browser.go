// Package browser drives headless Chromium through chromedriver (the W3C
// WebDriver protocol), for tests that load pages as a person would.
package browser

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/loopback"
	"github.com/urna-kiosk/urna/internal/needs"
)

// Browser is one headless Chromium session.
type Browser struct {
	t       testing.TB
	base    string
	session string
	driver  *exec.Cmd
}

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// Start starts chromedriver and a headless Chromium session. Without them
// the test skips (fails under CI=true).
func Start(t testing.TB) *Browser {
	t.Helper()
	return StartWith(t)
}

// NoScript is the argument that starts Chromium with JavaScript off, to show
// that a page works without it.
const NoScript = "--blink-settings=scriptEnabled=false"

// StartWith is Start with more Chromium arguments (NoScript, a window size).
func StartWith(t testing.TB, args ...string) *Browser {
	t.Helper()
	driver := needs.Tool(t, "chromedriver", "chromium-driver")
	chromium := needs.Tool(t, "chromium", "chromium")
	port, err := loopback.Port()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(driver, fmt.Sprintf("--port=%d", port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &Browser{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), driver: cmd}
	// The profile folder is made before Close is registered, so that it is
	// removed after Chromium has ended (cleanups run last first).
	profile := t.TempDir()
	t.Cleanup(b.Close)
	for i := 0; ; i++ {
		if resp, err := http.Get(b.base + "/status"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("chromedriver did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": chromium, "args": append([]string{
			"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
			"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--user-data-dir=" + profile, "--lang=pl"}, args...)},
	}}}
	var resp struct {
		Value struct {
			SessionID string `json:"sessionId"`
		} `json:"value"`
	}
	b.call(http.MethodPost, "/session", caps, &resp)
	b.session = resp.Value.SessionID
	return b
}

func (b *Browser) call(method, path string, body, out any) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("webdriver %s %s: %s %s", method, path, resp.Status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("webdriver %s: %v", path, err)
		}
	}
}

func (b *Browser) s(path string) string { return "/session/" + b.session + path }

// Go loads url.
func (b *Browser) Go(url string) {
	b.call(http.MethodPost, b.s("/url"), map[string]string{"url": url}, nil)
}

// Find returns the element matching a CSS selector.
func (b *Browser) Find(css string) string {
	var resp struct {
		Value map[string]string `json:"value"`
	}
	b.call(http.MethodPost, b.s("/element"), map[string]string{"using": "css selector", "value": css}, &resp)
	return resp.Value[elementKey]
}

// Type types text into an element.
func (b *Browser) Type(el, text string) {
	b.call(http.MethodPost, b.s("/element/"+el+"/value"), map[string]string{"text": text}, nil)
}

// Click clicks an element.
func (b *Browser) Click(el string) {
	b.call(http.MethodPost, b.s("/element/"+el+"/click"), map[string]string{}, nil)
}

// Source returns the page's HTML as the browser holds it.
func (b *Browser) Source() string {
	var resp struct {
		Value string `json:"value"`
	}
	b.call(http.MethodGet, b.s("/source"), nil, &resp)
	return resp.Value
}

// URL returns the current address.
func (b *Browser) URL() string {
	var resp struct {
		Value string `json:"value"`
	}
	b.call(http.MethodGet, b.s("/url"), nil, &resp)
	return resp.Value
}

// Eval runs a script and returns its result.
func (b *Browser) Eval(script string) any {
	var resp struct {
		Value any `json:"value"`
	}
	b.call(http.MethodPost, b.s("/execute/sync"), map[string]any{"script": script, "args": []any{}}, &resp)
	return resp.Value
}

// Screenshot saves the viewport as PNG.
func (b *Browser) Screenshot(path string) {
	var resp struct {
		Value string `json:"value"`
	}
	b.call(http.MethodGet, b.s("/screenshot"), nil, &resp)
	raw, err := base64.StdEncoding.DecodeString(resp.Value)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// Close ends the session and chromedriver.
func (b *Browser) Close() {
	if b.session != "" {
		req, _ := http.NewRequest(http.MethodDelete, b.base+b.s(""), nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		b.session = ""
	}
	if b.driver != nil && b.driver.Process != nil {
		b.driver.Process.Kill()
		b.driver.Wait()
		b.driver = nil
	}
}

// Wait waits up to 30 s (a loaded CI machine is slow) until the current page's address ends with
// urlSuffix and its source contains text (clicks navigate asynchronously),
// and returns the source.
func (b *Browser) Wait(urlSuffix, text string) string {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		src := b.Source()
		url := b.URL()
		if strings.HasSuffix(strings.SplitN(url, "?", 2)[0], urlSuffix) && strings.Contains(src, text) {
			return src
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited for %q with %q; at %s:\n%.2000s", urlSuffix, text, url, src)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
