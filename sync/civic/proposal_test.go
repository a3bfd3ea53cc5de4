package civic

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

func day(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }

// year is the demo edition (vote 1-15 June 2025) with Kraków's calendar and rules.
func year(t *testing.T) *election.Edition {
	e := assets.MustDemoEdition()
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, e.Location()) }
	e.Opens, e.Closes = at(6, 1), at(6, 15)
	e.Phases = []election.Phase{
		{Kind: election.PhaseSubmission, Starts: at(2, 7), Ends: at(3, 10)},
		{Kind: election.PhaseFormalCheck, Starts: at(3, 10), Ends: at(4, 1), FixDays: 7},
		{Kind: election.PhaseMeritCheck, Starts: at(4, 1), Ends: at(4, 30)},
		{Kind: election.PhaseProtests, Starts: at(4, 30), Ends: at(5, 10)},
		{Kind: election.PhaseListPublished, Starts: at(5, 15), Ends: at(6, 1)},
	}
	e.Proposals = &election.ProposalRules{
		CostLimits: map[election.PoolKind]election.CostLimit{election.District: {Min: 10_000_00, Max: 400_000_00}},
		Supporters: 15,
		Numbering:  map[election.PoolKind]string{election.CityWide: "BO.OM.{n}/{yy}", election.District: "BO.D{d}.{n}/{yy}"},
	}
	if ps := e.Check(); len(ps) > 0 {
		t.Fatal(ps)
	}
	return e
}

func draft(pool string, cost int64) Draft {
	return Draft{Pool: pool, Lang: "pl", Title: "Ławki przy Wiśle", Summary: "Dwadzieścia ławek na bulwarach.",
		Location: "Bulwar Czerwieński", Category: "green", Cost: cost}
}

func key(err error) string {
	var p election.Problem
	var ps election.Problems
	switch {
	case errors.As(err, &p):
		return p.Key
	case errors.As(err, &ps) && len(ps) > 0:
		return ps[0].Key
	}
	return ""
}

func must(t *testing.T, p *Proposal, e *election.Edition, ev Event) {
	t.Helper()
	if err := p.Apply(e, ev); err != nil {
		t.Fatalf("%s on %s: %v", ev.Kind, p.Status, err)
	}
}

