package main

import "testing"

// TestLatestKeepsNewest: the agent never blocks on the UI, and the UI gets
// the newest catalog installed.
func TestLatestKeepsNewest(t *testing.T) {
	ch := make(chan []byte, 1)
	for _, v := range []string{"v1", "v2", "v3"} {
		latest(ch, []byte(v))
	}
	if got := string(<-ch); got != "v3" {
		t.Fatalf("got %s, want v3", got)
	}
	select {
	case v := <-ch:
		t.Fatalf("%s left behind", v)
	default:
	}
}
