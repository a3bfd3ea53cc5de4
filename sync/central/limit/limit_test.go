package limit

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time      { return c.now }
func (c *fakeClock) Add(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *fakeClock               { return &fakeClock{now: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)} }
func allow(t *testing.T, l Limiter, k string) bool {
	t.Helper()
	ok, err := l.Allow(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestMemoryBucket: a burst, then the rate; keys apart; Blocked takes nothing.
func TestMemoryBucket(t *testing.T) {
	c := newClock()
	m := NewMemory(Rule{Rate: 1, Burst: 3}, c.Now)
	for i := range 3 {
		if !allow(t, m, "a") {
			t.Fatalf("token %d of a burst of 3 refused", i+1)
		}
	}
	if allow(t, m, "a") {
		t.Fatal("a fourth token in the same instant")
	}
	if b, _ := m.Blocked(context.Background(), "a"); !b {
		t.Fatal("an empty bucket is not blocked")
	}
	if !allow(t, m, "b") {
		t.Fatal("another key is limited by the first")
	}
	c.Add(time.Second)
	if b, _ := m.Blocked(context.Background(), "a"); b {
		t.Fatal("blocked after a second's refill")
	}
	if !allow(t, m, "a") || allow(t, m, "a") {
		t.Fatal("one second refills one token")
	}
}

// TestMemoryForgetsIdleKeys: the old limiter kept every address it ever
// saw; this one forgets a key once its bucket would be full again.
func TestMemoryForgetsIdleKeys(t *testing.T) {
	c := newClock()
	rule := Rule{Rate: 5, Burst: 10}
	m := NewMemory(rule, c.Now)
	for i := range 10000 {
		allow(t, m, fmt.Sprintf("check:10.0.%d.%d", i/256, i%256))
	}
	if m.Len() != 10000 {
		t.Fatalf("%d keys after 10000 addresses", m.Len())
	}
	c.Add(rule.Idle())
	allow(t, m, "check:192.0.2.1")
	if m.Len() != 1 {
		t.Fatalf("%d keys kept after every address went idle", m.Len())
	}
}
