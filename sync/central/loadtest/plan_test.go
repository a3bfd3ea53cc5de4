package loadtest

import (
	"os"
	"testing"
	"time"
)

// TestPlanKeepsHumanPace: the plan gives each kiosk one heartbeat per 30 s
// and ballots at about the busy day's rate, and a kiosk's ballots, when
// sent, are never closer than a minute (Ballot moves a faster one on).
func TestPlanKeepsHumanPace(t *testing.T) {
	fleet := make([]*Kiosk, 1000)
	for i := range fleet {
		fleet[i] = &Kiosk{ID: "k"}
	}
	const d = 10 * time.Minute
	plan := Plan(fleet, d, 1)
	per := map[*Kiosk]int{}
	count := map[string]int{}
	for i, e := range plan {
		if i > 0 && e.at < plan[i-1].at {
			t.Fatal("the plan is not in time order")
		}
		if e.at >= d {
			t.Fatalf("an event at %s, past the window", e.at)
		}
		count[e.kind]++
		if e.kind == "heartbeat" {
			per[e.kiosk]++
		}
	}
	for k, n := range per {
		if n != int(d/HeartbeatEvery) {
			t.Fatalf("kiosk %p has %d heartbeats in %s", k, n, d)
		}
	}
	want := float64(len(fleet)) * float64(d) / float64(BallotEvery)
	if got := float64(count["ballots"]); got < 0.9*want || got > 1.1*want {
		t.Errorf("%v ballots planned, about %v expected", got, want)
	}
	if count["dashboard"] != DashboardUsers*int(d/DashboardEvery) {
		t.Errorf("%d dashboard loads", count["dashboard"])
	}
}

// TestCPU reads this process's CPU time from /proc after some work.
func TestCPU(t *testing.T) {
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	if CPU(os.Getpid()) <= 0 {
		t.Fatalf("no CPU time for this process (%d loops)", x)
	}
}
