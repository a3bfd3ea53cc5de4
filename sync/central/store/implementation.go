package store

import (
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// Implementations keeps the implementation records of the winning
// projects, by edition and project, so that later editions can show what
// earlier votes built.
type Implementations interface {
	// PutImplementations keeps records, each replacing the one of its
	// edition and project, all in one transaction.
	PutImplementations(ctx context.Context, rs []ImplementationRecord) error
	// ImplementationRecords returns every kept record of every edition.
	ImplementationRecords(ctx context.Context) ([]ImplementationRecord, error)
}

// ImplementationRecord is one winning project's record with what a page
// needs to show it without the catalog it came from.
type ImplementationRecord struct {
	Edition     string               `json:"edition"`
	EditionName election.Text        `json:"editionName"`
	Title       election.Text        `json:"title"`
	Cost        int64                `json:"cost"`
	Record      civic.Implementation `json:"record"`
}

var bImplementation = []byte("implementation") // edition \x00 project -> ImplementationRecord JSON

// PutImplementations implements Implementations.
func (s *Bolt) PutImplementations(_ context.Context, rs []ImplementationRecord) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bImplementation)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := put(b, []byte(r.Edition+"\x00"+r.Record.Project), r); err != nil {
				return err
			}
		}
		return nil
	})
}

// ImplementationRecords implements Implementations.
func (s *Bolt) ImplementationRecords(context.Context) ([]ImplementationRecord, error) {
	var out []ImplementationRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bImplementation)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r ImplementationRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// PutImplementations implements Implementations.
func (s *Postgres) PutImplementations(ctx context.Context, rs []ImplementationRecord) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, r := range rs {
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO implementation (edition, project, record) VALUES ($1, $2, $3)
			ON CONFLICT (edition, project) DO UPDATE SET record = EXCLUDED.record`, r.Edition, r.Record.Project, raw); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// ImplementationRecords implements Implementations.
func (s *Postgres) ImplementationRecords(ctx context.Context) ([]ImplementationRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT record FROM implementation ORDER BY edition, project`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImplementationRecord
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var r ImplementationRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
