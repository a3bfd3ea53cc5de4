package main

import (
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
)

// stdout runs f and returns what it printed.
func stdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	ferr := f()
	os.Stdout = old
	w.Close()
	return string(<-done), ferr
}

func startVirtual(t *testing.T, transport, profile string) *virtual.Printer {
	t.Helper()
	p, err := printer.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	v, err := virtual.Start(virtual.Options{Profile: p, Transport: transport, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// TestPortsScanFindsNetworkPrinter: `urnactl ports --scan` lists a printer
// listening on a loopback address (tests scan only 127.0.0.0/8).
func TestPortsScanFindsNetworkPrinter(t *testing.T) {
	v := startVirtual(t, virtual.TCP, "epson-tm-m30iii")
	port := v.Path()[strings.LastIndex(v.Path(), ":")+1:]
	out, err := stdout(t, func() error { return cmdPorts([]string{"--scan", "127.0.0.0/29", "--scan-port", port}) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "tcp") || !strings.Contains(out, v.Path()) {
		t.Fatalf("ports --scan does not list %s:\n%s", v.Path(), out)
	}
	if strings.Count(out, ":"+port) != 1 {
		t.Fatalf("only 127.0.0.1 listens:\n%s", out)
	}
	if err := cmdPorts([]string{"--scan", "10.0.0.0/8"}); err == nil {
		t.Fatal("a /8 was scanned")
	}
}

// TestProbeAndTestOnEachTransport: `urnactl printer probe` finds a USB,
// network and serial printer, and `printer test` prints the test page on it.
func TestProbeAndTestOnEachTransport(t *testing.T) {
	for _, tr := range []string{virtual.USB, virtual.TCP, virtual.Serial} {
		t.Run(tr, func(t *testing.T) {
			v := startVirtual(t, tr, "epson-tm-t88v")
			args := []string{"probe", "--address", v.Path(), "--transport", tr, "--profile", "epson-tm-t88v"}
			out, err := stdout(t, func() error { return cmdPrinter(args) })
			if err != nil {
				t.Fatalf("probe: %v\n%s", err, out)
			}
			if !strings.Contains(out, "answers") || !strings.Contains(out, ": ok; profile guess: epson-tm-t88v") || !strings.Contains(out, "next: urnactl printer test --address "+v.Path()) {
				t.Fatalf("probe said:\n%s", out)
			}
			if tr == virtual.Serial && !strings.Contains(out, "answers at "+strconv.Itoa(printer.Bauds[0])+" baud") {
				t.Fatalf("serial probe did not give the baud rate:\n%s", out)
			}
			if _, err := stdout(t, func() error {
				return cmdPrinter([]string{"test", "--address", v.Path(), "--transport", tr, "--profile", "epson-tm-t88v", "--lang", "uk"})
			}); err != nil {
				t.Fatal(err)
			}
			pages := v.Pages()
			if len(pages) != 1 || !strings.Contains(pages[0].Text(), "ESC t 46 = CP1251") {
				t.Fatalf("test page: %d pages", len(pages))
			}
		})
	}
}
