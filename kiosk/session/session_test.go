package session

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }

// store is an in-memory Store that logs what happened, in order.
type store struct {
	seen    map[election.VoterKey]bool
	ballots []election.Ballot
	log     *[]string
}

func (s *store) Seen(v election.VoterKey) (bool, error) { return s.seen[v], nil }
func (s *store) Append(b election.Ballot, v election.VoterKey, _ int) (Sealed, error) {
	if s.seen[v] {
		return Sealed{}, election.Problem{Key: "queue.already_voted"}
	}
	s.seen[v] = true
	s.ballots = append(s.ballots, b)
	*s.log = append(*s.log, "append")
	return Sealed{Seq: uint64(len(s.ballots)), Tracker: "ABCD-EFGH-JKLM-NPQR"}, nil
}

type receipts struct {
	err error
	log *[]string
}

func (r *receipts) PrintReceipt(context.Context, Sealed, string, []election.Selection) error {
	*r.log = append(*r.log, "print")
	return r.err
}

type rig struct {
	s   *Session
	c   *clock
	st  *store
	rc  *receipts
	log []string
}

func newRig(t testing.TB, seed uint64) *rig {
	r := &rig{c: &clock{time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)}} // a Tuesday, 14:00 in Kraków
	r.st = &store{seen: map[election.VoterKey]bool{}, log: &r.log}
	r.rc = &receipts{log: &r.log}
	e := assets.MustDemoEdition()
	r.s = New(Deps{Edition: e, Venue: e.Venue("bk-podgorze"), Secret: []byte("secret"), Store: r.st, Receipts: r.rc,
		Clock: r.c.now, Rand: rand.New(rand.NewPCG(seed, 1))})
	return r
}

func pesel(y, m, d, serial int) string {
	mm := m
	if y >= 2000 {
		mm += 20
	}
	s := fmt.Sprintf("%02d%02d%02d%04d", y%100, mm, d, serial)
	w := []int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for i := range w {
		sum += int(s[i]-'0') * w[i]
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

func (r *rig) identify(t testing.TB, id string) {
	r.s.Start()
	for _, c := range id {
		r.s.Type(c)
	}
	r.s.SetResident(true)
	r.s.SubmitIdentity(context.Background())
}

// fill gives 3, 2, 1 points to the first three projects of the current pool.
func (r *rig) fill(t testing.TB) {
	pool, _ := r.s.Pool()
	ps := r.s.Projects(pool.ID, "", "")
	for i, pts := range []int{3, 2, 1} {
		r.s.Give(ps[i].ID, pts)
	}
	r.s.NextPool()
}

func TestWholeBallot(t *testing.T) {
	r := newRig(t, 1)
	if r.s.Step() != Attract {
		t.Fatalf("step %v", r.s.Step())
	}
	r.identify(t, "44051401359")
	if r.s.Step() != District || r.s.District() != "d13" {
		t.Fatalf("step %v, district %q (venue is in d13)", r.s.Step(), r.s.District())
	}
	r.s.SetLang("uk") // any time, progress kept
	r.s.ConfirmDistrict()
	r.fill(t)
	if _, i := r.s.Pool(); i != 1 {
		t.Fatalf("pool %d after the city pool", i)
	}
	r.fill(t)
	if r.s.Step() != Review {
		t.Fatalf("step %v, problem %v", r.s.Step(), r.s.problem)
	}
	r.s.Confirm(context.Background())
	if r.s.Step() != Done || r.s.PrintProblem() != "" {
		t.Fatalf("step %v print %q", r.s.Step(), r.s.PrintProblem())
	}
	if !slices.Equal(r.log, []string{"append", "print"}) {
		t.Fatalf("order %v: the ballot must be stored before the receipt prints", r.log)
	}
	b := r.st.ballots[0]
	if len(b.Selections) != 2 || len(assets.MustDemoEdition().Validate(b)) != 0 || r.s.Lang() != "uk" {
		t.Fatalf("ballot %+v", b)
	}
	if r.s.HasIdentity() {
		t.Fatal("identity kept after sealing")
	}
	r.c.add(21 * time.Second)
	r.s.Tick()
	if r.s.Step() != Attract || r.s.Lang() != "pl" {
		t.Fatalf("not back to attract: %v", r.s.Step())
	}
	// The same resident again: refused here.
	r.identify(t, "44051401359")
	if k, _ := r.s.Problem(); k != KeyAlreadyVoted || r.s.Step() != Identity {
		t.Fatalf("second vote: %q %v", k, r.s.Step())
	}
}

func TestIdentityProblems(t *testing.T) {
	tests := map[string]struct {
		typed    string
		resident bool
		method   election.IdentityKind
		key      string
	}{
		"wrong checksum": {"44051401358", true, election.ByPESEL, election.KeyPESELChecksum},
		"too short":      {"4405140135", true, election.ByPESEL, election.KeyPESELLength},
		"no declaration": {"44051401359", false, election.ByPESEL, election.KeyNoDeclaration},
		"bad code":       {"KRK23456789", true, election.ByCode, election.KeyCodeFormat},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, 1)
			r.s.Start()
			r.s.UseMethod(tc.method)
			for _, c := range tc.typed {
				r.s.Type(c)
			}
			r.s.SetResident(tc.resident)
			r.s.SubmitIdentity(context.Background())
			if k, _ := r.s.Problem(); k != tc.key || r.s.Step() != Identity {
				t.Fatalf("problem %q step %v, want %s", k, r.s.Step(), tc.key)
			}
		})
	}
	// Letters are not typed into a PESEL.
	r := newRig(t, 1)
	r.s.Start()
	r.s.Type('x')
	r.s.Type('4')
	if r.s.Typed(false) != "4" || r.s.Typed(true) != "4" {
		t.Fatalf("typed %q", r.s.Typed(false))
	}
	for _, c := range "4405140" {
		r.s.Type(c)
	}
	if got := r.s.Typed(true); got != "••••••40" {
		t.Fatalf("masked %q", got)
	}
}

