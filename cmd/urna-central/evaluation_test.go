package main

import (
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/loopback"
)

// TestServeEvaluationFlag: "how easy was it to vote?" is off unless serve
// runs with --evaluation, which switches the web question on (main had no
// such flag).
func TestServeEvaluationFlag(t *testing.T) {
	dir := t.TempDir()
	edition := filepath.Join("..", "..", "assets", "demo", "edition.json")
	for _, args := range [][]string{{"init", "--data", dir}, {"catalog", "import", "--data", dir, edition}, {"catalog", "publish", "--data", dir}} {
		if _, err := capture(t, func() error { return commands[args[0]].run(args[1:]) }); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	status := func(extra ...string) int {
		t.Helper()
		addr := loopback.Addr(t)
		served := make(chan error, 1)
		go func() {
			served <- cmdServe(append([]string{"--data", dir, "--listen", addr, "--insecure-http"}, extra...))
		}()
		code := 0
		for i := 0; code == 0; i++ {
			if resp, err := http.Get("http://" + addr + "/evaluate"); err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			} else if i == 200 {
				t.Fatalf("serve did not start: %v", err)
			} else {
				time.Sleep(50 * time.Millisecond)
			}
		}
		syscall.Kill(os.Getpid(), syscall.SIGTERM) // serve stops on it
		if err := <-served; err != nil {
			t.Fatalf("serve: %v", err)
		}
		return code
	}
	if code := status(); code != http.StatusNotFound {
		t.Fatalf("without --evaluation, /evaluate answers %d", code)
	}
	if code := status("--evaluation"); code != http.StatusOK {
		t.Fatalf("with --evaluation, /evaluate answers %d", code)
	}
}
