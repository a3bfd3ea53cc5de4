package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// API paths, under /api/v1.
const (
	PathEnroll    = "/api/v1/enroll"
	PathCatalog   = "/api/v1/catalog"
	PathBallots   = "/api/v1/ballots"
	PathHeartbeat = "/api/v1/heartbeat"
	PathVoter     = "/api/v1/voter/" // + voter key (hex)
)

// Limits of the API.
const (
	MaxBatch     = 500
	MaxBodyBytes = 4 << 20
	// MaxSkew is how far a request's time may be from the central's.
	MaxSkew = 5 * time.Minute
)

// EnrollRequest is a kiosk's first contact: a one-time code from the city
// office and the kiosk's ballot-signing key.
type EnrollRequest struct {
	Code      string `json:"code"`
	PublicKey []byte `json:"publicKey"`
}

// EnrollResponse gives the kiosk what it needs to vote and sync.
type EnrollResponse struct {
	KioskID        string `json:"kioskID"`
	Venue          string `json:"venue"`
	EditionKey     []byte `json:"editionKey"`  // verifies catalogs
	VoterSecret    []byte `json:"voterSecret"` // for voter keys; kept by the kiosk, never logged
	TLSFingerprint string `json:"tlsFingerprint,omitempty"`
}

// Catalog is a signed edition: the edition's JSON, its version, and an
// ed25519 signature by the edition key over both.
type Catalog struct {
	Version int    `json:"version"`
	Edition []byte `json:"edition"` // the edition JSON
	Sig     []byte `json:"sig"`
}

func (c *Catalog) signingBytes() []byte {
	h := sha256.Sum256(c.Edition)
	return fmt.Appendf(nil, "urna-catalog-v1\n%d\n%x", c.Version, h)
}

// Sign signs the catalog with the edition key.
func (c *Catalog) Sign(key ed25519.PrivateKey) { c.Sig = ed25519.Sign(key, c.signingBytes()) }

// Errors of catalog checks.
var (
	ErrCatalogSignature = errors.New("catalog signature does not verify")
	ErrCatalogRollback  = errors.New("catalog is older than the one installed")
)

// Verify checks the signature, and that the catalog is not older than have.
func (c *Catalog) Verify(pub ed25519.PublicKey, have int) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, c.signingBytes(), c.Sig) {
		return ErrCatalogSignature
	}
	if c.Version < have {
		return fmt.Errorf("%w: version %d < %d", ErrCatalogRollback, c.Version, have)
	}
	return nil
}

// BallotBatch is a batch of sealed ballots from one kiosk.
type BallotBatch struct {
	Ballots []SealedBallot `json:"ballots"`
}

// Status is the central's answer for one ballot.
type Status string

// Ballot statuses.
const (
	Accepted      Status = "accepted"  // stored and counted
	Duplicate     Status = "duplicate" // stored; an earlier ballot of the same voter counts
	BadSignature  Status = "invalid-signature"
	UnknownKiosk  Status = "unknown-kiosk"
	WrongKiosk    Status = "wrong-kiosk"   // a ballot of another kiosk
	RevokedKiosk  Status = "revoked-kiosk" // the city office revoked the kiosk (stolen or lost)
	WrongEdition  Status = "wrong-edition"
	OutsideWindow Status = "outside-window"
	Invalid       Status = "invalid" // breaks a ballot rule (Reason names it)
	// Contested: stored, but kept aside for the city office's review
	// (Reason: contested, backdated, future, unregistered, set-aside); it does not count until
	// released.
	Contested Status = "contested"
	// SeqAhead: the number is far beyond the kiosk's last one (refused; sent
	// again after the ones before it arrive).
	SeqAhead Status = "seq-ahead"
	// NotAdmitted: the edition admits only voter codes the central issued,
	// and this voter key is not one of them.
	NotAdmitted Status = "not-admitted"
	// SeqTaken: the central holds another ballot of this kiosk under this
	// number (a kiosk that numbered again after losing its store).
	SeqTaken Status = "seq-taken"
	// Withheld: stored; whether it counts is not told, because the kiosk
	// has used up its budget of answers about voters (a batch would
	// otherwise tell a stolen kiosk who voted). The kiosk marks it done.
	Withheld Status = "stored"
)