func TestVoterCode(t *testing.T) {
	r := newRig(t, 1)
	code, _ := election.NewVoterCode("KRK", crand.Reader)
	r.s.Start()
	r.s.UseMethod(election.ByCode)
	for _, c := range code {
		if c != '-' {
			r.s.Type(c)
		}
	}
	r.s.SetResident(true)
	r.s.SubmitIdentity(context.Background())
	if r.s.Step() != District {
		k, _ := r.s.Problem()
		t.Fatalf("code %s: step %v problem %s", code, r.s.Step(), k)
	}
}

func TestGuardian(t *testing.T) {
	r := newRig(t, 1)
	r.identify(t, pesel(2016, 2, 1, 1234)) // 9 years old
	if r.s.Step() != Guardian {
		t.Fatalf("step %v", r.s.Step())
	}
	r.s.ConfirmGuardian(false)
	if k, _ := r.s.Problem(); k != election.KeyGuardianMissing || r.s.Step() != Guardian {
		t.Fatalf("no consent: %q %v", k, r.s.Step())
	}
	r.s.ConfirmGuardian(true)
	if r.s.Step() != District {
		t.Fatalf("step %v", r.s.Step())
	}
}

func TestVotedElsewhere(t *testing.T) {
	r := newRig(t, 1)
	r.s.d.Central = func(context.Context, election.VoterKey) (VoterAnswer, error) { return VoterAnswer{Voted: true}, nil }
	r.identify(t, "44051401359")
	if k, _ := r.s.Problem(); k != KeyVotedElsewhere {
		t.Fatalf("problem %q", k)
	}
	r.s.d.Central = func(context.Context, election.VoterKey) (VoterAnswer, error) {
		return VoterAnswer{}, errors.New("offline")
	}
	r.s.Reset()
	r.identify(t, "44051401359")
	if r.s.Step() != District {
		t.Fatal("an unreachable central blocked the vote")
	}
}

