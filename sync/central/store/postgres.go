package store

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Postgres is the store for several central replicas sharing one database.
type Postgres struct{ pool *pgxpool.Pool }

// OpenPostgres connects and applies the embedded migrations not yet applied
// (under an advisory lock, so that replicas starting together agree).
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Postgres{pool: pool}, nil
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7263548)`); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7263548)`)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	for _, name := range names {
		var done bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)`, name).Scan(&done); err != nil {
			return err
		}
		if done {
			continue
		}
		sql, _ := migrations.ReadFile(name)
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
			tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close implements Store.
func (s *Postgres) Close() error {
	s.pool.Close()
	return nil
}

// AddEnrollCode implements Store.
func (s *Postgres) AddEnrollCode(ctx context.Context, code, venue string, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO enroll_codes (code_hash, venue, expires) VALUES ($1, $2, $3)`, codeHash(code), venue, expires)
	return err
}

// UseEnrollCode implements Store.
func (s *Postgres) UseEnrollCode(ctx context.Context, code string, now time.Time) (string, error) {
	var venue string
	err := s.pool.QueryRow(ctx, `UPDATE enroll_codes SET used = $2 WHERE code_hash = $1 AND used IS NULL AND expires > $2 RETURNING venue`,
		codeHash(code), now).Scan(&venue)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrCodeUsed
	}
	return venue, err
}

// AddKiosk implements Store.
func (s *Postgres) AddKiosk(ctx context.Context, k Kiosk) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO kiosks (id, venue, public_key, enrolled) VALUES ($1, $2, $3, $4)`,
		k.ID, k.Venue, k.PublicKey, k.Enrolled)
	return err
}

func scanKiosk(row pgx.Row) (Kiosk, error) {
	var k Kiosk
	var last, revoked, aside *time.Time
	var hb []byte
	var skew int64
	err := row.Scan(&k.ID, &k.Venue, &k.PublicKey, &k.Enrolled, &last, &hb, &skew, &revoked, &aside)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, ErrNotFound
	}
	if err != nil {
		return k, err
	}
	if last != nil {
		k.LastSeen = *last
	}
	if revoked != nil {
		k.Revoked = *revoked
	}
	if aside != nil {
		k.SetAside = *aside
	}
	k.Skew = time.Duration(skew) * time.Millisecond
	return k, json.Unmarshal(hb, &k.Heartbeat)
}

const kioskColumns = `id, venue, public_key, enrolled, last_seen, heartbeat, skew_ms, revoked, set_aside`

// Kiosk implements Store.
func (s *Postgres) Kiosk(ctx context.Context, id string) (Kiosk, error) {
	return scanKiosk(s.pool.QueryRow(ctx, `SELECT `+kioskColumns+` FROM kiosks WHERE id = $1`, id))
}

// Kiosks implements Store.
func (s *Postgres) Kiosks(ctx context.Context) ([]Kiosk, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+kioskColumns+` FROM kiosks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Kiosk
	for rows.Next() {
		k, err := scanKiosk(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// PutSession implements Store.
func (s *Postgres) PutSession(ctx context.Context, tokenHash []byte, user string, expires time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires < now()`); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, username, expires) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET username = EXCLUDED.username, expires = EXCLUDED.expires`, tokenHash, user, expires)
	return err
}

// Session implements Store.
func (s *Postgres) Session(ctx context.Context, tokenHash []byte, now time.Time) (string, error) {
	var user string
	err := s.pool.QueryRow(ctx, `SELECT username FROM sessions WHERE token_hash = $1 AND expires > $2`, tokenHash, now).Scan(&user)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return user, err
}

// DeleteSession implements Store.
func (s *Postgres) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// RevokeKiosk implements Store.
func (s *Postgres) RevokeKiosk(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE kiosks SET revoked = COALESCE(revoked, $2) WHERE id = $1`, id, at)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// RecordHeartbeat implements Store.
func (s *Postgres) RecordHeartbeat(ctx context.Context, id string, hb wire.Heartbeat, at time.Time) error {
	enc, _ := json.Marshal(hb)
	var skew int64
	if !hb.KioskTime.IsZero() {
		skew = hb.KioskTime.Sub(at).Milliseconds()
	}
	tag, err := s.pool.Exec(ctx, `UPDATE kiosks SET heartbeat = $2, last_seen = $3, skew_ms = $4 WHERE id = $1`, id, enc, at, skew)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	if err != nil || hb.HeadID == "" || hb.LastSeq == 0 || len(hb.HeadID) > 128 {
		return err
	}
	// a commitment only when the head moved on: one per ballot at most
	// and only the latest MaxCommitments of a kiosk are kept
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO commitments (kiosk, seq, head, at) SELECT $1, $2, $3, $4
			WHERE $2 > (SELECT COALESCE(MAX(seq), 0) FROM commitments WHERE kiosk = $1)`, id, int64(hb.LastSeq), hb.HeadID, at)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM commitments WHERE kiosk = $1 AND ctid IN (SELECT ctid FROM commitments
			WHERE kiosk = $1 ORDER BY at DESC, seq DESC OFFSET $2)`, id, MaxCommitments)
		return err
	})
}

// ForgedCommitments implements Store.
func (s *Postgres) ForgedCommitments(ctx context.Context, kiosk string) ([]Commitment, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.seq, m.head, m.at FROM commitments m
		WHERE m.kiosk = $1 AND EXISTS (SELECT 1 FROM ballots b WHERE b.kiosk = m.kiosk AND b.seq = m.seq AND b.id <> m.head)
		ORDER BY m.at, m.seq`, kiosk)
	if err != nil {
		return nil, err
	}
	return scanCommitments(rows)
}

