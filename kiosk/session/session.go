// Package session is the resident's voting session as a state machine:
// language, identity, guardian consent, district, choosing per pool, review,
// sealing and the receipt, and the idle timeout. Screens are thin views over
// it; it has no Fyne and takes its clock, randomness, store and printer as
// dependencies.
package session

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// Step is where a session stands.
type Step int

// Steps, in the order a resident meets them.
const (
	Attract  Step = iota // "touch to start"
	Closed               // outside the voting window or the venue's hours
	Paused               // staff paused the voting point
	Identity             // PESEL or voter code, and the residency declaration
	Guardian             // a guardian consents for a young resident
	District             // the district, preselected from the venue
	Choose               // per pool: browse, search, give points
	Review               // everything chosen, before sealing
	Done                 // sealed; receipt printed, or its QR shown on screen
)

var stepNames = [...]string{"attract", "closed", "paused", "identity", "guardian", "district", "choose", "review", "done"}

func (s Step) String() string { return stepNames[s] }

// Sealed is what the session learns of a committed ballot.
type Sealed struct {
	Seq     uint64
	Tracker string
	CastAt  time.Time
}

// Store keeps sealed ballots (kiosk/queue). Append returns only once the
// ballot is on disk.
type Store interface {
	Seen(voter election.VoterKey) (bool, error)
	Append(b election.Ballot, voter election.VoterKey, catalog int) (Sealed, error)
}

// Receipts prints a receipt for a sealed ballot. An error carries the
// printer's translation key (printer.ErrorKey).
type Receipts interface {
	PrintReceipt(ctx context.Context, s Sealed, lang string, choices []election.Selection) error
}

// VoterCheck asks the central whether a voter key has voted elsewhere. It
// may be nil (offline kiosk); an error means "unknown" and does not block.
type VoterCheck func(ctx context.Context, voter election.VoterKey) (VoterAnswer, error)

// VoterAnswer is what the central says of a voter before they begin.
type VoterAnswer struct {
	Voted bool // a ballot of theirs already counts
	// NotAdmitted: the edition admits only codes the central issued (or
	// its register) and this voter is not among them.
	NotAdmitted bool
}

// Deps are a session's dependencies.
type Deps struct {
	Edition  *election.Edition
	Venue    *election.Venue
	Secret   []byte // the edition's voter-key secret
	Store    Store
	Receipts Receipts
	Central  VoterCheck
	Clock    func() time.Time
	Rand     *rand.Rand
	// IdleWarn and IdleReset: a countdown after IdleWarn without a touch,
	// a reset after IdleReset (60 s and 90 s by default).
	IdleWarn, IdleReset time.Duration
	// ErrorKey turns a printer error into its translation key.
	ErrorKey func(error) string
	// Admission, when set, must admit each resident before they begin.
	Admission Admission
	// Defaults are the venue's language, text size and contrast: every
	// resident starts from them.
	Defaults Defaults
}

// Defaults are what every resident starts with (the venue's choice).
type Defaults struct {
	Lang     string // "pl" when empty
	Large    bool   // large text
	Contrast bool   // high contrast
}

// Translation keys of session problems.
const (
	KeyAlreadyVoted   = "session.already_voted"
	KeyVotedElsewhere = "session.voted_elsewhere"
	// KeyNotAdmitted: the central never issued this code (or the register lacks the voter).
	KeyNotAdmitted = "voter.not_admitted"
	KeyStoreFailed = "session.store_failed"
	KeyIncomplete  = "session.incomplete"
	// KeyPointsMoved is a notice, not a problem: points given to a project
	// were taken from the project that had them ({points}, {from}).
	KeyPointsMoved = "session.points_moved"
)

// Session is one kiosk's resident session; Reset starts the next one.
type Session struct {
	d Deps

	step      Step
	paused    bool
	lang      string
	method    election.IdentityKind
	typed     []byte // what the resident typed: wiped on every reset
	resident  bool
	identity  election.Identity
	voter     election.VoterKey
	district  string
	pool      int
	choices   map[string][]election.Choice
	order     map[string][]string
	problem   string // translation key of the last problem, "" if none
	problemAt map[string]any
	sealed    *Sealed
	printKey  string // "" when the receipt printed
	lastTouch time.Time
	admitted  bool // Admission let this resident begin
	// the resident's text size and contrast (reset with the language)
	large, contrast bool
	// editing: the resident came from review to change one pool and goes
	// back to review from it
	editing  bool
	notice   string // translation key of the last notice, "" if none
	noticeAt map[string]any
}

