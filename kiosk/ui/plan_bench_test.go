package ui

import (
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// identityTaps are a resident's taps to identify: 11 PESEL digits, the
// declaration and Next.
const identityTaps = 11 + 1 + 1

// preparedGoal is the goal for a prepared ballot beyond identity:
// scan, review, confirm.
const preparedGoal = 3

// BenchmarkKrakowBallotPrepared: the same resident and Kraków-sized edition
// as BenchmarkKrakowBallot, once with a ballot prepared in the planner
// (scanned at the attract screen) and once choosing by hand, in the same
// run: taps and scripted seconds of each, the prepared taps beyond
// identity next to the goal.
func BenchmarkKrakowBallotPrepared(b *testing.B) {
	var prepTaps, handTaps int
	var prepSpent, handSpent time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		r := newRig(b, portrait, manyProjects(142, 40))
		ed := r.st.Edition
		plan := election.Ballot{Edition: ed.ID, District: "d13"}
		for _, pool := range ed.BallotPools("d13") {
			ps := ed.ProjectsIn(pool.ID)
			plan.Selections = append(plan.Selections, election.Selection{Pool: pool.ID, Choices: []election.Choice{
				{Project: ps[len(ps)-1].ID, Points: 3}, {Project: ps[len(ps)/2].ID, Points: 2}, {Project: ps[0].ID, Points: 1}}})
		}
		code, err := election.EncodePlan(ed, plan)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, t0 := r.u.Taps, time.Now()
		r.scan(code)
		r.keys("44051401359")
		r.tap("☐ Oświadczam")
		r.tap("Dalej")
		r.tap("Zatwierdzam")
		prepSpent += time.Since(t0)
		if r.u.Screen() != "done" {
			b.Fatalf("the prepared ballot did not finish: %s", r.u.Screen())
		}
		prepTaps += r.u.Taps - start
		r.tap("Zakończ")

		start, t0 = r.u.Taps, time.Now()
		r.tap("Dotknij")
		r.keys("02270803624")
		r.tap("☐ Oświadczam")
		r.tap("Dalej")
		r.tap("Dalej")
		for range 2 {
			r.tap("3 pkt", 0)
			r.tap("2 pkt", 1)
			r.tap("1 pkt", 2)
			r.tap("Dalej")
		}
		r.tap("Zatwierdzam")
		handSpent += time.Since(t0)
		if r.u.Screen() != "done" {
			b.Fatalf("the ballot by hand did not finish: %s", r.u.Screen())
		}
		handTaps += r.u.Taps - start
		n++
	}
	f := float64(n)
	b.ReportMetric(float64(prepTaps)/f, "prepared-taps/ballot")
	b.ReportMetric(float64(handTaps)/f, "by-hand-taps/ballot")
	// the scan is the goal's first step and no tap: count it
	b.ReportMetric((float64(prepTaps)/f-identityTaps+1)/preparedGoal, "prepared-beyond-identity/goal")
	b.ReportMetric(prepSpent.Seconds()/f, "prepared-scripted-s/ballot")
	b.ReportMetric(handSpent.Seconds()/f, "by-hand-scripted-s/ballot")
	b.ReportMetric(float64(prepSpent)/float64(handSpent), "prepared/by-hand-s")
}
