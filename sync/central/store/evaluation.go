package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Evaluations counts the answers to "how easy was it to vote?" (1–5) per
// venue ("" for the web). Only the counts are kept: no time, no order, no
// ballot, so an answer cannot be joined to a ballot.
type Evaluations interface {
	// AddEvaluation counts one answer.
	AddEvaluation(ctx context.Context, venue string, score int) error
	// EvaluationCounts returns, per venue, how many answered 1, 2, … 5.
	EvaluationCounts(ctx context.Context) (map[string][5]int, error)
}

// ErrScore: an answer is 1 to 5.
var ErrScore = errors.New("an evaluation is 1 to 5")

var bEvaluations = []byte("evaluations") // "v:" venue -> [5]int JSON (a key is never empty)

// AddEvaluation implements Evaluations.
func (s *Bolt) AddEvaluation(_ context.Context, venue string, score int) error {
	if score < 1 || score > 5 {
		return ErrScore
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bEvaluations)
		if err != nil {
			return err
		}
		var n [5]int
		if v := b.Get([]byte("v:" + venue)); v != nil {
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
		}
		n[score-1]++
		return put(b, []byte("v:"+venue), n)
	})
}

// EvaluationCounts implements Evaluations.
func (s *Bolt) EvaluationCounts(context.Context) (map[string][5]int, error) {
	out := map[string][5]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bEvaluations)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var n [5]int
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out[strings.TrimPrefix(string(k), "v:")] = n
			return nil
		})
	})
	return out, err
}

// AddEvaluation implements Evaluations.
func (s *Postgres) AddEvaluation(ctx context.Context, venue string, score int) error {
	if score < 1 || score > 5 {
		return ErrScore
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO evaluations (venue, score, n) VALUES ($1, $2, 1)
		ON CONFLICT (venue, score) DO UPDATE SET n = evaluations.n + 1`, venue, score)
	return err
}

// EvaluationCounts implements Evaluations.
func (s *Postgres) EvaluationCounts(ctx context.Context) (map[string][5]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT venue, score, n FROM evaluations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][5]int{}
	for rows.Next() {
		var venue string
		var score, n int
		if err := rows.Scan(&venue, &score, &n); err != nil {
			return nil, err
		}
		c := out[venue]
		c[score-1] = n
		out[venue] = c
	}
	return out, rows.Err()
}
