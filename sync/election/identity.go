package election

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
)

// codeAlphabet leaves out 0/O and 1/I, which residents confuse on paper.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

const codeBodyLen = 8

// codeCheck is the Luhn mod N check character over the alphabet: it catches
// every single wrong character and most swaps of neighbours.
func codeCheck(body string) (byte, bool) {
	n := len(codeAlphabet)
	factor, sum := 2, 0
	for i := len(body) - 1; i >= 0; i-- {
		v := strings.IndexByte(codeAlphabet, body[i])
		if v < 0 {
			return 0, false
		}
		a := factor * v
		sum += a/n + a%n
		if factor == 2 {
			factor = 1
		} else {
			factor = 2
		}
	}
	return codeAlphabet[(n-sum%n)%n], true
}

// NormalizeVoterCode checks a city-issued voter code (case, spaces and
// dashes do not matter) and returns it in canonical form: prefix, eight
// characters and a check character, upper case, without separators.
func NormalizeVoterCode(prefix, s string) (string, error) {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	p := strings.ToUpper(strings.ReplaceAll(prefix, "-", ""))
	if !strings.HasPrefix(c, p) || len(c) != len(p)+codeBodyLen+1 {
		return "", Problem{Key: KeyCodeFormat}
	}
	body := c[len(p) : len(c)-1]
	want, ok := codeCheck(body)
	if !ok {
		return "", Problem{Key: KeyCodeFormat}
	}
	if c[len(c)-1] != want {
		return "", Problem{Key: KeyCodeCheck}
	}
	return c, nil
}

// NewVoterCode draws a fresh voter code from rnd (crypto/rand in
// production), formatted for printing as PREFIX-XXXX-XXXX-C.
func NewVoterCode(prefix string, rnd io.Reader) (string, error) {
	buf := make([]byte, codeBodyLen)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return "", err
	}
	for i, b := range buf {
		buf[i] = codeAlphabet[int(b)%len(codeAlphabet)]
	}
	check, _ := codeCheck(string(buf))
	return fmt.Sprintf("%s-%s-%s-%c", strings.ToUpper(prefix), buf[:4], buf[4:], check), nil
}

// IdentityKind tells a PESEL from a city-issued code.
type IdentityKind string

// Identity kinds.
const (
	ByPESEL IdentityKind = "pesel"
	ByCode  IdentityKind = "code"
)

// Identity is who a resident says they are, normalised. It lives only in a
// session's memory and is wiped when the session ends.
type Identity struct {
	Kind     IdentityKind
	Value    string    // the PESEL digits or the canonical code
	Birth    time.Time // zero for codes: the city checked age when issuing them
	Resident bool      // the residency declaration was confirmed
}

// Wipe overwrites the identity so that nothing typed remains in it.
func (id *Identity) Wipe() { *id = Identity{} }

// Eligible checks an identity against the edition's age rules at now. It
// reports whether a guardian's consent is needed.
func (e *Edition) Eligible(id Identity, now time.Time) (needsGuardian bool, err error) {
	if !id.Resident {
		return false, Problem{Key: KeyNoDeclaration}
	}
	if id.Birth.IsZero() {
		return false, nil
	}
	age := Age(id.Birth, now.In(e.Location()))
	if age < e.Eligibility.MinAge {
		return false, Problem{Key: KeyTooYoung, Detail: fmt.Sprintf("minimum %d", e.Eligibility.MinAge)}
	}
	return e.Eligibility.GuardianAge > 0 && age < e.Eligibility.GuardianAge, nil
}

// VoterKey identifies a resident across kiosks without revealing them:
// HMAC-SHA256 of the normalised identity under the edition's secret.
type VoterKey [32]byte

// NewVoterKey derives the voter key of id under secret.
func NewVoterKey(secret []byte, id Identity) VoterKey {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(string(id.Kind) + ":" + id.Value))
	var k VoterKey
	copy(k[:], m.Sum(nil))
	return k
}

func (k VoterKey) String() string { return hex.EncodeToString(k[:]) }

// MarshalText encodes the key as hex.
func (k VoterKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a hex key.
func (k *VoterKey) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(k) {
		return fmt.Errorf("voter key: want %d hex digits, got %d", 2*len(k), len(b))
	}
	_, err := hex.Decode(k[:], b)
	return err
}