// pgChainProof reads what a proof of time needs of a kiosk in tx: its
// commitments and the whole part of its chain up to the highest of them.
func pgChainProof(ctx context.Context, tx pgx.Tx, kiosk string) ([]Commitment, []string, error) {
	rows, err := tx.Query(ctx, `SELECT seq, head, at FROM commitments WHERE kiosk = $1 ORDER BY at, seq`, kiosk)
	if err != nil {
		return nil, nil, err
	}
	cs, err := scanCommitments(rows)
	if err != nil {
		return nil, nil, err
	}
	rows, err = tx.Query(ctx, `SELECT seq, id, prev FROM ballots WHERE kiosk = $1 AND seq <= $2 ORDER BY seq, id`, kiosk, int64(maxCommitted(cs)))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var links []chainLink
	for rows.Next() {
		var l chainLink
		var seq int64
		if err := rows.Scan(&seq, &l.id, &l.prev); err != nil {
			return nil, nil, err
		}
		l.seq = uint64(seq)
		links = append(links, l)
	}
	return cs, wholePrefix(links), rows.Err()
}

// pgRejudge counts a kiosk's contested ballots that a valid commitment now
// proves in time (Bolt's rejudge); a kiosk set aside keeps its holds.
func pgRejudge(ctx context.Context, tx pgx.Tx, kiosk string) error {
	rows, err := tx.Query(ctx, `SELECT b.id, b.seq FROM ballots b JOIN kiosks k ON k.id = b.kiosk
		WHERE b.kiosk = $1 AND b.hold = 'contested' AND k.set_aside IS NULL`, kiosk)
	if err != nil {
		return err
	}
	type held struct {
		id  string
		seq int64
	}
	var hs []held
	for rows.Next() {
		var h held
		if err := rows.Scan(&h.id, &h.seq); err != nil {
			rows.Close()
			return err
		}
		hs = append(hs, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(hs) == 0 {
		return err
	}
	cs, chain, err := pgChainProof(ctx, tx, kiosk)
	if err != nil {
		return err
	}
	for _, h := range hs {
		at, ok := provenAt(cs, uint64(h.seq), chain)
		if !ok {
			continue
		}
		if _, err := tx.Exec(ctx, `WITH freed AS (UPDATE ballots b SET hold = '' WHERE b.id = $1 AND b.hold = 'contested'
				AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.voter_key = b.voter_key AND NOT (b.cast_at < c.cast_at AND $2 <= c.received))
				RETURNING b.voter_key, b.id, b.cast_at, b.received)
			INSERT INTO counted (voter_key, ballot_id, cast_at, received) SELECT voter_key, id, cast_at, received FROM freed
			ON CONFLICT (voter_key) DO UPDATE SET ballot_id = EXCLUDED.ballot_id, cast_at = EXCLUDED.cast_at, received = EXCLUDED.received`,
			h.id, at); err != nil {
			return err
		}
	}
	return nil
}

func scanCommitments(rows pgx.Rows) ([]Commitment, error) {
	defer rows.Close()
	var out []Commitment
	for rows.Next() {
		var c Commitment
		var seq int64
		if err := rows.Scan(&seq, &c.ID, &c.At); err != nil {
			return nil, err
		}
		c.Seq, c.At = uint64(seq), c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutCatalog implements Store.
func (s *Postgres) PutCatalog(ctx context.Context, c wire.Catalog) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO catalogs (version, edition, sig)
		SELECT $1, $2, $3 WHERE $1 = (SELECT COALESCE(MAX(version), 0) + 1 FROM catalogs)`, c.Version, c.Edition, c.Sig)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" || err == nil && tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: got %d", ErrCatalogVersion, c.Version)
	}
	return err
}

// Catalog implements Store.
func (s *Postgres) Catalog(ctx context.Context) (wire.Catalog, error) {
	var c wire.Catalog
	err := s.pool.QueryRow(ctx, `SELECT version, edition, sig FROM catalogs ORDER BY version DESC LIMIT 1`).Scan(&c.Version, &c.Edition, &c.Sig)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// CatalogAt implements Store.
func (s *Postgres) CatalogAt(ctx context.Context, version int) (wire.Catalog, error) {
	var c wire.Catalog
	err := s.pool.QueryRow(ctx, `SELECT version, edition, sig FROM catalogs WHERE version = $1`, version).Scan(&c.Version, &c.Edition, &c.Sig)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// AddBallots implements Store: one transaction for the batch, its
// statements pipelined. The counted row is replaced only by an earlier
// ballot, atomically, whichever replica gets there first, and by one dated
// strictly earlier only when its kiosk had committed to it before the
// counted one arrived.
func (s *Postgres) AddBallots(ctx context.Context, bs []wire.SealedBallot, holds []Hold, received time.Time) ([]wire.Status, error) {
	if holds != nil && len(holds) != len(bs) {
		return nil, errors.New("store: one hold per ballot")
	}
	out := make([]wire.Status, len(bs))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		ids := make([]string, len(bs))
		for i, b := range bs {
			body, err := json.Marshal(b)
			if err != nil {
				return err
			}
			var hold Hold
			if holds != nil {
				hold = holds[i]
			}
			ids[i] = b.ID
			// one ballot per number of a kiosk: a second, different one is
			// refused (not stored, not counted: seq-taken)
			batch.Queue(`INSERT INTO ballots (id, kiosk, seq, prev, cast_at, voter_key, body, received, hold)
				SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
				WHERE NOT EXISTS (SELECT 1 FROM ballots WHERE kiosk = $2 AND seq = $3 AND id <> $1)
				ON CONFLICT DO NOTHING`, // the id, or (kiosk, seq) taken meanwhile by another transaction
				b.ID, b.Kiosk, int64(b.Seq), b.Prev, b.CastAt, b.VoterKey[:], body, received, string(hold))
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		// The batch is stored: a commitment it completes counts. Proof of
		// time is read only for the ballots that would displace a counted
		// one dated later.
		proven := map[string]time.Time{}
		rows, err := tx.Query(ctx, `SELECT b.id, b.kiosk, b.seq FROM ballots b JOIN counted c ON c.voter_key = b.voter_key
			WHERE b.id = ANY($1) AND b.hold IN ('', 'set-aside') AND b.cast_at < c.cast_at`, ids)
		if err != nil {
			return err
		}
		type want struct {
			id, kiosk string
			seq       int64
		}
		var wants []want
		for rows.Next() {
			var w want
			if err := rows.Scan(&w.id, &w.kiosk, &w.seq); err != nil {
				return err
			}
			wants = append(wants, w)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		type proof struct {
			cs  []Commitment
			ids []string
		}
		proofs := map[string]*proof{}
		for _, w := range wants {
			p := proofs[w.kiosk]
			if p == nil {
				cs, ids, err := pgChainProof(ctx, tx, w.kiosk)
				if err != nil {
					return err
				}
				p = &proof{cs, ids}
				proofs[w.kiosk] = p
			}
			if at, ok := provenAt(p.cs, uint64(w.seq), p.ids); ok {
				proven[w.id] = at
			}
		}
		batch = &pgx.Batch{}
		for i, b := range bs {
			var provenAt *time.Time
			if at, ok := proven[b.ID]; ok {
				provenAt = &at
			}
			if holds != nil && holds[i] != "" {
				if holds[i] == HoldSetAside {
					// still contested first, when it would displace without proof
					batch.Queue(`UPDATE ballots b SET hold = 'contested' FROM counted c
						WHERE b.id = $1 AND b.hold = 'set-aside' AND c.voter_key = b.voter_key AND b.cast_at < c.cast_at
						AND NOT COALESCE($2::timestamptz <= c.received, false)`, b.ID, provenAt)
				}
				continue
			}
			// ties go to the ballot received first; one dated strictly
			// earlier displaces only with proof in time
			batch.Queue(`INSERT INTO counted (voter_key, ballot_id, cast_at, received)
				SELECT $1, $2, $3, received FROM ballots WHERE id = $2 AND hold = ''
				ON CONFLICT (voter_key) DO UPDATE SET ballot_id = EXCLUDED.ballot_id, cast_at = EXCLUDED.cast_at, received = EXCLUDED.received
				WHERE (EXCLUDED.cast_at, EXCLUDED.received, EXCLUDED.ballot_id) < (counted.cast_at, counted.received, counted.ballot_id)
				AND (EXCLUDED.cast_at = counted.cast_at OR COALESCE($4::timestamptz <= counted.received, false))`,
				b.VoterKey[:], b.ID, b.CastAt, provenAt)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		// Now read who counts for each ballot's voter, and what is held.
		rows, err = tx.Query(ctx, `SELECT b.id, b.cast_at, b.hold, c.ballot_id, c.cast_at FROM ballots b
			LEFT JOIN counted c ON c.voter_key = b.voter_key WHERE b.id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		status := map[string]wire.Status{}
		var contested []string
		for rows.Next() {
			var id, hold string
			var castAt time.Time
			var cid *string
			var cAt *time.Time
			if err := rows.Scan(&id, &castAt, &hold, &cid, &cAt); err != nil {
				return err
			}
			switch {
			case hold != "":
				status[id] = wire.Contested
			case cid != nil && *cid == id:
				status[id] = wire.Accepted
			case cAt != nil && castAt.Before(*cAt):
				// dated before the counted ballot, without proof of its time
				status[id] = wire.Contested
				contested = append(contested, id)
			default:
				status[id] = wire.Duplicate
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(contested) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE ballots SET hold = $2 WHERE id = ANY($1) AND hold = ''`, contested, string(HoldContested)); err != nil {
				return err
			}
		}
		// A ballot at or below a number its kiosk committed to may have made
		// that commitment valid: the kiosk's contested ballots are judged
		// again (as Bolt's rejudge).
		lowest := map[string]uint64{}
		for _, b := range bs {
			if m, ok := lowest[b.Kiosk]; !ok || b.Seq < m {
				lowest[b.Kiosk] = b.Seq
			}
		}
		for kiosk, low := range lowest {
			var top int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM commitments WHERE kiosk = $1`, kiosk).Scan(&top); err != nil {
				return err
			}
			if uint64(top) >= low {
				if err := pgRejudge(ctx, tx, kiosk); err != nil {
					return err
				}
			}
		}
		for i, b := range bs {
			st, ok := status[b.ID]
			if !ok {
				st = wire.SeqTaken // not stored: its number holds another ballot
			}
			out[i] = st
		}
		return nil
	})
	return out, err
}

// SetAside implements Store: in one transaction that holds the counted
// table against replicas' ingest meanwhile.
func (s *Postgres) SetAside(ctx context.Context, kiosk string, aside bool, at time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var was *time.Time
		if err := tx.QueryRow(ctx, `SELECT set_aside FROM kiosks WHERE id = $1 FOR UPDATE`, kiosk).Scan(&was); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if aside == (was != nil) {
			return nil
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE counted IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var when *time.Time
		from, to := "", string(HoldSetAside)
		if aside {
			when = &at
		} else {
			from, to = to, from
		}
		steps := []struct {
			sql  string
			args []any
		}{
			{`UPDATE kiosks SET set_aside = $2 WHERE id = $1`, []any{kiosk, when}},
			{`UPDATE ballots SET hold = $3 WHERE kiosk = $1 AND hold = $2`, []any{kiosk, from, to}},
			{`DELETE FROM counted WHERE voter_key IN (SELECT voter_key FROM ballots WHERE kiosk = $1)`, []any{kiosk}},
			{`INSERT INTO counted (voter_key, ballot_id, cast_at, received)
				SELECT DISTINCT ON (voter_key) voter_key, id, cast_at, received FROM ballots
				WHERE hold = '' AND voter_key IN (SELECT voter_key FROM ballots WHERE kiosk = $1)
				ORDER BY voter_key, cast_at, received, id`, []any{kiosk}},
		}
		for _, st := range steps {
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// CastTimes implements Store.
func (s *Postgres) CastTimes(ctx context.Context, kiosk string) ([]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT cast_at FROM ballots WHERE kiosk = $1 ORDER BY seq, id`, kiosk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t.UTC())
	}
	return out, rows.Err()
}

// BallotTimes implements Store.
func (s *Postgres) BallotTimes(ctx context.Context, kiosk string) ([]BallotTime, error) {
	rows, err := s.pool.Query(ctx, `SELECT cast_at, received FROM ballots WHERE kiosk = $1 ORDER BY seq, id`, kiosk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BallotTime
	for rows.Next() {
		var t BallotTime
		if err := rows.Scan(&t.CastAt, &t.Received); err != nil {
			return nil, err
		}
		t.CastAt, t.Received = t.CastAt.UTC(), t.Received.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// LastSeq implements Store.
func (s *Postgres) LastSeq(ctx context.Context, kiosk string) (uint64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM ballots WHERE kiosk = $1`, kiosk).Scan(&seq)
	return uint64(seq), err
}

// Commitments implements Store.
func (s *Postgres) Commitments(ctx context.Context, kiosk string) ([]Commitment, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, head, at FROM commitments WHERE kiosk = $1 ORDER BY at, seq`, kiosk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Commitment
	for rows.Next() {
		var c Commitment
		var seq int64
		if err := rows.Scan(&seq, &c.ID, &c.At); err != nil {
			return nil, err
		}
		c.Seq, c.At = uint64(seq), c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddAdmitted implements Store.
func (s *Postgres) AddAdmitted(ctx context.Context, list string, keys []election.VoterKey) error {
	raw := make([][]byte, len(keys))
	for i := range keys {
		raw[i] = keys[i][:]
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO admitted (list, voter_key) SELECT $1, k FROM unnest($2::bytea[]) k ON CONFLICT DO NOTHING`, list, raw)
	return err
}

// Admitted implements Store.
func (s *Postgres) Admitted(ctx context.Context, list string, key []byte) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM admitted WHERE list = $1 AND voter_key = $2)`, list, key).Scan(&ok)
	return ok, err
}

// AdmittedCount implements Store.
func (s *Postgres) AdmittedCount(ctx context.Context, list string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM admitted WHERE list = $1`, list).Scan(&n)
	return n, err
}