// New starts a kiosk's session in the attract (or closed) state.
func New(d Deps) *Session {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Rand == nil {
		d.Rand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	}
	if d.IdleWarn == 0 {
		d.IdleWarn = 60 * time.Second
	}
	if d.IdleReset == 0 {
		d.IdleReset = 90 * time.Second
	}
	if d.ErrorKey == nil {
		d.ErrorKey = func(error) string { return "printer.error" }
	}
	if d.Defaults.Lang == "" || !slices.Contains(election.Languages, d.Defaults.Lang) {
		d.Defaults.Lang = "pl"
	}
	s := &Session{d: d, lang: d.Defaults.Lang}
	s.Reset()
	return s
}

// Reset wipes everything the resident typed and chose and returns to the
// attract screen (or the closed or paused one).
func (s *Session) Reset() {
	if s.admitted {
		s.admitted = false
		s.d.Admission.Release()
	}
	for i := range s.typed {
		s.typed[i] = 0
	}
	s.identity.Wipe()
	s.voter = election.VoterKey{}
	s.typed, s.resident, s.method = nil, false, election.ByPESEL
	s.district, s.pool, s.problem, s.problemAt = "", 0, "", nil
	s.choices, s.order, s.sealed, s.printKey = map[string][]election.Choice{}, map[string][]string{}, nil, ""
	s.lang, s.large, s.contrast = s.d.Defaults.Lang, s.d.Defaults.Large, s.d.Defaults.Contrast
	s.editing, s.notice, s.noticeAt = false, "", nil
	s.step = s.idleStep()
	s.lastTouch = s.d.Clock()
}

// idleStep is what the kiosk shows between residents.
func (s *Session) idleStep() Step {
	now := s.d.Clock()
	switch {
	case s.paused:
		return Paused
	case !s.d.Edition.Open(now), s.d.Venue != nil && !s.d.Venue.OpenAt(now.In(s.d.Edition.Location())):
		return Closed
	}
	return Attract
}

// UseEdition switches to a newer catalog's edition between residents. It
// refuses (false) while a resident is voting: they finish with the
// catalog they began with.
func (s *Session) UseEdition(ed *election.Edition, venue *election.Venue) bool {
	if !s.Between() {
		return false
	}
	lang := s.lang
	s.d.Edition, s.d.Venue = ed, venue
	s.Reset()
	s.lang = lang
	return true
}

// Between reports whether no resident is voting: the kiosk shows the
// attract, closed or paused screen.
func (s *Session) Between() bool { return s.step == Attract || s.step == Closed || s.step == Paused }

// Step returns the current step.
func (s *Session) Step() Step { return s.step }

// Lang returns the resident's language.
func (s *Session) Lang() string { return s.lang }

// Edition returns the edition.
func (s *Session) Edition() *election.Edition { return s.d.Edition }

// Venue returns the venue.
func (s *Session) Venue() *election.Venue { return s.d.Venue }

// Problem returns the translation key of the last problem and its
// arguments, or "".
func (s *Session) Problem() (string, map[string]any) { return s.problem, s.problemAt }

func (s *Session) fail(key string, args map[string]any) {
	s.problem, s.problemAt = key, args
}

// touch records the resident's activity and clears the last problem and notice.
func (s *Session) touch() {
	s.lastTouch = s.d.Clock()
	s.problem, s.problemAt = "", nil
	s.notice, s.noticeAt = "", nil
}

// Notice returns the translation key of the last notice (something the
// resident should know that is not a problem) and its arguments, or "".
func (s *Session) Notice() (string, map[string]any) { return s.notice, s.noticeAt }

// Large reports the resident's large-text setting.
func (s *Session) Large() bool { return s.large }

// Contrast reports the resident's high-contrast setting.
func (s *Session) Contrast() bool { return s.contrast }

// SetAccessibility sets the resident's text size and contrast; both go
// back to the venue's defaults with the next resident.
func (s *Session) SetAccessibility(large, contrast bool) {
	s.lastTouch = s.d.Clock()
	s.large, s.contrast = large, contrast
}

