package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/sync/wire"
)

// Reconciliation keeps what reconciling the voting points needs: each
// kiosk's latest signed closing report, the coordinator's sign-offs, and
// the ballot id stored at a seq (the report's chain head).
type Reconciliation interface {
	// PutClosing keeps a verified closing report; a report older (by
	// ClosedAt) than the one kept is ignored.
	PutClosing(ctx context.Context, r wire.ClosingReport, received time.Time) error
	// Closings returns the latest closing report of each kiosk.
	Closings(ctx context.Context) (map[string]Closing, error)
	// SignOff records that the coordinator signed off a voting point that
	// does not reconcile, with the reason; signing it off again replaces it.
	SignOff(ctx context.Context, s SignOff) error
	// SignOffs returns the sign-offs by kiosk.
	SignOffs(ctx context.Context) (map[string]SignOff, error)
	// BallotAt returns the id of a kiosk's ballot stored at seq
	// (ErrNotFound when none is).
	BallotAt(ctx context.Context, kiosk string, seq uint64) (string, error)
	// MarkUSB records that ballots first arrived by USB, not online.
	MarkUSB(ctx context.Context, ids []string) error
	// USBBallots calls fn with the id of every ballot that first arrived by USB.
	USBBallots(ctx context.Context, fn func(id string) error) error
}

// Closing is a kept closing report.
type Closing struct {
	Report   wire.ClosingReport `json:"report"`
	Received time.Time          `json:"received"`
}

// SignOff is the coordinator's sign-off of one voting point.
type SignOff struct {
	Kiosk  string    `json:"kiosk"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ErrNoReason: a sign-off needs a recorded reason.
var ErrNoReason = errors.New("a sign-off needs a reason")

var (
	bClosings = []byte("closing-reports") // kiosk -> Closing JSON
	bSignOffs = []byte("signoffs")        // kiosk -> SignOff JSON
	bUSB      = []byte("usb-ballots")     // ballot id -> empty: first arrived by USB
)

// PutClosing implements Reconciliation.
func (s *Bolt) PutClosing(_ context.Context, r wire.ClosingReport, received time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bClosings)
		if err != nil {
			return err
		}
		var old Closing
		if err := get(b, []byte(r.Kiosk), &old); err == nil && !old.Report.ClosedAt.Before(r.ClosedAt) {
			return nil
		}
		return put(b, []byte(r.Kiosk), Closing{Report: r, Received: received.UTC()})
	})
}

// Closings implements Reconciliation.
func (s *Bolt) Closings(context.Context) (map[string]Closing, error) {
	out := map[string]Closing{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bClosings)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var c Closing
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out[string(k)] = c
			return nil
		})
	})
	return out, err
}

// SignOff implements Reconciliation.
func (s *Bolt) SignOff(_ context.Context, so SignOff) error {
	if so.Reason == "" {
		return ErrNoReason
	}
	so.At = so.At.UTC()
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bSignOffs)
		if err != nil {
			return err
		}
		return put(b, []byte(so.Kiosk), so)
	})
}

// SignOffs implements Reconciliation.
func (s *Bolt) SignOffs(context.Context) (map[string]SignOff, error) {
	out := map[string]SignOff{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSignOffs)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var so SignOff
			if err := json.Unmarshal(v, &so); err != nil {
				return err
			}
			out[string(k)] = so
			return nil
		})
	})
	return out, err
}

// BallotAt implements Reconciliation.
func (s *Bolt) BallotAt(_ context.Context, kiosk string, seq uint64) (string, error) {
	id := ""
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := binary.BigEndian.AppendUint64(append([]byte(kiosk), 0), seq)
		prefix = append(prefix, 0)
		k, _ := tx.Bucket(bBallots).Cursor().Seek(prefix)
		if k == nil || len(k) < len(prefix) || string(k[:len(prefix)]) != string(prefix) {
			return ErrNotFound
		}
		id = string(k[len(prefix):])
		return nil
	})
	return id, err
}

// PutClosing implements Reconciliation.
func (s *Postgres) PutClosing(ctx context.Context, r wire.ClosingReport, received time.Time) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO closing_reports (kiosk, closed_at, report, received) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kiosk) DO UPDATE SET closed_at = EXCLUDED.closed_at, report = EXCLUDED.report, received = EXCLUDED.received
		WHERE closing_reports.closed_at < EXCLUDED.closed_at`, r.Kiosk, r.ClosedAt, raw, received)
	return err
}

// Closings implements Reconciliation.
func (s *Postgres) Closings(ctx context.Context) (map[string]Closing, error) {
	rows, err := s.pool.Query(ctx, `SELECT report, received FROM closing_reports`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Closing{}
	for rows.Next() {
		var raw []byte
		var c Closing
		if err := rows.Scan(&raw, &c.Received); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &c.Report); err != nil {
			return nil, err
		}
		c.Received = c.Received.UTC()
		out[c.Report.Kiosk] = c
	}
	return out, rows.Err()
}

// SignOff implements Reconciliation.
func (s *Postgres) SignOff(ctx context.Context, so SignOff) error {
	if so.Reason == "" {
		return ErrNoReason
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO signoffs (kiosk, reason, signed_by, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kiosk) DO UPDATE SET reason = EXCLUDED.reason, signed_by = EXCLUDED.signed_by, at = EXCLUDED.at`,
		so.Kiosk, so.Reason, so.By, so.At)
	return err
}

// SignOffs implements Reconciliation.
func (s *Postgres) SignOffs(ctx context.Context) (map[string]SignOff, error) {
	rows, err := s.pool.Query(ctx, `SELECT kiosk, reason, signed_by, at FROM signoffs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]SignOff{}
	for rows.Next() {
		var so SignOff
		if err := rows.Scan(&so.Kiosk, &so.Reason, &so.By, &so.At); err != nil {
			return nil, err
		}
		so.At = so.At.UTC()
		out[so.Kiosk] = so
	}
	return out, rows.Err()
}

// BallotAt implements Reconciliation.
func (s *Postgres) BallotAt(ctx context.Context, kiosk string, seq uint64) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT id FROM ballots WHERE kiosk = $1 AND seq = $2 ORDER BY id LIMIT 1`, kiosk, int64(seq)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return id, err
}

// MarkUSB implements Reconciliation.
func (s *Bolt) MarkUSB(_ context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bUSB)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := b.Put([]byte(id), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// USBBallots implements Reconciliation.
func (s *Bolt) USBBallots(_ context.Context, fn func(string) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bUSB)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error { return fn(string(k)) })
	})
}

// MarkUSB implements Reconciliation.
func (s *Postgres) MarkUSB(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO usb_ballots (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, ids)
	return err
}

// USBBallots implements Reconciliation.
func (s *Postgres) USBBallots(ctx context.Context, fn func(string) error) error {
	rows, err := s.pool.Query(ctx, `SELECT id FROM usb_ballots`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return rows.Err()
}
