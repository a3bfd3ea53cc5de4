package store

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"
)

// Published keeps the results documents signed with the edition key, in
// the order they were signed, never replaced: the latest is the one the
// public page serves, the earlier ones stay for the record.
type Published interface {
	// PutSignedResults keeps a signed results document.
	PutSignedResults(ctx context.Context, d SignedResults) error
	// LatestSignedResults returns the latest kept document; ErrNotFound
	// when none was kept.
	LatestSignedResults(ctx context.Context) (SignedResults, error)
}

// SignedResults is one kept results document: its bytes exactly as
// signed and served (a wire.ResultsFile in JSON), the state it says, when,
// and why it replaced the one before (empty for the first).
type SignedResults struct {
	At     time.Time `json:"at"`
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	File   []byte    `json:"file"`
}

var bSigned = []byte("signed-results") // big-endian sequence -> SignedResults JSON

// PutSignedResults implements Published.
func (s *Bolt) PutSignedResults(_ context.Context, d SignedResults) error {
	d.At = d.At.UTC()
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bSigned)
		if err != nil {
			return err
		}
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		return put(b, binary.BigEndian.AppendUint64(nil, n), d)
	})
}

// LatestSignedResults implements Published.
func (s *Bolt) LatestSignedResults(context.Context) (SignedResults, error) {
	var d SignedResults
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSigned)
		if b == nil {
			return ErrNotFound
		}
		k, _ := b.Cursor().Last()
		if k == nil {
			return ErrNotFound
		}
		return get(b, k, &d)
	})
	return d, err
}

// PutSignedResults implements Published.
func (s *Postgres) PutSignedResults(ctx context.Context, d SignedResults) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO signed_results (at, state, reason, file) VALUES ($1, $2, $3, $4)`,
		d.At.UTC(), d.State, d.Reason, d.File)
	return err
}

// LatestSignedResults implements Published.
func (s *Postgres) LatestSignedResults(ctx context.Context) (SignedResults, error) {
	var d SignedResults
	err := s.pool.QueryRow(ctx, `SELECT at, state, reason, file FROM signed_results ORDER BY n DESC LIMIT 1`).
		Scan(&d.At, &d.State, &d.Reason, &d.File)
	if errors.Is(err, pgx.ErrNoRows) {
		return SignedResults{}, ErrNotFound
	}
	d.At = d.At.UTC()
	return d, err
}