// Progress is the step the resident is at and how many there are:
// identity (with a guardian's consent), district, each pool, review.
func (s *Session) Progress() (step, steps int) {
	district := s.district
	if district == "" && s.d.Venue != nil {
		district = s.d.Venue.District
	}
	pools := len(s.d.Edition.BallotPools(district))
	if district == "" {
		pools++ // the district's pool, not known yet
	}
	steps = pools + 3
	switch s.step {
	case Identity, Guardian:
		return 1, steps
	case District:
		return 2, steps
	case Choose:
		return 3 + s.pool, steps
	case Review:
		return steps, steps
	}
	return 0, steps
}

// SetLang switches language at any step without losing progress.
func (s *Session) SetLang(lang string) {
	if slices.Contains(election.Languages, lang) {
		s.lastTouch = s.d.Clock()
		s.lang = lang
	}
}

// Refresh re-evaluates the idle screen (the window opened, the venue
// closed); it does nothing while a resident is voting.
func (s *Session) Refresh() {
	if s.step == Attract || s.step == Closed || s.step == Paused {
		s.step = s.idleStep()
	}
}

// SetPaused is staff's pause ("out of order") and resume.
func (s *Session) SetPaused(on bool) {
	s.paused = on
	s.Reset()
}

// Start begins a resident's session from the attract screen.
func (s *Session) Start() {
	s.Refresh()
	if s.step != Attract {
		return
	}
	s.touch()
	if s.d.Admission != nil {
		if err := s.d.Admission.Admit(); err != nil {
			s.failProblem(err)
			return
		}
		s.admitted = true
	}
	s.step = Identity
}

// UseMethod switches between PESEL and the city's voter code.
func (s *Session) UseMethod(m election.IdentityKind) {
	if s.step != Identity {
		return
	}
	s.touch()
	if s.method != m {
		s.ClearTyped()
		s.method = m
	}
}

// Method returns how the resident identifies.
func (s *Session) Method() election.IdentityKind { return s.method }

// Type adds a character to the PESEL or code being typed.
func (s *Session) Type(c rune) {
	if s.step != Identity {
		return
	}
	s.touch()
	max := 11
	if s.method == election.ByCode {
		max = len(s.d.Edition.Eligibility.CodePrefix) + 12
		c = []rune(strings.ToUpper(string(c)))[0]
	} else if c < '0' || c > '9' {
		return
	}
	if len(s.typed) < max && c < 0x80 {
		s.typed = append(s.typed, byte(c))
	}
}

// Backspace removes the last typed character.
func (s *Session) Backspace() {
	if s.step == Identity && len(s.typed) > 0 {
		s.touch()
		s.typed[len(s.typed)-1] = 0
		s.typed = s.typed[:len(s.typed)-1]
	}
}

// ClearTyped wipes what was typed.
func (s *Session) ClearTyped() {
	for i := range s.typed {
		s.typed[i] = 0
	}
	s.typed = s.typed[:0]
}

