package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const proposalCols = `id, tracker, secret_hash, contact_sealed, held, body`

func scanProposal(row pgx.Row) (ProposalRecord, error) {
	var r ProposalRecord
	var id string
	var body []byte
	if err := row.Scan(&id, &r.Tracker, &r.SecretHash, &r.Contact, &r.Held, &body); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return r, ErrNotFound
		}
		return r, err
	}
	if err := json.Unmarshal(body, &r.Proposal); err != nil {
		return r, err
	}
	r.Proposal.ID = id
	return r, nil
}

// AddProposal implements Proposals.
func (s *Postgres) AddProposal(ctx context.Context, r ProposalRecord) error {
	body, err := json.Marshal(r.Proposal)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO proposals (id, edition, tracker, secret_hash, contact_sealed, held, body) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.Proposal.ID, r.Proposal.Edition, r.Tracker, r.SecretHash, r.Contact, r.Held, body)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return ErrProposalExists
	}
	return err
}

// ProposalRecord implements Proposals.
func (s *Postgres) ProposalRecord(ctx context.Context, id string) (ProposalRecord, error) {
	return scanProposal(s.pool.QueryRow(ctx, `SELECT `+proposalCols+` FROM proposals WHERE id = $1`, id))
}

// ProposalByTracker implements Proposals.
func (s *Postgres) ProposalByTracker(ctx context.Context, tracker string) (ProposalRecord, error) {
	return scanProposal(s.pool.QueryRow(ctx, `SELECT `+proposalCols+` FROM proposals WHERE tracker = $1`, tracker))
}

func saveProposal(ctx context.Context, tx pgx.Tx, id string, r *ProposalRecord) error {
	r.Proposal.ID = id
	body, err := json.Marshal(r.Proposal)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE proposals SET contact_sealed = $2, held = $3, body = $4 WHERE id = $1`, id, r.Contact, r.Held, body)
	return err
}

// UpdateProposal implements Proposals.
func (s *Postgres) UpdateProposal(ctx context.Context, id string, fn func(*ProposalRecord) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := scanProposal(tx.QueryRow(ctx, `SELECT `+proposalCols+` FROM proposals WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		return saveProposal(ctx, tx, id, &r)
	})
}

func queryProposals(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args ...any) ([]ProposalRecord, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProposalRecord
	for rows.Next() {
		r, err := scanProposal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateEdition implements Proposals.
func (s *Postgres) UpdateEdition(ctx context.Context, edition string, fn func([]*ProposalRecord) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rs, err := queryProposals(ctx, tx, `SELECT `+proposalCols+` FROM proposals WHERE edition = $1 ORDER BY id FOR UPDATE`, edition)
		if err != nil {
			return err
		}
		ptrs := make([]*ProposalRecord, len(rs))
		ids := make([]string, len(rs))
		for i := range rs {
			ptrs[i], ids[i] = &rs[i], rs[i].Proposal.ID
		}
		if err := fn(ptrs); err != nil {
			return err
		}
		for i := range rs {
			if err := saveProposal(ctx, tx, ids[i], &rs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// ProposalsOf implements Proposals.
func (s *Postgres) ProposalsOf(ctx context.Context, edition string) ([]ProposalRecord, error) {
	return queryProposals(ctx, s.pool, `SELECT `+proposalCols+` FROM proposals WHERE edition = $1 ORDER BY id`, edition)
}

// ForgetContacts implements Proposals.
func (s *Postgres) ForgetContacts(ctx context.Context, edition string) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE proposals SET contact_sealed = NULL WHERE edition = $1 AND contact_sealed IS NOT NULL`, edition)
	return int(tag.RowsAffected()), err
}

var (
	_ Proposals = (*Bolt)(nil)
	_ Proposals = (*Postgres)(nil)
)
