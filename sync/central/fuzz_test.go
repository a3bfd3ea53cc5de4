package central

import (
	"archive/tar"
	"bytes"
	"net/http"
	"net/netip"
	"testing"
)

// FuzzClientKey: any peer address and X-Forwarded-For give a key, never
// a panic, and an untrusted peer's header never changes it.
func FuzzClientKey(f *testing.F) {
	for _, s := range [][2]string{{"10.0.0.5:1", "198.51.100.1, 10.0.0.7"}, {"[2001:db8::1]:1", "::ffff:1.2.3.4"}, {"x", ",,,"}, {"10.1.1.1:9", "zzz, 1.2.3.4"}} {
		f.Add(s[0], s[1])
	}
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {xff}}}
		key := clientKey(r, trusted)
		if a, err := netip.ParseAddrPort(remote); err == nil && !trusted[0].Contains(a.Addr().Unmap()) {
			if bare := clientKey(&http.Request{RemoteAddr: remote, Header: http.Header{}}, trusted); bare != key {
				t.Fatalf("an untrusted peer's X-Forwarded-For moved its key: %q vs %q", key, bare)
			}
		}
	})
}

// FuzzReadBackup: any bytes are read as a backup or refused, never a panic.
func FuzzReadBackup(f *testing.F) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	m := []byte(`{"format":1,"store":"bolt","files":["edition.key"]}`)
	tw.WriteHeader(&tar.Header{Name: backupManifest, Size: int64(len(m)), Mode: 0o600})
	tw.Write(m)
	tw.WriteHeader(&tar.Header{Name: "edition.key", Size: 3, Mode: 0o600})
	tw.Write([]byte("abc"))
	tw.Close()
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:len(b.Bytes())/2])
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		readBackup(bytes.NewReader(raw))
	})
}
