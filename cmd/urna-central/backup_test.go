package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/loopback"
)

// TestBackupCommands: urna-central backup, then restore into a new
// folder; the restored central tallies the same results.
func TestBackupCommands(t *testing.T) {
	dir := t.TempDir()
	edition := filepath.Join("..", "..", "assets", "demo", "edition.json")
	for _, args := range [][]string{{"init", "--data", dir}, {"catalog", "import", "--data", dir, edition}, {"catalog", "publish", "--data", dir}} {
		if _, err := capture(t, func() error { return commands[args[0]].run(args[1:]) }); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	want, err := capture(t, func() error { return cmdResults([]string{"--data", dir, "--format", "csv"}) })
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "central.backup")
	if out, err := capture(t, func() error { return cmdBackup([]string{"--data", dir, archive}) }); err != nil || !strings.Contains(out, "edition.key") {
		t.Fatalf("backup: %v %s", err, out)
	}
	fresh := filepath.Join(t.TempDir(), "new")
	if out, err := capture(t, func() error { return cmdRestore([]string{"--data", fresh, archive}) }); err != nil || !strings.Contains(out, "restored the bolt store") {
		t.Fatalf("restore: %v %s", err, out)
	}
	got, err := capture(t, func() error { return cmdResults([]string{"--data", fresh, "--format", "csv"}) })
	if err != nil || got != want {
		t.Fatalf("results after restore: %v\n%s\nwant\n%s", err, got, want)
	}
	for _, name := range []string{"edition.key", "voter.secret", "edition.json", "central.db"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(fresh, name))
		if name != "central.db" && string(a) != string(b) {
			t.Errorf("%s differs after restore", name)
		}
		if len(b) == 0 {
			t.Errorf("%s missing after restore", name)
		}
	}
	if err := cmdRestore([]string{"--data", fresh, archive}); err == nil || !strings.Contains(sentence("uk", err), "Місце відновлення не порожнє") {
		t.Fatalf("a restore over keys, in Ukrainian: %v", err)
	}
	// a cut-off archive is named so, in the staff's language
	raw, _ := os.ReadFile(archive)
	cut := filepath.Join(t.TempDir(), "cut.backup")
	os.WriteFile(cut, raw[:len(raw)/2], 0o600)
	err = cmdRestore([]string{"--data", filepath.Join(t.TempDir(), "new"), cut})
	if s := sentence("uk", err); !strings.Contains(s, "обрізана") {
		t.Fatalf("restore of a cut-off archive, in Ukrainian: %s", s)
	}
}

// TestBackupWhileServeRuns: urna-central serve holds the bbolt file, so
// urna-central backup gets the copy from it over the data folder's socket.
func TestBackupWhileServeRuns(t *testing.T) {
	dir := t.TempDir()
	edition := filepath.Join("..", "..", "assets", "demo", "edition.json")
	for _, args := range [][]string{{"init", "--data", dir}, {"catalog", "import", "--data", dir, edition}, {"catalog", "publish", "--data", dir}} {
		if _, err := capture(t, func() error { return commands[args[0]].run(args[1:]) }); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	addr := loopback.Addr(t)
	served := make(chan error, 1)
	go func() { served <- cmdServe([]string{"--data", dir, "--listen", addr, "--insecure-http"}) }()
	for i := 0; ; i++ {
		if c, err := net.Dial("unix", filepath.Join(dir, "backup.sock")); err == nil {
			c.Close()
			break
		} else if i == 100 {
			t.Fatalf("serve did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	archive := filepath.Join(t.TempDir(), "central.backup")
	out, err := capture(t, func() error { return cmdBackup([]string{"--data", dir, archive}) })
	syscall.Kill(os.Getpid(), syscall.SIGTERM) // serve stops on it
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if err != nil || !strings.Contains(out, "bolt store") {
		t.Fatalf("backup while serving: %v %s", err, out)
	}
	fresh := filepath.Join(t.TempDir(), "new")
	if _, err := capture(t, func() error { return cmdRestore([]string{"--data", fresh, archive}) }); err != nil {
		t.Fatal(err)
	}
	want, _ := capture(t, func() error { return cmdResults([]string{"--data", dir, "--format", "csv"}) })
	got, err := capture(t, func() error { return cmdResults([]string{"--data", fresh, "--format", "csv"}) })
	if err != nil || got != want || !strings.Contains(got, "BO.OM.1/25") {
		t.Fatalf("results after restore: %v\n%s", err, got)
	}
}
