package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// startXvfb starts a virtual screen of size (e.g. "1080x1920") and returns
// its display (":N") once the server is ready. Xvfb picks a free display
// itself (-displayfd), so stale sockets in /tmp/.X11-unix from servers
// that were killed do not matter. The server stops when the test ends.
func startXvfb(t *testing.T, xvfb, size string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", size+"x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not say which display it took: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}