func scanStored(row pgx.Row) (Stored, error) {
	var st Stored
	var body []byte
	err := row.Scan(&body, &st.Received, &st.Counted, &st.Hold, &st.Withheld)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, ErrNotFound
	}
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(body, &st.Ballot)
}

const storedQuery = `SELECT b.body, b.received, (c.ballot_id IS NOT NULL AND c.ballot_id = b.id), b.hold, (w.ballot_id IS NOT NULL)
	FROM ballots b LEFT JOIN counted c ON c.voter_key = b.voter_key LEFT JOIN withheld w ON w.ballot_id = b.id`

// MarkWithheld implements Store.
func (s *Postgres) MarkWithheld(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO withheld (ballot_id) SELECT id FROM ballots WHERE id = ANY($1) ON CONFLICT DO NOTHING`, ids)
	return err
}

// Ballot implements Store.
func (s *Postgres) Ballot(ctx context.Context, id string) (Stored, error) {
	return scanStored(s.pool.QueryRow(ctx, storedQuery+` WHERE b.id = $1`, id))
}

// BallotByPrefix implements Store. IDs are lower-case hex, so every ID
// with the prefix lies between prefix and prefix + "g".
func (s *Postgres) BallotByPrefix(ctx context.Context, prefix string) (Stored, error) {
	if prefix == "" {
		return Stored{}, ErrNotFound
	}
	return scanStored(s.pool.QueryRow(ctx, storedQuery+` WHERE b.id >= $1 AND b.id < $2 ORDER BY b.id LIMIT 1`, prefix, prefix+"g"))
}

// VoterCounted implements Store.
func (s *Postgres) VoterCounted(ctx context.Context, voter []byte) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM counted WHERE voter_key = $1)`, voter).Scan(&ok)
	return ok, err
}