// TestCodeNotIssuedRefused: under issued-codes admission the central says
// a code was never issued, and the kiosk refuses it before the ballot.
func TestCodeNotIssuedRefused(t *testing.T) {
	r := newRig(t, 1)
	r.s.d.Central = func(context.Context, election.VoterKey) (VoterAnswer, error) {
		return VoterAnswer{NotAdmitted: true}, nil
	}
	r.identify(t, "44051401359")
	if k, _ := r.s.Problem(); k != KeyNotAdmitted || r.s.Step() == District {
		t.Fatalf("problem %q at %v", k, r.s.Step())
	}
}

func TestIdleWarningAndReset(t *testing.T) {
	r := newRig(t, 1)
	r.s.Start()
	for _, c := range "440514" {
		r.s.Type(c)
	}
	r.c.add(59 * time.Second)
	if idle := r.s.Tick(); idle.Warning {
		t.Fatal("warned before 60 s")
	}
	r.c.add(2 * time.Second)
	idle := r.s.Tick()
	if !idle.Warning || idle.Remaining != 29*time.Second {
		t.Fatalf("at 61 s: %+v", idle)
	}
	r.s.StillHere()
	r.c.add(89 * time.Second)
	if r.s.Tick(); r.s.Step() != Identity {
		t.Fatal("reset although the resident answered the warning")
	}
	r.c.add(2 * time.Second)
	r.s.Tick()
	if r.s.Step() != Attract || r.s.HasIdentity() || r.s.Typed(false) != "" {
		t.Fatalf("after 91 s: step %v, identity kept %v", r.s.Step(), r.s.HasIdentity())
	}
}

func TestClosedAndPaused(t *testing.T) {
	r := newRig(t, 1)
	r.c.t = time.Date(2025, 6, 3, 19, 30, 0, 0, time.UTC) // 21:30 in Kraków: the library is closed
	r.s.Reset()
	if r.s.Step() != Closed {
		t.Fatalf("at night: %v", r.s.Step())
	}
	r.s.Start()
	if r.s.Step() != Closed {
		t.Fatal("started while closed")
	}
	r.c.t = time.Date(2025, 6, 20, 12, 0, 0, 0, time.UTC) // after the window
	r.s.Refresh()
	if r.s.Step() != Closed {
		t.Fatal("open after the window")
	}
	r.c.t = time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	r.s.Tick()
	if r.s.Step() != Attract {
		t.Fatalf("not reopened: %v", r.s.Step())
	}
	r.s.SetPaused(true)
	if r.s.Start(); r.s.Step() != Paused {
		t.Fatal("started while paused")
	}
	r.s.SetPaused(false)
	if r.s.Step() != Attract {
		t.Fatal("not resumed")
	}
}

func TestRandomOrder(t *testing.T) {
	first := map[string]bool{}
	for seed := range uint64(12) {
		r := newRig(t, seed)
		ps := r.s.Projects("city", "", "")
		again := r.s.Projects("city", "", "")
		if ps[0].ID != again[0].ID {
			t.Fatal("order changed within a session")
		}
		first[ps[0].ID] = true
	}
	if len(first) < 4 {
		t.Fatalf("the same few projects always come first: %v", first)
	}
}

func TestChoosing(t *testing.T) {
	r := newRig(t, 1)
	r.identify(t, "44051401359")
	r.s.ConfirmDistrict()
	ps := r.s.Projects("city", "", "")
	r.s.Give(ps[0].ID, 3)
	r.s.Give(ps[1].ID, 3) // moves the 3 points
	if p, ok := r.s.PointsOf("city", ps[0].ID); ok {
		t.Fatalf("project 0 kept %d points", p)
	}
	r.s.Give(ps[1].ID, 3) // again: takes them back
	if _, ok := r.s.PointsOf("city", ps[1].ID); ok {
		t.Fatal("points not taken back")
	}
	r.s.Give(ps[0].ID, 2)
	need, free := r.s.Remaining(election.Pool{ID: "city", Kind: election.CityWide, Budget: 1})
	if need != 2 || !slices.Equal(free, []int{3, 1}) {
		t.Fatalf("remaining %d %v", need, free)
	}
	r.s.NextPool()
	if k, args := r.s.Problem(); k != election.KeyTooFew || args["need"] != 2 {
		t.Fatalf("incomplete pool: %q %v", k, args)
	}
	r.s.Give("d13p1", 3) // another pool's project: ignored
	if len(r.s.Choices("city")) != 1 {
		t.Fatal("a district project went into the city pool")
	}
	if got := r.s.Projects("city", "", "zielone podworka"); len(got) != 1 || got[0].ID != "c01" {
		t.Fatalf("search without diacritics: %v", got)
	}
	if got := r.s.Projects("city", "", "BO.OM.7/"); len(got) != 1 {
		t.Fatalf("search by number: %v", got)
	}
	if got := r.s.Projects("city", "health", ""); len(got) != 2 {
		t.Fatalf("health: %d", len(got))
	}
}

