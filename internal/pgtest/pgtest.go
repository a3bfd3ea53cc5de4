// Package pgtest starts a throwaway PostgreSQL server for tests: initdb and
// pg_ctl as the postgres user, on a loopback port, in a temporary folder.
// One server serves a test binary; each caller gets a fresh database.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/urna-kiosk/urna/internal/loopback"
	"github.com/urna-kiosk/urna/internal/needs"
)

var (
	once   sync.Once
	dir    string
	port   int
	bin    string
	err    error
	serial atomic.Int64
)

// binDir finds initdb: on PATH, or in Debian's versioned folder.
func binDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1])
	}
	return ""
}

// asPostgres runs a server command as the postgres user when we are root
// (initdb refuses root).
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func start() {
	bin = binDir()
	if bin == "" {
		err = fmt.Errorf("PostgreSQL is not installed (apt-get install postgresql, or `make test-deps`)")
		return
	}
	if dir, err = os.MkdirTemp("", "urna-pg-"); err != nil {
		return
	}
	if os.Geteuid() == 0 {
		u, e := user.Lookup("postgres")
		if e != nil {
			err = fmt.Errorf("no postgres user: %w", e)
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(dir, uid, gid)
	}
	if port, err = loopback.Port(); err != nil {
		return
	}
	if out, e := asPostgres(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); e != nil {
		err = fmt.Errorf("initdb: %v: %s", e, out)
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", port, dir)
	if out, e := asPostgres(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-o", opts,
		"-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); e != nil {
		err = fmt.Errorf("pg_ctl start: %v: %s", e, out)
	}
}

// DSN returns the address of a fresh, empty database on the test server,
// starting the server on first use. Without PostgreSQL the test skips, or
// fails under CI=true.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if err != nil {
		needs.Missing(t, err.Error())
	}
	name := fmt.Sprintf("urna_%d_%d", os.Getpid(), serial.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, e := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", port))
	if e != nil {
		t.Fatalf("pgtest: %v", e)
	}
	defer conn.Close(ctx)
	if _, e := conn.Exec(ctx, "CREATE DATABASE "+name); e != nil {
		t.Fatalf("pgtest: %v", e)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, name)
}

// Dir is the server's folder (data files and log), for tests that scan
// what it wrote; "" before the server started.
func Dir() string { return dir }

// Stop stops the server and removes its files; call it from TestMain.
func Stop() {
	if dir == "" {
		return
	}
	asPostgres(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(dir)
}
