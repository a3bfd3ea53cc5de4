package wire

import (
	"crypto/ed25519"
	"errors"
	"strings"
)

// ResultsFile is a signed results document as published: the signed
// results with the edition's public key beside them. The key is trusted
// only when its fingerprint matches the one printed on paper at the voting
// points (KeyFingerprint), never because the file carries it.
type ResultsFile struct {
	EditionKey ed25519.PublicKey `json:"editionKey"`
	SignedResults
}

// ErrKeyFingerprint means the file's key is not the one whose fingerprint was given.
var ErrKeyFingerprint = errors.New("the results are not signed by the key with this fingerprint")

// Check verifies the file against a fingerprint as printed (spaces and
// case do not matter).
func (f *ResultsFile) Check(fingerprint string) error {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	if len(f.EditionKey) != ed25519.PublicKeySize || norm(fingerprint) == "" || norm(KeyFingerprint(f.EditionKey)) != norm(fingerprint) {
		return ErrKeyFingerprint
	}
	return f.Verify(f.EditionKey)
}