func TestProposalYear(t *testing.T) {
	e := year(t)
	if _, err := Submit(e, "x", draft("d16", 50_000_00), day(1, 20)); key(err) != KeyPhase {
		t.Fatalf("submitted before the window: %v", err)
	}
	submit := func(id, pool string, cost int64, at time.Time) *Proposal {
		p, err := Submit(e, id, draft(pool, cost), at)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	fixed := submit("p1", "d16", 50_000_00, day(2, 10))
	rejected := submit("p2", "d16", 60_000_00, day(2, 11))
	restored := submit("p3", "city", 500_000_00, day(2, 12))
	upheld := submit("p4", "city", 300_000_00, day(2, 13))
	withdrawn := submit("p5", "d16", 20_000_00, day(2, 14))
	mergedA := submit("p6", "d16", 30_000_00, day(2, 15))
	mergedB := submit("p7", "d16", 40_000_00, day(2, 16))
	plain := submit("p8", "city", 100_000_00, day(2, 17))

	// Formal check: p1 must fix something within 7 days, and does.
	must(t, fixed, e, Event{At: day(3, 12), Kind: EvAssign, Actor: "koord", Detail: "ZZM"})
	must(t, fixed, e, Event{At: day(3, 12), Kind: EvFormalFix, Actor: "ver1", Reason: "Brak mapy lokalizacji."})
	if fixed.FixBy != day(3, 19) {
		t.Fatalf("fix by %v", fixed.FixBy)
	}
	must(t, fixed, e, Event{At: day(3, 15), Kind: EvFixed, Actor: "applicant"})
	for _, p := range []*Proposal{fixed, rejected, restored, upheld, mergedA, mergedB, plain} {
		must(t, p, e, Event{At: day(3, 20), Kind: EvFormalPass, Actor: "ver1"})
	}
	// Merit check: p2 and p3, p4 rejected; the unit's own estimate for p8.
	must(t, rejected, e, Event{At: day(4, 10), Kind: EvMeritReject, Actor: "ver2", Reason: "Teren nie należy do miasta."})
	must(t, restored, e, Event{At: day(4, 10), Kind: EvMeritReject, Actor: "ver2", Reason: "Koszt przekracza limit."})
	must(t, upheld, e, Event{At: day(4, 10), Kind: EvMeritReject, Actor: "ver2", Reason: "Zadanie nie jest ogólnodostępne."})
	must(t, fixed, e, Event{At: day(4, 11), Kind: EvMeritPass, Actor: "ver2"})
	must(t, plain, e, Event{At: day(4, 11), Kind: EvMeritPass, Actor: "ver2", Detail: "120000000"})
	must(t, mergedB, e, Event{At: day(4, 12), Kind: EvMeritPass, Actor: "ver2"})
	must(t, mergedA, e, Event{At: day(4, 12), Kind: EvMerge, Actor: "koord", Reason: "Ten sam skwer.", Detail: "p7"})
	must(t, withdrawn, e, Event{At: day(4, 13), Kind: EvWithdraw, Actor: "applicant"})
	// Protests: p3 restored by the council, p4's rejection upheld; p2 never protested.
	must(t, restored, e, Event{At: day(5, 2), Kind: EvProtest, Actor: "applicant", Reason: "Koszt policzono źle."})
	must(t, upheld, e, Event{At: day(5, 2), Kind: EvProtest, Actor: "applicant", Reason: "Park jest otwarty."})
	must(t, restored, e, Event{At: day(5, 12), Kind: EvRestore, Actor: "council", Reason: "Rada przyjęła wyjaśnienie.", Detail: "2025-05-12"})
	for date, want := range map[string]string{"": KeyHearing, "1999-01-01": KeyHearingDay, "2025-05-01": KeyHearingDay, "2025-05-13": KeyHearingDay} {
		if err := upheld.Apply(e, Event{At: day(5, 12), Kind: EvUphold, Actor: "council", Reason: "Bez daty.", Detail: date}); key(err) != want {
			t.Errorf("hearing %q: %v, want %s", date, err, want)
		}
	}
	must(t, upheld, e, Event{At: day(5, 12), Kind: EvUphold, Actor: "council", Reason: "Park jest zamykany na noc.", Detail: "2025-05-02"})

	all := []*Proposal{fixed, rejected, restored, upheld, withdrawn, mergedA, mergedB, plain}
	projects, err := BuildCatalog(e, all, day(5, 14), "koord")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"p3": "BO.OM.1/25", "p8": "BO.OM.2/25", "p1": "BO.D16.1/25", "p7": "BO.D16.2/25"}
	if len(projects) != len(want) {
		t.Fatalf("%d projects on the ballot, want %d: %+v", len(projects), len(want), projects)
	}
	for _, pr := range projects {
		if want[pr.ID] != pr.Number {
			t.Errorf("%s numbered %s, want %s", pr.ID, pr.Number, want[pr.ID])
		}
		if pr.ID == "p8" && pr.Cost != 120000000 {
			t.Errorf("p8 costs %d, want the unit's estimate", pr.Cost)
		}
	}
	for _, p := range all {
		if (want[p.ID] != "") != (p.Status == OnBallot) {
			t.Errorf("%s is %s", p.ID, p.Status)
		}
	}
	// The history is the audit log: who, when, what.
	if h := restored.History; len(h) != 6 || h[4].Actor != "council" || h[5].Kind != EvNumbered {
		t.Errorf("history of the restored proposal: %+v", h)
	}

	// The catalog built from them is an edition residents can vote on.
	e.Projects = projects
	var buf bytes.Buffer
	if err := election.EncodeEdition(&buf, e); err != nil {
		t.Fatal(err)
	}
	if _, err := election.DecodeEdition(&buf); err != nil {
		t.Fatalf("the built catalog does not read back: %v", err)
	}
	e.Rules[election.CityWide] = election.BallotRule{Kind: election.Points, Points: []int{3, 2}}
	e.Rules[election.District] = election.BallotRule{Kind: election.Points, Points: []int{3, 2}}
	b := election.Ballot{Edition: e.ID, District: "d16", Selections: []election.Selection{
		{Pool: "city", Choices: []election.Choice{{Project: "p3", Points: 3}, {Project: "p8", Points: 2}}},
		{Pool: "d16", Choices: []election.Choice{{Project: "p7", Points: 3}, {Project: "p1", Points: 2}}},
	}}
	if ps := e.Validate(b); len(ps) > 0 {
		t.Fatalf("a vote on the built catalog: %v", ps)
	}
}

