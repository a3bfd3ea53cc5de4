package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestRequestSignatureCoversQuery: changing, adding or dropping a signed
// request's query string breaks its signature; a request without a query
// signed the old way (as kiosks from before sign it) still verifies.
func TestRequestSignatureCoversQuery(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	sign := func(b []byte) []byte { return ed25519.Sign(key, b) }
	now := time.Unix(1_750_000_000, 0)
	body := []byte(`{"queueDepth":1}`)
	signed := func(url string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, url, nil)
		SignRequest(r, "k-1", sign, body, now)
		return r
	}
	moved := func(r *http.Request, query string) *http.Request {
		r.URL.RawQuery = query
		return r
	}
	cases := map[string]struct {
		req  *http.Request
		want error
	}{
		"query as signed": {signed("https://c.example/api/v1/catalog?since=3"), nil},
		"no query":        {signed("https://c.example/api/v1/catalog"), nil},
		"query changed":   {moved(signed("https://c.example/api/v1/catalog?since=3"), "since=1"), ErrRequestSig},
		"query dropped":   {moved(signed("https://c.example/api/v1/catalog?since=3"), ""), ErrRequestSig},
		"query added":     {moved(signed("https://c.example/api/v1/catalog"), "since=1"), ErrRequestSig},
	}
	for name, c := range cases {
		if err := VerifyRequest(c.req, pub, body, now); !errors.Is(err, c.want) && err != c.want {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// An old kiosk's signature: the first form, without the query.
	old, _ := http.NewRequest(http.MethodPost, "https://c.example"+PathHeartbeat, nil)
	h := sha256.Sum256(body)
	old.Header.Set(HeaderKiosk, "k-1")
	old.Header.Set(HeaderTime, strconv.FormatInt(now.Unix(), 10))
	old.Header.Set(HeaderSig, hex.EncodeToString(sign(fmt.Appendf(nil, "urna-request-v1\n%s\n%s\n%d\n%x", http.MethodPost, PathHeartbeat, now.Unix(), h))))
	if err := VerifyRequest(old, pub, body, now); err != nil {
		t.Fatalf("an old kiosk's request: %v", err)
	}
	if err := VerifyRequest(moved(old, "x=1"), pub, body, now); !errors.Is(err, ErrRequestSig) {
		t.Fatalf("an old kiosk's request with a query added: %v", err)
	}
}
