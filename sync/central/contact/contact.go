// Package contact seals a proposal applicant's contact (an e-mail or a
// phone number, the one piece of personal data the central keeps) with
// AES-256-GCM under a key kept beside the central's other keys. The store
// holds only what Seal returns; the proposal's id is bound to it, so a
// sealed contact copied onto another proposal does not open.
package contact

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileKey is the key's file in the central's data folder.
const FileKey = "contact.key"

// ErrUnreadable: a sealed contact does not open with this key.
var ErrUnreadable = errors.New("sealed contact does not open with this key")

// Sealer seals and opens contacts.
type Sealer struct{ aead cipher.AEAD }

// New returns a sealer over a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("contact key: %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// LoadOrCreate reads dir's key, making one first if there is none; the
// file is written atomically and durably (a power cut leaves the old state
// or the whole key) and only its owner can read it.
func LoadOrCreate(dir string) (*Sealer, error) {
	path := filepath.Join(dir, FileKey)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		if err := writeAtomic(path, []byte(hex.EncodeToString(key)+"\n")); err != nil {
			return nil, fmt.Errorf("contact key: %w", err)
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("contact key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: not hex", path)
	}
	return New(key)
}

// writeAtomic writes a new file beside path, syncs it, renames it over
// path (refusing to replace an existing key) and syncs the folder.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".contact-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// a link, not a rename: two processes starting together keep one key
	if err := os.Link(f.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Seal encrypts contact for proposal id; an empty contact seals to nil.
func (s *Sealer) Seal(id, contact string) []byte {
	contact = strings.TrimSpace(contact)
	if contact == "" {
		return nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(contact), []byte(id))
}

// Open decrypts what Seal made for id.
func (s *Sealer) Open(id string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", ErrUnreadable
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return "", ErrUnreadable
	}
	return string(plain), nil
}
