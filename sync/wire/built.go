package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// SignedBuilt is what the winning projects of past editions became (their
// implementation records, JSON), signed with the edition key as the
// catalog is, for the kiosks' promotion phase: "what was built near you".
type SignedBuilt struct {
	Edition  string    `json:"edition"` // the edition whose key signs it
	At       time.Time `json:"at"`
	Projects []byte    `json:"projects"` // []BuiltProject as JSON
	Sig      []byte    `json:"sig"`
}

// BuiltProject is one winning project and how far it got.
type BuiltProject struct {
	Edition     string            `json:"edition"`
	EditionName map[string]string `json:"editionName"`
	Number      string            `json:"number"`
	Pool        string            `json:"pool"`
	Title       map[string]string `json:"title"`
	Cost        int64             `json:"cost"`
	Unit        string            `json:"unit,omitempty"`
	Stage       string            `json:"stage"`
	Reason      string            `json:"reason,omitempty"`
	Latest      time.Time         `json:"latest,omitzero"` // the last milestone's date
	Note        string            `json:"note,omitempty"`  // the last milestone's note
}

func (s *SignedBuilt) signingBytes() []byte {
	h := sha256.Sum256(s.Projects)
	return fmt.Appendf(nil, "urna-built-v1\n%s\n%s\n%x", s.Edition, s.At.UTC().Format(time.RFC3339Nano), h)
}

// Sign signs it with the edition key.
func (s *SignedBuilt) Sign(key ed25519.PrivateKey) { s.Sig = ed25519.Sign(key, s.signingBytes()) }

// ErrBuiltSignature means the implementation records were not signed by
// the edition key given.
var ErrBuiltSignature = errors.New("implementation records signature does not verify with this edition key")

// Verify checks it against the edition's public key.
func (s *SignedBuilt) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, s.signingBytes(), s.Sig) {
		return ErrBuiltSignature
	}
	return nil
}
