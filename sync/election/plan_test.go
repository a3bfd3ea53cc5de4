package election

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func planBallot() Ballot {
	return Ballot{Edition: "test-2025", District: "d1", Selections: []Selection{
		{Pool: "city", Choices: []Choice{{"c2", 3}, {"c4", 2}, {"c1", 1}}},
		{Pool: "d1", Choices: []Choice{{"a3", 3}, {"a1", 2}, {"a2", 1}}},
	}}
}

func TestPlanRoundTrip(t *testing.T) {
	e := testEdition()
	code, err := EncodePlan(e, planBallot())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.ReplaceAll(code, "-", "")); n > 34 {
		t.Errorf("a full 3-2-1 ballot takes %d characters (%s), want at most 34", n, code)
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", " "),
		"https://urna.example/plan/" + strings.ReplaceAll(code, "-", "")} {
		b, ps, err := DecodePlan(e, PlanFromText(typed))
		if err != nil || len(ps) > 0 {
			t.Fatalf("%q: %v %v", typed, err, ps)
		}
		if !slices.EqualFunc(b.Selections, planBallot().Selections, func(a, b Selection) bool {
			return a.Pool == b.Pool && slices.Equal(a.Choices, b.Choices)
		}) || b.District != "d1" {
			t.Fatalf("%q decoded to %+v", typed, b)
		}
		if ps := e.Validate(b); len(ps) > 0 {
			t.Fatalf("decoded ballot invalid: %v", ps)
		}
	}
}

func planKey(err error) string {
	var p Problem
	if errors.As(err, &p) {
		return p.Key
	}
	return ""
}

func TestPlanProblems(t *testing.T) {
	e := testEdition()
	code, err := EncodePlan(e, planBallot())
	if err != nil {
		t.Fatal(err)
	}
	// Every single mistyped character is caught.
	flat := strings.ReplaceAll(code, "-", "")
	for i := range flat {
		for _, c := range crockford {
			if byte(c) == flat[i] {
				continue
			}
			typo := flat[:i] + string(c) + flat[i+1:]
			if _, _, err := DecodePlan(e, typo); planKey(err) != KeyPlanUnreadable {
				t.Fatalf("typo %q at %d read as %v", c, i, err)
			}
		}
	}
	other := testEdition()
	other.ID = "test-2026"
	if _, _, err := DecodePlan(other, code); planKey(err) != KeyPlanOtherEdition {
		t.Fatalf("another edition: %v", err)
	}
	// A republished catalog (a title fixed, projects reordered) reads the same code.
	fixed := testEdition()
	fixed.Projects[0].Title = Text{"pl": "Park miejski"}
	slices.Reverse(fixed.Projects)
	if _, ps, err := DecodePlan(fixed, code); err != nil || len(ps) > 0 {
		t.Fatalf("republished catalog: %v %v", err, ps)
	}
	// A withdrawn project is named and the rest still fills in.
	withdrawn := testEdition()
	withdrawn.Projects = slices.DeleteFunc(withdrawn.Projects, func(p Project) bool { return p.ID == "c4" })
	b, ps, err := DecodePlan(withdrawn, code)
	if err != nil || len(ps) != 1 || ps[0].Key != KeyPlanWithdrawn || ps[0].Pool != "city" {
		t.Fatalf("withdrawn: %v %v", err, ps)
	}
	if got := len(b.Selection("city").Choices) + len(b.Selection("d1").Choices); got != 5 {
		t.Fatalf("withdrawn: %d choices kept, want 5", got)
	}
	// A changed rule shows when the filled-in ballot is validated.
	changed := testEdition()
	changed.Rules[CityWide] = BallotRule{Kind: Points, Points: []int{5, 3, 1}}
	b, _, _ = DecodePlan(changed, code)
	if ps := changed.Validate(b); len(ps) == 0 {
		t.Fatal("a ballot planned under 3-2-1 passed a 5-3-1 rule")
	}
	for _, junk := range []string{"", "hello", "URNA", strings.Repeat("Z", 200), "https://urna.example/plan/"} {
		if _, _, err := DecodePlan(e, PlanFromText(junk)); planKey(err) != KeyPlanUnreadable {
			t.Fatalf("%q: %v", junk, err)
		}
	}
	if _, err := EncodePlan(e, Ballot{Edition: e.ID, District: "nowhere"}); planKey(err) != KeyPlanDistrict {
		t.Fatalf("unknown district: %v", err)
	}
}

func FuzzDecodePlan(f *testing.F) {
	e := testEdition()
	code, _ := EncodePlan(e, planBallot())
	f.Add(code)
	f.Add("")
	f.Add("0000000-ZZZZ")
	f.Fuzz(func(t *testing.T, s string) {
		b, _, err := DecodePlan(e, s)
		if err != nil {
			if planKey(err) == "" {
				t.Fatalf("error without a key: %v", err)
			}
			return
		}
		// What decodes re-encodes to a code that decodes to the same ballot.
		again, err := EncodePlan(e, b)
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", b, err)
		}
		b2, _, err := DecodePlan(e, again)
		if err != nil || b2.District != b.District || len(b2.Selections) != len(b.Selections) {
			t.Fatalf("round trip changed %+v into %+v (%v)", b, b2, err)
		}
	})
}
