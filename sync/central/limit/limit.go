// Package limit holds the central's one kind of rate limit: a token bucket
// per key (an address, a kiosk, an account) that forgets keys once they
// have been idle long enough to be full again. Memory keeps the buckets in
// this process; Shared keeps them in a Backend (the PostgreSQL store), so
// that replicas behind one load balancer share them.
package limit

import (
	"context"
	"sync"
	"time"
)

// Rule is a bucket's size and how fast it refills.
type Rule struct {
	Rate  float64 // tokens per second
	Burst float64 // the bucket's size
}

// Idle is how long a key must go unused to be full again, after which it
// is forgotten: a full bucket and no bucket answer alike.
func (r Rule) Idle() time.Duration {
	if r.Rate <= 0 {
		return 24 * time.Hour
	}
	return time.Duration(r.Burst / r.Rate * float64(time.Second))
}

// Limiter answers whether a key may go on.
type Limiter interface {
	// Allow takes a token from key's bucket and reports whether there was one.
	Allow(ctx context.Context, key string) (bool, error)
	// Blocked reports whether key's bucket is empty, taking nothing.
	Blocked(ctx context.Context, key string) (bool, error)
}

// Backend keeps buckets where several processes can share them.
type Backend interface {
	// TakeToken takes cost tokens (0 takes none) from key's bucket under
	// rule at now and reports whether at least max(cost, 1) were there.
	// Buckets full again by now are forgotten on the way.
	TakeToken(ctx context.Context, key string, rule Rule, cost float64, now time.Time) (bool, error)
}

// MaxKey is the longest key kept; longer ones are cut (a user name typed
// into the sign-in form is part of a key).
const MaxKey = 200

func cut(key string) string {
	if len(key) > MaxKey {
		return key[:MaxKey]
	}
	return key
}

// refill returns a bucket's tokens at now, given tokens at at.
func refill(rule Rule, tokens float64, at, now time.Time) float64 {
	if d := now.Sub(at).Seconds(); d > 0 {
		tokens += d * rule.Rate
	}
	return min(rule.Burst, tokens)
}

// Memory is a Limiter in this process.
type Memory struct {
	rule  Rule
	clock func() time.Time

	mu      sync.Mutex
	buckets map[string]bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewMemory returns a limiter under rule; clock is time.Now when nil.
func NewMemory(rule Rule, clock func() time.Time) *Memory {
	if clock == nil {
		clock = time.Now
	}
	return &Memory{rule: rule, clock: clock, buckets: map[string]bucket{}}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string) (bool, error) { return m.take(key, 1), nil }

// Blocked implements Limiter.
func (m *Memory) Blocked(_ context.Context, key string) (bool, error) { return !m.take(key, 0), nil }

func (m *Memory) take(key string, cost float64) bool {
	key = cut(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	m.sweep(now)
	b, ok := m.buckets[key]
	tokens := m.rule.Burst
	if ok {
		tokens = refill(m.rule, b.tokens, b.at, now)
	}
	if tokens < max(cost, 1) {
		return false
	}
	if cost > 0 {
		m.buckets[key] = bucket{tokens: tokens - cost, at: now}
	}
	return true
}

// sweep forgets the buckets full again, at most once per idle period, so
// that its cost is spread over the calls in between.
func (m *Memory) sweep(now time.Time) {
	idle := m.rule.Idle()
	if now.Sub(m.swept) < idle {
		return
	}
	m.swept = now
	for k, b := range m.buckets {
		if now.Sub(b.at) >= idle {
			delete(m.buckets, k)
		}
	}
}

// Len is how many keys the limiter holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}

// Shared is a Limiter whose buckets live in a Backend.
type Shared struct {
	backend Backend
	name    string
	rule    Rule
	clock   func() time.Time
}

// NewShared returns a limiter under rule whose buckets the backend keeps;
// name keeps its keys apart from other limiters' in the same backend.
func NewShared(backend Backend, name string, rule Rule, clock func() time.Time) *Shared {
	if clock == nil {
		clock = time.Now
	}
	return &Shared{backend: backend, name: name, rule: rule, clock: clock}
}

// Allow implements Limiter.
func (s *Shared) Allow(ctx context.Context, key string) (bool, error) {
	return s.backend.TakeToken(ctx, cut(s.name+":"+key), s.rule, 1, s.clock())
}

// Blocked implements Limiter.
func (s *Shared) Blocked(ctx context.Context, key string) (bool, error) {
	ok, err := s.backend.TakeToken(ctx, cut(s.name+":"+key), s.rule, 0, s.clock())
	return !ok, err
}

// Ready returns a limiter for each use: Shared over backend when there is
// one, Memory otherwise.
func Ready(backend Backend, name string, rule Rule, clock func() time.Time) Limiter {
	if backend == nil {
		return NewMemory(rule, clock)
	}
	return NewShared(backend, name, rule, clock)
}