// Chain implements Store.
func (s *Postgres) Chain(ctx context.Context, kiosk string) (Chain, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, id, prev FROM ballots WHERE kiosk = $1`, kiosk)
	if err != nil {
		return Chain{}, err
	}
	defer rows.Close()
	var links []chainLink
	for rows.Next() {
		var l chainLink
		var seq int64
		if err := rows.Scan(&seq, &l.id, &l.prev); err != nil {
			return Chain{}, err
		}
		l.seq = uint64(seq)
		links = append(links, l)
	}
	return chainOf(links), rows.Err()
}

// Ballots implements Store.
func (s *Postgres) Ballots(ctx context.Context, fn func(Stored) error) error {
	rows, err := s.pool.Query(ctx, storedQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanStored(rows)
		if err != nil {
			return err
		}
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Counted implements Store.
func (s *Postgres) Counted(ctx context.Context, fn func(edition, district string, sels []election.Selection) error) error {
	rows, err := s.pool.Query(ctx, `SELECT b.body FROM counted c JOIN ballots b ON b.id = c.ballot_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var b wire.SealedBallot
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
		if err := fn(b.Edition, b.District, b.Selections); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Counts implements Store.
func (s *Postgres) Counts(ctx context.Context) (total, counted int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM ballots), (SELECT count(*) FROM counted)`).Scan(&total, &counted)
	return
}

// Open opens a store from a --db value: "bolt:PATH" or "postgres://…".
func Open(ctx context.Context, db string) (Store, error) {
	switch {
	case strings.HasPrefix(db, "bolt:"):
		return OpenBolt(strings.TrimPrefix(db, "bolt:"))
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return OpenPostgres(ctx, db)
	}
	return nil, fmt.Errorf("--db %q: bolt:PATH or postgres://…", db)
}