func TestApprovalAndKnapsack(t *testing.T) {
	r := newRig(t, 1)
	e := r.s.d.Edition
	e.Rules[election.CityWide] = election.BallotRule{Kind: election.Approval, Min: 1, Max: 2}
	e.Rules[election.District] = election.BallotRule{Kind: election.Knapsack}
	r.identify(t, "44051401359")
	r.s.ConfirmDistrict()
	ps := r.s.Projects("city", "", "")
	r.s.Toggle(ps[0].ID)
	r.s.Toggle(ps[1].ID)
	r.s.Toggle(ps[2].ID)
	if k, _ := r.s.Problem(); k != election.KeyTooMany || len(r.s.Choices("city")) != 2 {
		t.Fatalf("third approval: %q", k)
	}
	r.s.NextPool()
	pool, _ := r.s.Pool()
	var spent int64
	for _, p := range r.s.Projects(pool.ID, "", "") {
		r.s.Toggle(p.ID)
		if k, _ := r.s.Problem(); k == "" {
			spent += p.Cost
		} else if k != election.KeyOverBudget {
			t.Fatalf("problem %q", k)
		}
	}
	if spent > pool.Budget || r.s.Spent(pool.ID) != spent {
		t.Fatalf("spent %d of %d", spent, pool.Budget)
	}
	r.s.NextPool()
	r.s.Confirm(context.Background())
	if r.s.Step() != Done {
		k, _ := r.s.Problem()
		t.Fatalf("step %v %s", r.s.Step(), k)
	}
}

func TestPrinterFailureKeepsVote(t *testing.T) {
	r := newRig(t, 1)
	r.rc.err = errors.New("paper out")
	r.s.d.ErrorKey = func(error) string { return "printer.paper_out" }
	r.identify(t, "44051401359")
	r.s.ConfirmDistrict()
	r.fill(t)
	r.fill(t)
	r.s.Confirm(context.Background())
	if r.s.Step() != Done || r.s.PrintProblem() != "printer.paper_out" || len(r.st.ballots) != 1 {
		t.Fatalf("step %v print %q ballots %d", r.s.Step(), r.s.PrintProblem(), len(r.st.ballots))
	}
	if sealed, ok := r.s.Sealed(); !ok || sealed.Tracker == "" {
		t.Fatal("no tracker to show")
	}
}

// TestUseEditionBetweenResidents: a newer catalog waits while a resident
// votes and applies between residents.
func TestUseEditionBetweenResidents(t *testing.T) {
	r := newRig(t, 1)
	next := assets.MustDemoEdition()
	next.Version++
	r.identify(t, pesel(1984, 5, 14, 1234))
	if r.s.Step() == Attract || r.s.UseEdition(next, next.Venue("bk-podgorze")) {
		t.Fatalf("edition switched mid-session at %s", r.s.Step())
	}
	r.s.Reset()
	r.s.SetLang("uk")
	if !r.s.UseEdition(next, next.Venue("bk-podgorze")) || r.s.Edition() != next {
		t.Fatal("edition not switched between residents")
	}
	if r.s.Step() != Attract || r.s.Lang() != "uk" {
		t.Fatalf("after the switch: %s in %s", r.s.Step(), r.s.Lang())
	}
}
