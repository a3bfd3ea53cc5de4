package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// API paths of the stages before the vote (kiosk-signed like the rest).
const (
	PathTimeline        = "/api/v1/timeline"
	PathProposals       = "/api/v1/proposals"         // POST: submit
	PathProposalStatus  = "/api/v1/proposals/status"  // POST: tracker + secret
	PathProposalProtest = "/api/v1/proposals/protest" // POST: tracker + secret + why
	PathProposalHandoff = "/api/v1/proposals/handoff" // POST: a draft to finish at home
)

// Timeline is the edition's year without its projects, signed by the
// edition key: its id, name, zone, pools, phases and proposal rules. It is
// sent on its own because before the list is published there are no
// projects to put in a catalog.
type Timeline struct {
	Edition []byte    `json:"edition"` // the edition JSON, projects left out
	Signed  time.Time `json:"signed"`  // when the central signed this content: refuses rollback
	Sig     []byte    `json:"sig"`
}

func (t *Timeline) signingBytes() []byte {
	h := sha256.Sum256(t.Edition)
	return fmt.Appendf(nil, "urna-timeline-v1\n%s\n%x", t.Signed.UTC().Format(time.RFC3339Nano), h)
}

// Sign signs the timeline with the edition key.
func (t *Timeline) Sign(key ed25519.PrivateKey) { t.Sig = ed25519.Sign(key, t.signingBytes()) }

// Errors of timeline checks.
var (
	ErrTimelineSignature = errors.New("timeline signature does not verify")
	ErrTimelineRollback  = errors.New("timeline is older than the one installed")
)

// Verify checks the signature, and that the timeline was not signed before have.
func (t *Timeline) Verify(pub ed25519.PublicKey, have time.Time) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, t.signingBytes(), t.Sig) {
		return ErrTimelineSignature
	}
	if t.Signed.Before(have) {
		return fmt.Errorf("%w: signed %s before %s", ErrTimelineRollback, t.Signed.UTC().Format(time.RFC3339), have.UTC().Format(time.RFC3339))
	}
	return nil
}

// ProposalDraft is what a resident typed in the kiosk's proposal form.
type ProposalDraft struct {
	Pool        string `json:"pool"`
	Lang        string `json:"lang"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Description string `json:"description,omitempty"`
	Location    string `json:"location,omitempty"`
	Category    string `json:"category,omitempty"`
	Cost        int64  `json:"cost"` // grosze
}

// ProposalSubmit is a proposal sent from a kiosk. Contact is the one piece
// of personal data: it crosses the wire only here, is sealed at the
// central, and the kiosk never writes it down.
type ProposalSubmit struct {
	Draft   ProposalDraft `json:"draft"`
	Contact string        `json:"contact,omitempty"`
}

// ProposalReceipt is what the resident takes home: the secret exists only
// in this answer and on the printed confirmation.
type ProposalReceipt struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Pool       string    `json:"pool"`
	Tracker    string    `json:"tracker"` // in groups of four
	Secret     string    `json:"secret"`  // in groups of four
	Submitted  time.Time `json:"submitted"`
	Supporters int       `json:"supporters,omitempty"` // signatures the support list needs
	StatusURL  string    `json:"statusURL,omitempty"`  // the public status page (without the secret)
	Held       bool      `json:"held,omitempty"`       // held by moderation (still submitted)
}

// ProposalLookup names a proposal by its tracker and secret; Reason is a
// protest's justification.
type ProposalLookup struct {
	Tracker string `json:"tracker"`
	Secret  string `json:"secret"`
	Reason  string `json:"reason,omitempty"`
}

// ProposalEvent is one step of a proposal's history as its applicant sees
// it: what, when, why (no staff names).
type ProposalEvent struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Reason string    `json:"reason,omitempty"`
	Detail string    `json:"detail,omitempty"` // a hearing date, a ballot number, a merge target, a unit's cost
}

// ProposalStatus is a proposal as its applicant sees it at a kiosk.
type ProposalStatus struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Pool     string          `json:"pool"`
	Status   string          `json:"status"`
	FixBy    time.Time       `json:"fixBy,omitzero"`
	Number   string          `json:"number,omitempty"`
	Tracker  string          `json:"tracker"`
	History  []ProposalEvent `json:"history"`
	Protest  bool            `json:"protest,omitempty"` // a protest may be filed now
	Received time.Time       `json:"received,omitzero"` // when the central recorded this answer's step
}

// ProposalHandoff is a draft handed to the central to finish at home: the
// code opens it once on the public form (URL), until Expires.
type ProposalHandoff struct {
	Code    string    `json:"code"`
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// CivicProblem is one translated problem of a refused civic request: the
// kiosk shows the sentence for Key, never the Go error.
type CivicProblem struct {
	Key    string `json:"key"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CivicRefusal is the body of a refused civic request (4xx).
type CivicRefusal struct {
	Error    string         `json:"error"`
	Problems []CivicProblem `json:"problems,omitempty"`
}
