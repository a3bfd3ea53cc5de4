package ui

import (
	"testing"
	"time"
)

// ballotFloor is the fewest taps the rules allow for a Kraków ballot: 11
// PESEL digits, the residence declaration, 6 choices (3-2-1 in two
// pools) and the confirmation.
const ballotFloor = 11 + 1 + 6 + 1

// BenchmarkKrakowBallot: a scripted resident casts a complete ballot on
// an edition the size of Kraków's 2025 one (142 city-wide projects, 40 in
// the district) at a portrait kiosk, through Fyne's test driver: the taps
// it takes next to the rules' floor, and the seconds the kiosk spends on
// them (building and laying out every screen the taps lead to).
func BenchmarkKrakowBallot(b *testing.B) {
	var taps int
	var spent time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		r := newRig(b, portrait, manyProjects(142, 40))
		b.StartTimer()
		start, t0 := r.u.Taps, time.Now()
		r.tap("Dotknij")
		r.keys("44051401359")
		r.tap("☐ Oświadczam")
		r.tap("Dalej")
		r.tap("Dalej") // the district the venue is in
		for range 2 {
			r.tap("3 pkt", 0)
			r.tap("2 pkt", 1)
			r.tap("1 pkt", 2)
			r.tap("Dalej")
		}
		r.tap("Zatwierdzam")
		spent += time.Since(t0)
		if r.u.Screen() != "done" {
			b.Fatalf("the ballot did not finish: %s", r.u.Screen())
		}
		taps += r.u.Taps - start
		n++
	}
	b.ReportMetric(float64(taps)/float64(n), "taps/ballot")
	b.ReportMetric(float64(taps)/float64(n)/ballotFloor, "taps/floor")
	b.ReportMetric(spent.Seconds()/float64(n), "scripted-s/ballot")
	b.ReportMetric(spent.Seconds()/float64(taps), "s/tap")
}
