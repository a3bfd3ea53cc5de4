package agent

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The kiosk trusts exactly the pinned certificate: the right pin connects,
// any other (another server's certificate) does not.
func TestPinnedClient(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	pin := Fingerprint(srv.Certificate())
	for name, p := range map[string]string{"lower": pin, "upper with colons": strings.ToUpper(pin[:2] + ":" + pin[2:])} {
		resp, err := PinnedClient(p).Get(srv.URL)
		if err != nil {
			t.Fatalf("%s pin: %v", name, err)
		}
		resp.Body.Close()
	}
	// httptest servers share one certificate: make another one.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("other")) }))
	other.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	other.StartTLS()
	defer other.Close()
	if Fingerprint(cert) == pin {
		t.Fatal("the two certificates are the same")
	}
	if _, err := PinnedClient(pin).Get(other.URL); err == nil {
		t.Fatal("a client pinned to one certificate connected to a server with another")
	}
	if resp, err := PinnedClient(Fingerprint(cert)).Get(other.URL); err != nil {
		t.Fatalf("its own pin: %v", err)
	} else {
		resp.Body.Close()
	}
	if _, err := http.Get(srv.URL); err == nil {
		t.Fatal("the self-signed certificate passed ordinary verification")
	}
}
