// Package loopback picks free TCP ports on 127.0.0.1 for the servers tests
// start (PostgreSQL, chromedriver, urna-central).
package loopback

import (
	"net"
	"strconv"
	"testing"
)

// Port returns a TCP port on 127.0.0.1 that was free a moment ago.
func Port() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr returns "127.0.0.1:PORT" with a free port; it fails t if there is none.
func Addr(t testing.TB) string {
	t.Helper()
	p, err := Port()
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(p)
}
