package store

import (
	"context"
	"errors"

	"github.com/urna-kiosk/urna/sync/civic"
)

// ErrProposalExists: a proposal with that id or tracker is already stored.
var ErrProposalExists = errors.New("a proposal with this id or tracker exists")

// ProposalRecord is a resident's proposal as the central keeps it: the
// proposal with its history (its audit log), the tracker printed on the
// confirmation and only a hash of the secret, and the applicant's contact
// sealed (AES-GCM) by a key the store never sees.
type ProposalRecord struct {
	Proposal   civic.Proposal `json:"proposal"`
	Tracker    string         `json:"tracker"`
	SecretHash []byte         `json:"secretHash"`
	Contact    []byte         `json:"contact,omitempty"` // sealed; nil without one or once forgotten
	// Held is why the moderation queue holds it back from the public list
	// ("" when it is not held).
	Held string `json:"held,omitempty"`
}

// Proposals keeps residents' proposals; both stores implement it.
type Proposals interface {
	// AddProposal stores a new proposal; ErrProposalExists when its id or
	// tracker is taken.
	AddProposal(ctx context.Context, r ProposalRecord) error
	// ProposalRecord returns one by id; ErrNotFound.
	ProposalRecord(ctx context.Context, id string) (ProposalRecord, error)
	// ProposalByTracker returns one by tracker; ErrNotFound.
	ProposalByTracker(ctx context.Context, tracker string) (ProposalRecord, error)
	// UpdateProposal changes one proposal atomically: fn sees the stored
	// record and what it leaves is stored, unless it returns an error.
	UpdateProposal(ctx context.Context, id string, fn func(*ProposalRecord) error) error
	// UpdateEdition changes all of an edition's proposals in one
	// transaction (building the ballot numbers them all or none).
	UpdateEdition(ctx context.Context, edition string, fn func([]*ProposalRecord) error) error
	// ProposalsOf returns an edition's proposals ordered by id.
	ProposalsOf(ctx context.Context, edition string) ([]ProposalRecord, error)
	// ForgetContacts deletes every sealed contact of an edition and says how many.
	ForgetContacts(ctx context.Context, edition string) (int, error)
}