func TestProposalRefusals(t *testing.T) {
	e := year(t)
	p, err := Submit(e, "p1", draft("d16", 50_000_00), day(2, 10))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ev   Event
		want string
	}{
		{Event{At: day(3, 12), Kind: EvMeritPass, Actor: "v"}, KeyTransition},                    // not formally checked yet
		{Event{At: day(2, 20), Kind: EvFormalPass, Actor: "v"}, KeyPhase},                        // still the submission phase
		{Event{At: day(3, 12), Kind: EvFormalReject, Actor: "v"}, KeyReason},                     // a rejection needs its reason
		{Event{At: day(3, 12), Kind: EvProtest, Actor: "applicant", Reason: "x"}, KeyTransition}, // nothing to protest
		{Event{At: day(3, 12), Kind: "party", Actor: "v"}, KeyTransition},
	}
	for _, c := range cases {
		if err := p.Apply(e, c.ev); key(err) != c.want {
			t.Errorf("%s at %s: %v, want %s", c.ev.Kind, c.ev.At.Format("01-02"), err, c.want)
		}
	}
	must(t, p, e, Event{At: day(3, 12), Kind: EvFormalFix, Actor: "v", Reason: "Brak mapy."})
	if err := p.Apply(e, Event{At: day(3, 25), Kind: EvFixed, Actor: "applicant"}); key(err) != KeyFixLate {
		t.Errorf("fixed after the fix-by date: %v", err)
	}
	if p.Status != NeedsFix {
		t.Errorf("a refused event changed the status to %s", p.Status)
	}
}

func TestDraftCheck(t *testing.T) {
	e := year(t)
	long := func(n int) string { return string(bytes.Repeat([]byte("ą"), n)) }
	cases := map[string]struct {
		edit func(*Draft)
		want string
	}{
		"fine":              {func(*Draft) {}, ""},
		"no title":          {func(d *Draft) { d.Title = "  " }, KeyTitle},
		"long title":        {func(d *Draft) { d.Title = long(MaxTitle + 1) }, KeyTitle},
		"long summary":      {func(d *Draft) { d.Summary = long(MaxSummary + 1) }, KeySummary},
		"unknown pool":      {func(d *Draft) { d.Pool = "d99" }, KeyPool},
		"below the minimum": {func(d *Draft) { d.Cost = 9_999_99 }, KeyCostLow},
		"above the maximum": {func(d *Draft) { d.Cost = 400_000_01 }, KeyCostHigh},
		"free":              {func(d *Draft) { d.Cost = 0 }, KeyCostLow},
		"bad category":      {func(d *Draft) { d.Category = "parties" }, KeyCategory},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := draft("d16", 50_000_00)
			c.edit(&d)
			ps := Check(e, d)
			got := ""
			if len(ps) > 0 {
				got = ps[0].Key
			}
			if got != c.want {
				t.Fatalf("got %v, want %s", ps, c.want)
			}
		})
	}
	// Every key a resident or staff member can meet is translated in every language.
	m := assets.MustMessages()
	for _, k := range []string{KeyTitle, KeySummary, KeyDescription, KeyPool, KeyCategory, KeyCostLow, KeyCostHigh,
		KeyPhase, KeyTransition, KeyFixLate, KeyReason} {
		for _, lang := range election.Languages {
			if m.T(lang, k) == k {
				t.Errorf("%s has no %s translation", k, lang)
			}
		}
	}
	_ = fmt.Sprint
}

// TestRestoredAfterFormalRejection: a proposal the council restores after a
// formal rejection goes to the merit check (its cost was never verified),
// and may have it after the merit-check phase.
func TestRestoredAfterFormalRejection(t *testing.T) {
	e := year(t)
	p, err := Submit(e, "p1", draft("d16", 50_000_00), day(2, 10))
	if err != nil {
		t.Fatal(err)
	}
	must(t, p, e, Event{At: day(3, 12), Kind: EvFormalReject, Actor: "v", Reason: "Brak listy poparcia."})
	must(t, p, e, Event{At: day(5, 2), Kind: EvProtest, Actor: "applicant", Reason: "Lista była złożona."})
	must(t, p, e, Event{At: day(5, 12), Kind: EvRestore, Actor: "council", Reason: "Lista się znalazła.", Detail: "2025-05-11"})
	if p.Status != FormallyOK || p.Passed() {
		t.Fatalf("restored after a formal rejection: %s", p.Status)
	}
	must(t, p, e, Event{At: day(5, 13), Kind: EvMeritPass, Actor: "v", Detail: "4500000"})
	if p.Status != Accepted || p.UnitCost != 4500000 {
		t.Fatalf("after its merit check: %s %d", p.Status, p.UnitCost)
	}
}

// TestAllows: the steps offered follow the status and the phase, as Apply does.
func TestAllows(t *testing.T) {
	e := year(t)
	p, err := Submit(e, "W-1", draft("d01", 50_000_00), day(2, 20))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind EventKind
		at   time.Time
		want bool
	}{
		{EvAssign, day(2, 20), true}, {EvFormalPass, day(2, 20), false}, {EvFormalPass, day(3, 12), true},
		{EvMeritPass, day(4, 10), false}, {EvUphold, day(5, 2), false}, {EvMerge, day(4, 10), true}, {"nonsense", day(3, 12), false},
	} {
		if got := p.Allows(e, c.kind, c.at); got != c.want {
			t.Errorf("%s at %s: %v", c.kind, c.at.Format(time.DateOnly), got)
		}
	}
}