// Typed returns what is typed, masked for the screen except its last
// characters: someone behind the resident should not read their PESEL.
func (s *Session) Typed(masked bool) string {
	if !masked {
		return string(s.typed)
	}
	var b strings.Builder
	for i, c := range s.typed {
		if i < len(s.typed)-2 {
			b.WriteString("•")
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SetResident records the residency declaration.
func (s *Session) SetResident(on bool) {
	if s.step == Identity {
		s.touch()
		s.resident = on
	}
}

// Resident reports the declaration.
func (s *Session) Resident() bool { return s.resident }

// SubmitIdentity checks what was typed and the declaration, and whether the
// resident already voted here or (when the central answers) elsewhere.
func (s *Session) SubmitIdentity(ctx context.Context) {
	if s.step != Identity {
		return
	}
	s.touch()
	now := s.d.Clock()
	id := election.Identity{Kind: s.method, Resident: s.resident}
	switch s.method {
	case election.ByPESEL:
		p, err := election.ParsePESEL(string(s.typed), now)
		if err != nil {
			s.failProblem(err)
			return
		}
		id.Value, id.Birth = p.Digits, p.Birth
	default:
		c, err := election.NormalizeVoterCode(s.d.Edition.Eligibility.CodePrefix, string(s.typed))
		if err != nil {
			s.failProblem(err)
			return
		}
		id.Value = c
	}
	guardian, err := s.d.Edition.Eligible(id, now)
	if err != nil {
		s.failProblem(err)
		return
	}
	voter := election.NewVoterKey(s.d.Secret, id)
	if seen, err := s.d.Store.Seen(voter); err != nil {
		s.fail(KeyStoreFailed, nil)
		return
	} else if seen {
		s.fail(KeyAlreadyVoted, nil)
		return
	}
	if s.d.Central != nil {
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		ans, err := s.d.Central(cctx, voter)
		cancel()
		if err == nil && ans.NotAdmitted {
			s.fail(KeyNotAdmitted, nil)
			return
		}
		if err == nil && ans.Voted {
			s.fail(KeyVotedElsewhere, nil)
			return
		}
	}
	s.identity, s.voter = id, voter
	s.ClearTyped()
	if guardian {
		s.step = Guardian
		return
	}
	s.toDistrict()
}

func (s *Session) failProblem(err error) {
	var p election.Problem
	if errors.As(err, &p) {
		args := map[string]any{"prefix": s.d.Edition.Eligibility.CodePrefix,
			"age": s.d.Edition.Eligibility.MinAge}
		if p.Key == election.KeyGuardianMissing {
			args["age"] = s.d.Edition.Eligibility.GuardianAge
		}
		s.fail(p.Key, args)
		return
	}
	s.fail(KeyStoreFailed, nil)
}

// ConfirmGuardian records that a guardian consents.
func (s *Session) ConfirmGuardian(yes bool) {
	if s.step != Guardian {
		return
	}
	s.touch()
	if !yes {
		s.fail(election.KeyGuardianMissing, map[string]any{"age": s.d.Edition.Eligibility.GuardianAge})
		return
	}
	s.toDistrict()
}

// GuardianAge is the age under which a guardian consents.
func (s *Session) GuardianAge() int { return s.d.Edition.Eligibility.GuardianAge }

func (s *Session) toDistrict() {
	s.step = District
	if s.district == "" && s.d.Venue != nil {
		s.district = s.d.Venue.District
	}
}

// District returns the chosen district (preselected from the venue).
func (s *Session) District() string { return s.district }

// ChooseDistrict changes the district; choices in the old one are dropped.
func (s *Session) ChooseDistrict(id string) {
	if s.step != District {
		return
	}
	s.touch()
	if p := s.d.Edition.Pool(id); p == nil || p.Kind != election.District {
		s.fail(election.KeyUnknownDistrict, nil)
		return
	}
	if id != s.district {
		delete(s.choices, s.district)
		s.district = id
	}
}

// ConfirmDistrict goes on to choosing, in the first pool.
func (s *Session) ConfirmDistrict() {
	if s.step != District || s.district == "" {
		return
	}
	s.touch()
	s.pool = 0
	s.step = Choose
}

// Pools returns the pools on this resident's ballot.
func (s *Session) Pools() []election.Pool { return s.d.Edition.BallotPools(s.district) }

// Pool returns the pool being chosen in, and its index.
func (s *Session) Pool() (election.Pool, int) {
	pools := s.Pools()
	if s.pool >= len(pools) {
		return election.Pool{}, s.pool
	}
	return pools[s.pool], s.pool
}

// Rule returns the ballot rule of a pool.
func (s *Session) Rule(p election.Pool) election.BallotRule {
	r, _ := s.d.Edition.Rule(&p)
	return r
}

// Projects returns a pool's projects in this session's random order (the
// neutrality rule: no project always comes first), filtered by category
// ("" for all) and by a query matching the number or words of the title.
func (s *Session) Projects(pool string, cat election.Category, query string) []election.Project {
	ids, ok := s.order[pool]
	if !ok {
		for _, p := range s.d.Edition.ProjectsIn(pool) {
			ids = append(ids, p.ID)
		}
		s.d.Rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		s.order[pool] = ids
	}
	q := fold(query)
	var out []election.Project
	for _, id := range ids {
		p := s.d.Edition.Project(id)
		if cat != "" && p.Category != cat {
			continue
		}
		if q != "" && !strings.Contains(fold(p.Number+" "+p.Title.In(s.lang)+" "+p.Title.In("pl")), q) {
			continue
		}
		out = append(out, *p)
	}
	return out
}

// fold lowers case and drops Polish diacritics, so that "zolw" finds "Żółw".
func fold(s string) string {
	return strings.NewReplacer("ą", "a", "ć", "c", "ę", "e", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z").
		Replace(strings.ToLower(strings.TrimSpace(s)))
}

// Choices returns what is chosen in a pool.
func (s *Session) Choices(pool string) []election.Choice {
	return slices.Clone(s.choices[pool])
}

// PointsOf returns the points given to a project (0: not chosen) and
// whether it is chosen.
func (s *Session) PointsOf(pool, project string) (int, bool) {
	for _, c := range s.choices[pool] {
		if c.Project == project {
			return c.Points, true
		}
	}
	return 0, false
}

// Give gives points to a project under the points rule: a value already
// given to another project moves to this one; giving a project the points
// it has takes them back.
func (s *Session) Give(project string, points int) {
	pool, _ := s.Pool()
	rule := s.Rule(pool)
	if s.step != Choose || rule.Kind != election.Points || !slices.Contains(rule.Points, points) || !s.inPool(pool.ID, project) {
		return
	}
	s.touch()
	cs := s.choices[pool.ID]
	if old, ok := s.PointsOf(pool.ID, project); ok && old == points {
		s.choices[pool.ID] = slices.DeleteFunc(cs, func(c election.Choice) bool { return c.Project == project })
		return
	}
	for _, c := range cs {
		if c.Points == points && c.Project != project {
			from := c.Project
			if p := s.d.Edition.Project(from); p != nil && p.Number != "" {
				from = p.Number
			}
			s.notice, s.noticeAt = KeyPointsMoved, map[string]any{"points": points, "from": from}
		}
	}
	cs = slices.DeleteFunc(cs, func(c election.Choice) bool { return c.Project == project || c.Points == points })
	s.choices[pool.ID] = append(cs, election.Choice{Project: project, Points: points})
}

// Toggle picks or drops a project under the approval and knapsack rules
// (and drops it under the points rule). A pick that would break the rule
// (too many, over the pool's money) is refused with a problem.
func (s *Session) Toggle(project string) {
	pool, _ := s.Pool()
	if s.step != Choose || !s.inPool(pool.ID, project) {
		return
	}
	s.touch()
	cs := s.choices[pool.ID]
	if _, ok := s.PointsOf(pool.ID, project); ok {
		s.choices[pool.ID] = slices.DeleteFunc(cs, func(c election.Choice) bool { return c.Project == project })
		return
	}
	rule := s.Rule(pool)
	switch rule.Kind {
	case election.Points:
		return // points are given with Give
	case election.Approval:
		if rule.Max > 0 && len(cs) >= rule.Max {
			s.fail(election.KeyTooMany, map[string]any{"max": rule.Max})
			return
		}
	case election.Knapsack:
		if s.Spent(pool.ID)+s.d.Edition.Project(project).Cost > pool.Budget {
			s.fail(election.KeyOverBudget, nil)
			return
		}
	}
	s.choices[pool.ID] = append(cs, election.Choice{Project: project})
}

func (s *Session) inPool(pool, project string) bool {
	p := s.d.Edition.Project(project)
	return p != nil && p.Pool == pool
}

// Spent is the cost of what is chosen in a pool.
func (s *Session) Spent(pool string) int64 {
	var sum int64
	for _, c := range s.choices[pool] {
		sum += s.d.Edition.Project(c.Project).Cost
	}
	return sum
}

// Remaining says what a pool still lacks: how many projects and which
// point values are still free.
func (s *Session) Remaining(pool election.Pool) (need int, free []int) {
	return s.d.Edition.Remaining(&pool, election.Selection{Pool: pool.ID, Choices: s.choices[pool.ID]})
}

// ballot is the resident's ballot as it stands.
func (s *Session) ballot() election.Ballot {
	b := election.Ballot{Edition: s.d.Edition.ID, District: s.district}
	for _, p := range s.Pools() {
		b.Selections = append(b.Selections, election.Selection{Pool: p.ID, Choices: slices.Clone(s.choices[p.ID])})
	}
	return b
}

// poolProblems are the problems of one pool's selection.
func (s *Session) poolProblems(pool string) election.Problems {
	var out election.Problems
	for _, p := range s.d.Edition.Validate(s.ballot()) {
		if p.Pool == pool {
			out = append(out, p)
		}
	}
	return out
}

// NextPool goes to the next pool once this one is complete, or to review
// after the last.
func (s *Session) NextPool() {
	if s.step != Choose {
		return
	}
	s.touch()
	pool, i := s.Pool()
	if ps := s.poolProblems(pool.ID); len(ps) > 0 {
		need, _ := s.Remaining(pool)
		s.fail(ps[0].Key, map[string]any{"need": need, "points": pointsText(s.Rule(pool).Points)})
		return
	}
	if i+1 < len(s.Pools()) && !s.editing {
		s.pool++
		return
	}
	s.step, s.editing = Review, false
}

func pointsText(ps []int) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, ", ")
}

// Back goes one step back: to the previous pool, or from review to the
// last pool; from a pool opened by "change" on review, back to review.
func (s *Session) Back() {
	s.touch()
	switch s.step {
	case Choose:
		switch {
		case s.editing:
			s.step, s.editing = Review, false
		case s.pool > 0:
			s.pool--
		default:
			s.step = District
		}
	case Review:
		s.step = Choose
		s.pool = len(s.Pools()) - 1
	case District, Guardian:
		admitted := s.admitted // the same resident starts over
		s.admitted = false
		s.Reset()
		s.admitted, s.step = admitted, Identity
	}
}

// EditPool goes from review back to one pool; Next (or Back) there returns
// to review.
func (s *Session) EditPool(i int) {
	if s.step == Review && i >= 0 && i < len(s.Pools()) {
		s.touch()
		s.pool, s.step, s.editing = i, Choose, true
	}
}

// Ballot returns the ballot under review.
func (s *Session) Ballot() election.Ballot { return s.ballot() }

// Confirm seals and commits the ballot, then prints its receipt. The
// ballot is on disk before the printer gets anything (invariant 1). A
// printer failure does not lose the vote: Done shows the tracker's QR on
// screen and PrintProblem names the failure.
func (s *Session) Confirm(ctx context.Context) {
	if s.step != Review {
		return
	}
	s.touch()
	b := s.ballot()
	if ps := s.d.Edition.Validate(b); len(ps) > 0 {
		s.fail(KeyIncomplete, nil)
		return
	}
	sealed, err := s.d.Store.Append(b, s.voter, s.d.Edition.Version)
	if err != nil {
		var p election.Problem
		if errors.As(err, &p) && p.Key == "queue.already_voted" {
			s.fail(KeyAlreadyVoted, nil)
			return
		}
		s.fail(KeyStoreFailed, nil)
		return
	}
	s.sealed = &sealed
	// Nothing of the identity is needed any more.
	s.identity.Wipe()
	s.voter = election.VoterKey{}
	s.step = Done
	var choices []election.Selection
	if s.d.Edition.ChoicesOnReceipt() {
		choices = b.Selections
	}
	if s.d.Receipts != nil {
		if err := s.d.Receipts.PrintReceipt(ctx, sealed, s.lang, choices); err != nil {
			s.printKey = s.d.ErrorKey(err)
		}
	} else {
		s.printKey = "printer.no_answer"
	}
}

// Sealed returns the committed ballot's receipt data at Done.
func (s *Session) Sealed() (Sealed, bool) {
	if s.sealed == nil {
		return Sealed{}, false
	}
	return *s.sealed, true
}

// PrintProblem is the printer's translation key when the receipt did not
// print ("" when it did): the screen then shows the QR code itself.
func (s *Session) PrintProblem() string { return s.printKey }

// Idle says how long the resident has been away.
type Idle struct {
	Warning   bool          // show the countdown
	Remaining time.Duration // until the reset
}

// Tick checks the idle timeout at now: a warning after IdleWarn, a reset
// (everything wiped) after IdleReset. Done resets sooner, as the receipt is
// in the resident's hand.
func (s *Session) Tick() Idle {
	if s.step == Attract || s.step == Closed || s.step == Paused {
		s.Refresh()
		return Idle{}
	}
	idle := s.d.Clock().Sub(s.lastTouch)
	reset := s.d.IdleReset
	if s.step == Done {
		reset = min(reset, 20*time.Second)
	}
	if idle >= reset {
		s.Reset()
		return Idle{}
	}
	if idle >= s.d.IdleWarn && s.step != Done {
		return Idle{Warning: true, Remaining: reset - idle}
	}
	return Idle{}
}

// StillHere is the resident's answer to the idle warning.
func (s *Session) StillHere() { s.lastTouch = s.d.Clock() }

// HasIdentity reports whether identity data is held (for tests: it must
// not be after a reset).
func (s *Session) HasIdentity() bool {
	return s.identity != (election.Identity{}) || s.voter != (election.VoterKey{}) || len(s.typed) > 0
}
