package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// ClosingReport is a kiosk's closing report as a signed message: its counts
// and chain head when staff closed the point, sent online and carried in
// the USB export, so that the central compares it with what it holds
// (election.Reconcile) without a person reading paper.
type ClosingReport struct {
	election.ClosingReport
	Edition  string    `json:"edition"`
	ClosedAt time.Time `json:"closedAt"`
	Today    int       `json:"today"` // ballots since the last opening
	Sig      []byte    `json:"sig"`
}

func (r *ClosingReport) signingBytes() []byte {
	return fmt.Appendf(nil, "urna-closing-v1\n%s\n%s\n%d\n%d\n%d\n%s\n%s", r.Kiosk, r.Edition, r.Ballots, r.Today,
		r.LastSeq, r.Head, r.ClosedAt.UTC().Format(time.RFC3339Nano))
}

// Sign signs the report with the kiosk key.
func (r *ClosingReport) Sign(key ed25519.PrivateKey) { r.Sig = ed25519.Sign(key, r.signingBytes()) }

// ErrReportSignature means a closing report was not signed by its kiosk.
var ErrReportSignature = errors.New("closing report signature does not verify")

// Verify checks the report against its kiosk's public key.
func (r *ClosingReport) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, r.signingBytes(), r.Sig) {
		return ErrReportSignature
	}
	return nil
}

// SignedResults are an edition's results as a document anyone can check
// with the edition key: the results' JSON exactly as published, signed.
// The key's fingerprint is printed where the server cannot change it
// afterwards (the opening and closing reports, the posters).
type SignedResults struct {
	Edition string    `json:"edition"`
	Catalog int       `json:"catalog"` // the catalog version the results are for
	At      time.Time `json:"at"`
	State   string    `json:"state"`   // election.ResultsState when signed
	Results []byte    `json:"results"` // the results JSON
	Sig     []byte    `json:"sig"`
}

func (s *SignedResults) signingBytes() []byte {
	h := sha256.Sum256(s.Results)
	return fmt.Appendf(nil, "urna-results-v1\n%s\n%d\n%s\n%s\n%x", s.Edition, s.Catalog, s.At.UTC().Format(time.RFC3339Nano), s.State, h)
}

// Sign signs the results with the edition key.
func (s *SignedResults) Sign(key ed25519.PrivateKey) { s.Sig = ed25519.Sign(key, s.signingBytes()) }

// ErrResultsSignature means results were not signed by the edition key given.
var ErrResultsSignature = errors.New("results signature does not verify with this edition key")

// Verify checks the results against the edition's public key.
func (s *SignedResults) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, s.signingBytes(), s.Sig) {
		return ErrResultsSignature
	}
	return nil
}

// KeyFingerprint is how a public key is printed on paper for people to
// compare: the first 16 bytes of its SHA-256 in groups of four hex digits.
func KeyFingerprint(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	s := hex.EncodeToString(h[:16])
	var out []byte
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i:i+4]...)
	}
	return string(out)
}
