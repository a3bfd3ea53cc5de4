// Package wire holds what crosses the network between kiosks and the
// central: sealed ballots with their canonical encoding and signatures,
// tracker codes, and the API's requests and responses.
package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// SealedBallot is a ballot as a kiosk commits it: numbered in the kiosk's
// sequence, chained to the previous ballot by hash, and signed by the
// kiosk's ed25519 key. Its ID is the hash of its signed encoding.
type SealedBallot struct {
	ID         string               `json:"id"`
	Kiosk      string               `json:"kiosk"`
	Seq        uint64               `json:"seq"`
	Prev       string               `json:"prev"` // ID of the kiosk's previous ballot; "" for the first
	CastAt     time.Time            `json:"castAt"`
	Edition    string               `json:"edition"`
	Catalog    int                  `json:"catalog"`
	District   string               `json:"district"`
	VoterKey   election.VoterKey    `json:"voterKey"`
	Selections []election.Selection `json:"selections"`
	Sig        []byte               `json:"sig"`
}

// signed is the part of a sealed ballot that the signature covers, in a
// fixed field order: encoding/json writes struct fields in declaration order.
type signed struct {
	Domain     string               `json:"domain"`
	Kiosk      string               `json:"kiosk"`
	Seq        uint64               `json:"seq"`
	Prev       string               `json:"prev"`
	CastAt     string               `json:"castAt"`
	Edition    string               `json:"edition"`
	Catalog    int                  `json:"catalog"`
	District   string               `json:"district"`
	VoterKey   election.VoterKey    `json:"voterKey"`
	Selections []election.Selection `json:"selections"`
}

const ballotDomain = "urna-ballot-v1"

// SigningBytes returns the canonical encoding the signature covers.
func (b *SealedBallot) SigningBytes() []byte {
	sel := b.Selections
	if sel == nil {
		sel = []election.Selection{}
	}
	out, err := json.Marshal(signed{ballotDomain, b.Kiosk, b.Seq, b.Prev,
		b.CastAt.UTC().Format(time.RFC3339Nano), b.Edition, b.Catalog, b.District, b.VoterKey, sel})
	if err != nil {
		panic(err) // only plain values: cannot fail
	}
	return out
}

// Hash returns the hash of the signed encoding and the signature; the next
// ballot's Prev and this ballot's ID are its hex form.
func (b *SealedBallot) Hash() [32]byte { return hashOf(b.SigningBytes(), b.Sig) }

func hashOf(msg, sig []byte) [32]byte {
	h := sha256.New()
	h.Write(msg)
	h.Write(sig)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Seal signs b with key and sets its ID. CastAt is kept to the millisecond
// in UTC so that every encoder agrees on it.
func (b *SealedBallot) Seal(key ed25519.PrivateKey) {
	b.CastAt = b.CastAt.UTC().Truncate(time.Millisecond)
	msg := b.SigningBytes()
	b.Sig = ed25519.Sign(key, msg)
	h := hashOf(msg, b.Sig)
	b.ID = hex.EncodeToString(h[:])
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("ballot signature does not verify")
	ErrBadID        = errors.New("ballot id is not the hash of its content")
)

// Verify checks the signature under pub and that the ID matches the content.
func (b *SealedBallot) Verify(pub ed25519.PublicKey) error {
	msg := b.SigningBytes()
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, msg, b.Sig) {
		return ErrBadSignature
	}
	h := hashOf(msg, b.Sig)
	if b.ID != hex.EncodeToString(h[:]) {
		return ErrBadID
	}
	return nil
}

// Tracker returns the code printed on the receipt: 80 bits of the ballot's
// ID in groups of four, without letters residents confuse.
func (b *SealedBallot) Tracker() string { return TrackerOf(b.ID) }

var trackerEncoding = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// TrackerOf derives the tracker code from a ballot ID.
func TrackerOf(id string) string {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) < 10 {
		return ""
	}
	s := trackerEncoding.EncodeToString(raw[:10])
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// NormalizeTracker accepts a tracker as a resident types it (any case,
// spaces or dashes) and returns its canonical form, or "".
func NormalizeTracker(s string) string {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
	if len(c) != 16 {
		return ""
	}
	if _, err := trackerEncoding.DecodeString(c); err != nil {
		return ""
	}
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// TrackerBytes decodes a canonical tracker into the ID bytes it holds.
func TrackerBytes(t string) ([]byte, error) {
	return trackerEncoding.DecodeString(strings.ReplaceAll(t, "-", ""))
}
