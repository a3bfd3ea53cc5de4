package store

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/sync/central/limit"
)

// Both stores keep rate-limit buckets (limit.Backend), so that sign-in
// lockouts survive a restart and, on PostgreSQL, replicas share them.
var (
	_ limit.Backend = (*Bolt)(nil)
	_ limit.Backend = (*Postgres)(nil)
)

var (
	bLimits     = []byte("limits")      // key -> tokens (float64 bits), at, full (unix ns), big-endian
	bLimitsFull = []byte("limits-full") // full (unix ns) \x00 key -> nothing: when each bucket is full again
)

// take is the token bucket's arithmetic, shared by both stores: tokens at
// at become have at now; it answers whether cost (at least 1) is there,
// the tokens left and when the bucket is full again.
func take(rule limit.Rule, tokens float64, at, now time.Time, cost float64) (ok bool, left float64, full time.Time) {
	have := rule.Burst
	if !at.IsZero() {
		have = tokens
		if d := now.Sub(at).Seconds(); d > 0 {
			have += d * rule.Rate
		}
		have = min(rule.Burst, have)
	}
	if have < max(cost, 1) {
		return false, have, time.Time{}
	}
	left = have - cost
	return true, left, now.Add(time.Duration((rule.Burst - left) / rule.Rate * float64(time.Second)))
}

func errRule(rule limit.Rule) error {
	if rule.Rate <= 0 || rule.Burst < 1 {
		return errors.New("limit rule: rate must be above 0 and burst at least 1")
	}
	return nil
}

func fullKey(full time.Time, key string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(full.UnixNano())), append([]byte{0}, key...)...)
}

// TakeToken implements limit.Backend. Concurrent calls share one commit
// (bbolt's Batch), so a burst of sign-ins does not queue behind fsyncs.
func (s *Bolt) TakeToken(_ context.Context, key string, rule limit.Rule, cost float64, now time.Time) (bool, error) {
	if err := errRule(rule); err != nil {
		return false, err
	}
	if cost == 0 {
		var ok bool
		err := s.db.View(func(tx *bolt.Tx) error {
			tokens, at := 0.0, time.Time{}
			if b := tx.Bucket(bLimits); b != nil {
				if v := b.Get([]byte(key)); len(v) == 24 {
					tokens, at = math.Float64frombits(binary.BigEndian.Uint64(v)), time.Unix(0, int64(binary.BigEndian.Uint64(v[8:])))
				}
			}
			ok, _, _ = take(rule, tokens, at, now, 0)
			return nil
		})
		return ok, err
	}
	var ok bool
	err := s.db.Batch(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bLimits)
		if err != nil {
			return err
		}
		byFull, err := tx.CreateBucketIfNotExists(bLimitsFull)
		if err != nil {
			return err
		}
		// forget the buckets full again by now: the index is in time order
		c := byFull.Cursor()
		for k, _ := c.First(); len(k) > 9 && int64(binary.BigEndian.Uint64(k)) <= now.UnixNano(); k, _ = c.First() {
			if err := b.Delete(k[9:]); err != nil {
				return err
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		tokens, at := 0.0, time.Time{}
		if v := b.Get([]byte(key)); len(v) == 24 {
			tokens, at = math.Float64frombits(binary.BigEndian.Uint64(v)), time.Unix(0, int64(binary.BigEndian.Uint64(v[8:])))
			if err := byFull.Delete(fullKey(time.Unix(0, int64(binary.BigEndian.Uint64(v[16:]))), key)); err != nil {
				return err
			}
		}
		var left float64
		var full time.Time
		ok, left, full = take(rule, tokens, at, now, cost)
		if !ok {
			if at.IsZero() {
				return nil
			}
			full = at.Add(time.Duration((rule.Burst - tokens) / rule.Rate * float64(time.Second)))
			left, now = tokens, at
		}
		v := binary.BigEndian.AppendUint64(nil, math.Float64bits(left))
		v = binary.BigEndian.AppendUint64(v, uint64(now.UnixNano()))
		v = binary.BigEndian.AppendUint64(v, uint64(full.UnixNano()))
		if err := b.Put([]byte(key), v); err != nil {
			return err
		}
		return byFull.Put(fullKey(full, key), nil)
	})
	return ok, err
}

// LimitKeys is how many rate-limit buckets the store holds.
func (s *Bolt) LimitKeys(context.Context) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bLimits); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// TakeToken implements limit.Backend: the row is locked for the
// read-modify-write, so replicas taking tokens at once each see the other's.
func (s *Postgres) TakeToken(ctx context.Context, key string, rule limit.Rule, cost float64, now time.Time) (bool, error) {
	if err := errRule(rule); err != nil {
		return false, err
	}
	if cost == 0 {
		var tokens float64
		var at time.Time
		err := s.pool.QueryRow(ctx, `SELECT tokens, at FROM limits WHERE key = $1 AND full_at > $2`, key, now).Scan(&tokens, &at)
		if errors.Is(err, pgx.ErrNoRows) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		ok, _, _ := take(rule, tokens, at, now, 0)
		return ok, nil
	}
	// forget a few buckets full again by now; SKIP LOCKED never waits, so
	// this cannot deadlock with a replica taking a token
	if _, err := s.pool.Exec(ctx, `DELETE FROM limits WHERE key IN (SELECT key FROM limits WHERE full_at <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)`, now); err != nil {
		return false, err
	}
	var ok bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// insert or lock the row in one statement
		var tokens float64
		var at, full time.Time
		if err := tx.QueryRow(ctx, `INSERT INTO limits (key, tokens, at, full_at) VALUES ($1, $2, $3, $3)
			ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING tokens, at, full_at`, key, rule.Burst, now).Scan(&tokens, &at, &full); err != nil {
			return err
		}
		if !full.After(now) {
			tokens = rule.Burst // full again
		}
		var left float64
		var until time.Time
		if ok, left, until = take(rule, tokens, at, now, cost); !ok {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE limits SET tokens = $2, at = $3, full_at = $4 WHERE key = $1`, key, left, now, until)
		return err
	})
	return ok, err
}

// LimitKeys is how many rate-limit buckets the store holds.
func (s *Postgres) LimitKeys(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM limits`).Scan(&n)
	return n, err
}