// MaxSeqAhead is how far beyond the highest number the central holds of
// a kiosk (or the kiosk's committed head) a ballot's number may be: more
// than a busy kiosk takes in days offline, far less than a number that
// would make every gap report large.
const MaxSeqAhead = 20000

// Stored reports whether the central keeps the ballot (the kiosk may mark it done).
func (s Status) Stored() bool {
	return s == Accepted || s == Duplicate || s == Contested || s == Withheld
}

// Result is the answer for one ballot of a batch.
type Result struct {
	ID     string `json:"id"`
	Seq    uint64 `json:"seq"`
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// BatchResponse answers every ballot of a batch on its own.
type BatchResponse struct {
	Results []Result `json:"results"`
}

// Heartbeat is what a kiosk reports every minute. No personal data.
type Heartbeat struct {
	Version       string    `json:"version"`
	Catalog       int       `json:"catalog"`
	QueueDepth    int       `json:"queueDepth"`
	OldestPending time.Time `json:"oldestPending,omitzero"`
	LastSeq       uint64    `json:"lastSeq"`
	// HeadID is the ID of the kiosk's ballot LastSeq: with LastSeq, the
	// chain head the kiosk commits to in this signed request.
	HeadID     string    `json:"headID,omitempty"`
	Printer    string    `json:"printer"` // ok, paper-near-end, paper-out, cover-open, offline, error
	FreeDiskMB int64     `json:"freeDiskMB"`
	KioskTime  time.Time `json:"kioskTime"`
}

// HeartbeatResponse gives the central's time (for clock skew) and catalog version.
type HeartbeatResponse struct {
	CentralTime time.Time `json:"centralTime"`
	Catalog     int       `json:"catalog"`
}

// VoterStatus answers whether a voter key has a counted ballot and, when
// the edition admits only issued codes or a register, whether the key is
// admitted: the kiosk then refuses a code the central never issued without
// holding any list of codes.
type VoterStatus struct {
	Voted       bool `json:"voted"`
	NotAdmitted bool `json:"notAdmitted,omitempty"`
}

// Request signing: a kiosk signs each request with its ballot key.
const (
	HeaderKiosk = "X-Urna-Kiosk"
	HeaderTime  = "X-Urna-Time"
	HeaderSig   = "X-Urna-Signature"
)

// requestBytes is what a request's signature covers. A request without a
// query string keeps the first form, so that kiosks from before the query
// was signed still verify; one with a query string (which those kiosks
// never send) is signed with it, so that nobody on the way can change it.
func requestBytes(method, path, query string, t int64, body []byte) []byte {
	h := sha256.Sum256(body)
	if query == "" {
		return fmt.Appendf(nil, "urna-request-v1\n%s\n%s\n%d\n%x", method, path, t, h)
	}
	return fmt.Appendf(nil, "urna-request-v2\n%s\n%s\n%s\n%d\n%x", method, path, query, t, h)
}

// SignRequest sets the kiosk's headers on r for body; sign signs with the
// kiosk's key (the kiosk's queue owns it).
func SignRequest(r *http.Request, kiosk string, sign func([]byte) []byte, body []byte, now time.Time) {
	t := now.Unix()
	r.Header.Set(HeaderKiosk, kiosk)
	r.Header.Set(HeaderTime, strconv.FormatInt(t, 10))
	r.Header.Set(HeaderSig, hex.EncodeToString(sign(requestBytes(r.Method, r.URL.Path, r.URL.RawQuery, t, body))))
}

// Errors of request verification.
var (
	ErrRequestUnsigned = errors.New("request is not signed")
	ErrRequestSig      = errors.New("request signature does not verify")
	ErrRequestTime     = errors.New("request time is too far from the central's")
)

// VerifyRequest checks a request's signature under the kiosk's key.
func VerifyRequest(r *http.Request, pub ed25519.PublicKey, body []byte, now time.Time) error {
	t, err := strconv.ParseInt(r.Header.Get(HeaderTime), 10, 64)
	sig, err2 := hex.DecodeString(r.Header.Get(HeaderSig))
	if err != nil || err2 != nil || len(sig) == 0 {
		return ErrRequestUnsigned
	}
	if d := now.Sub(time.Unix(t, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrRequestTime
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, requestBytes(r.Method, r.URL.Path, r.URL.RawQuery, t, body), sig) {
		return ErrRequestSig
	}
	return nil
}
