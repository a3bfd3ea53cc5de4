// Package proposals is the central's desk for residents' proposals, with no
// HTTP: submitting (with a per-address limit and a moderation queue for
// obvious abuse), the applicant's own steps by tracker and secret, staff's
// checks and decisions, building the ballot, the public list and its
// export, and forgetting contacts when the edition ends. The rules
// themselves are sync/civic's; the records are a store.Proposals.
package proposals

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// Translation keys of the desk's own problems (assets/i18n).
const (
	KeyLimit     = "proposals.limit"      // too many submissions from one address
	KeyLookLimit = "proposals.look_limit" // too many status look-ups from one address
	KeySecret    = "proposals.secret"     // tracker and secret do not match a proposal
	KeyNoEdition = "proposals.no_edition" // no edition is being prepared
	KeyTarget    = "proposals.merge_target"
	KeyBuilt     = "proposals.built"        // the ballot was built already
	KeyNotFound  = "proposals.not_found"    // no such proposal
	KeyRole      = "proposals.role"         // the staff member's role does not allow it
	KeyHearing   = civic.KeyHearing         // a hearing's date is missing or not YYYY-MM-DD
	KeyContact   = "proposals.contact_long" // the contact is longer than MaxContact
	// KeyOtherEdition: the proposal belongs to another edition than the one in hand
	KeyOtherEdition = "proposals.other_edition"
)

// MaxContact is the longest contact taken, in characters (an address or a number).
const MaxContact = 200

// Moderation reasons a proposal is held for.
const (
	HeldLinks     = "links"     // many web links: spam
	HeldDuplicate = "duplicate" // the same title in the same pool
	HeldStaff     = "staff"     // a coordinator held it
)

// Audit event kinds of moderation, beside civic's kinds.
const (
	EvHeld     civic.EventKind = "held"
	EvReleased civic.EventKind = "released"
)

// Config are the desk's dependencies.
type Config struct {
	Store store.Proposals
	// Edition returns the edition whose proposals are being handled.
	Edition func(context.Context) (*election.Edition, error)
	Sealer  *contact.Sealer
	// SaveDraft keeps the edition with the projects built from proposals,
	// ready for the signed publish (urna-central catalog publish).
	SaveDraft func(*election.Edition) error
	Clock     func() time.Time
	Log       *slog.Logger
	// PerAddress is how many proposals one address may submit an hour (5);
	// StatusPerAddress how many status look-ups a minute (30).
	PerAddress, StatusPerAddress int
}

// Desk handles proposals.
type Desk struct {
	cfg            Config
	submits, looks *window
	titles         titleSet
}

// New returns a desk.
func New(cfg Config) *Desk {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.PerAddress == 0 {
		cfg.PerAddress = 5
	}
	if cfg.StatusPerAddress == 0 {
		cfg.StatusPerAddress = 30
	}
	return &Desk{cfg: cfg, submits: newWindow(cfg.PerAddress, time.Hour, cfg.Clock),
		looks: newWindow(cfg.StatusPerAddress, time.Minute, cfg.Clock)}
}

// Now is the desk's clock.
func (d *Desk) Now() time.Time { return d.cfg.Clock() }

// Edition returns the edition in hand, or the no-edition problem.
func (d *Desk) Edition(ctx context.Context) (*election.Edition, error) {
	ed, err := d.cfg.Edition(ctx)
	if err != nil || ed == nil {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			d.cfg.Log.Warn("proposal-edition", "err", err.Error())
		}
		return nil, election.Problem{Key: KeyNoEdition}
	}
	return ed, nil
}

// Receipt is what an applicant takes home: the secret exists only here.
type Receipt struct {
	Proposal civic.Proposal
	Tracker  string
	Secret   string
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return b32.EncodeToString(b)
}

// SecretHash is what the store keeps of a secret.
func SecretHash(secret string) []byte {
	h := sha256.Sum256([]byte(normal(secret)))
	return h[:]
}

// normal makes a typed code comparable: upper case, no spaces or dashes.
func normal(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
}

// Group writes a code in groups of four for reading aloud and typing.
func Group(code string) string {
	code = normal(code)
	var out []string
	for len(code) > 4 {
		out = append(out, code[:4])
		code = code[4:]
	}
	return strings.Join(append(out, code), "-")
}

// Submit takes a resident's proposal from addr (an IP address, or a
// kiosk's id) with an optional contact, sealed before it is stored.
func (d *Desk) Submit(ctx context.Context, dr civic.Draft, contactText, addr string) (Receipt, error) {
	ed, err := d.Edition(ctx)
	if err != nil {
		return Receipt{}, err
	}
	now := d.cfg.Clock()
	if !ed.Allows(election.ActSubmit, now) {
		return Receipt{}, election.Problem{Key: civic.KeyPhase}
	}
	ps := civic.Check(ed, dr)
	if utf8.RuneCountInString(strings.TrimSpace(contactText)) > MaxContact {
		ps = append(ps, election.Problem{Key: KeyContact, Field: "contact"})
	}
	if len(ps) > 0 {
		return Receipt{}, ps
	}
	if ok, wait := d.submits.allow(addr); !ok {
		d.cfg.Log.Warn("proposal-limited", "edition", ed.ID)
		return Receipt{}, election.Problem{Key: KeyLimit, Detail: seconds(wait)}
	}
	titles, err := d.titlesOf(ctx, ed.ID)
	if err != nil {
		return Receipt{}, err
	}
	for range 5 {
		id := "W-" + randomCode(5)[:8]
		p, err := civic.Submit(ed, id, dr, now)
		if err != nil {
			return Receipt{}, err
		}
		rc := Receipt{Proposal: *p, Tracker: randomCode(5)[:8], Secret: randomCode(10)[:16]}
		r := store.ProposalRecord{Proposal: *p, Tracker: rc.Tracker, SecretHash: SecretHash(rc.Secret), Held: heldFor(*p, titles)}
		if d.cfg.Sealer != nil {
			r.Contact = d.cfg.Sealer.Seal(id, contactText)
		}
		if r.Held != "" {
			r.Proposal.History = append(r.Proposal.History, civic.Event{At: now, Kind: EvHeld, Actor: "moderation", Reason: r.Held})
			rc.Proposal = r.Proposal
		}
		err = d.cfg.Store.AddProposal(ctx, r)
		if errors.Is(err, store.ErrProposalExists) {
			continue
		}
		if err != nil {
			return Receipt{}, err
		}
		d.titles.add(ed.ID, p.Pool, p.Title)
		d.cfg.Log.Info("proposal-submitted", "edition", ed.ID, "proposal", id, "pool", p.Pool, "held", r.Held)
		return rc, nil
	}
	return Receipt{}, errors.New("no free proposal id")
}

// heldFor says why the moderation queue should hold p back, or "".
func heldFor(p civic.Proposal, titles *titleSet) string {
	text := strings.ToLower(p.Title + " " + p.Summary + " " + p.Description)
	if strings.Count(text, "http://")+strings.Count(text, "https://")+strings.Count(text, "www.") > 2 {
		return HeldLinks
	}
	if titles.has(p.Edition, p.Pool, p.Title) {
		return HeldDuplicate
	}
	return ""
}

// titleSet is the titles of the proposals per edition and pool, read from
// the store once per edition and kept up to date by this desk's own
// submissions, so that the duplicate check costs no scan per submission.
// (Replicas sharing PostgreSQL each see the others' titles from their
// start; the check only fills the moderation queue, it refuses nothing.)
type titleSet struct {
	mu     sync.Mutex
	loaded map[string]bool
	titles map[string]bool
}

func titleKey(edition, pool, title string) string {
	return edition + "\x00" + pool + "\x00" + strings.ToLower(strings.TrimSpace(title))
}

func (s *titleSet) has(edition, pool, title string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.titles[titleKey(edition, pool, title)]
}

func (s *titleSet) add(edition, pool, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.titles == nil {
		s.titles = map[string]bool{}
	}
	s.titles[titleKey(edition, pool, title)] = true
}

func (d *Desk) titlesOf(ctx context.Context, edition string) (*titleSet, error) {
	d.titles.mu.Lock()
	loaded := d.titles.loaded[edition]
	d.titles.mu.Unlock()
	if loaded {
		return &d.titles, nil
	}
	rs, err := d.cfg.Store.ProposalsOf(ctx, edition)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		d.titles.add(edition, r.Proposal.Pool, r.Proposal.Title)
	}
	d.titles.mu.Lock()
	if d.titles.loaded == nil {
		d.titles.loaded = map[string]bool{}
	}
	d.titles.loaded[edition] = true
	d.titles.mu.Unlock()
	return &d.titles, nil
}

// Look returns the proposal of tracker if secret is its secret; addr is
// limited so that secrets cannot be guessed.
func (d *Desk) Look(ctx context.Context, tracker, secret, addr string) (store.ProposalRecord, error) {
	if ok, wait := d.looks.allow(addr); !ok {
		return store.ProposalRecord{}, election.Problem{Key: KeyLookLimit, Detail: seconds(wait)}
	}
	h := SecretHash(secret) // hashed first: an unknown tracker takes the same path
	r, err := d.cfg.Store.ProposalByTracker(ctx, normal(tracker))
	if errors.Is(err, store.ErrNotFound) {
		subtle.ConstantTimeCompare(h, h)
		return r, election.Problem{Key: KeySecret}
	}
	if err != nil {
		return r, err
	}
	if subtle.ConstantTimeCompare(r.SecretHash, h) != 1 {
		return store.ProposalRecord{}, election.Problem{Key: KeySecret}
	}
	return r, nil
}

// Applicant records the applicant's own step (fixed, withdrawn, protest)
// on the proposal of tracker and secret. A fix may carry the changed draft.
func (d *Desk) Applicant(ctx context.Context, tracker, secret, addr string, kind civic.EventKind, reason string, fix *civic.Draft) (civic.Proposal, error) {
	if !slices.Contains([]civic.EventKind{civic.EvFixed, civic.EvWithdraw, civic.EvProtest}, kind) {
		return civic.Proposal{}, election.Problem{Key: civic.KeyTransition}
	}
	r, err := d.Look(ctx, tracker, secret, addr)
	if err != nil {
		return civic.Proposal{}, err
	}
	ed, err := d.Edition(ctx)
	if err != nil {
		return civic.Proposal{}, err
	}
	titles, err := d.titlesOf(ctx, ed.ID)
	if err != nil {
		return civic.Proposal{}, err
	}
	var out civic.Proposal
	err = d.cfg.Store.UpdateProposal(ctx, r.Proposal.ID, func(r *store.ProposalRecord) error {
		p := &r.Proposal
		if p.Edition != ed.ID {
			return election.Problem{Key: KeyOtherEdition, Detail: p.Edition}
		}
		ev := civic.Event{At: d.cfg.Clock(), Kind: kind, Actor: "applicant", Reason: strings.TrimSpace(reason)}
		oldTitle, oldPool := p.Title, p.Pool
		if kind == civic.EvFixed && fix != nil {
			// the applicant may move the proposal to another pool (the
			// formal check found it city-wide, or in another district); an
			// empty pool keeps its own
			if fix.Pool == "" {
				fix.Pool = p.Pool
			}
			fix.Lang = p.Lang
			if ps := civic.Check(ed, *fix); len(ps) > 0 {
				return ps
			}
			ev.Detail = applyFix(p, *fix)
		}
		if err := p.Apply(ed, ev); err != nil {
			return err
		}
		// a correction passes the same moderation as a submission; its own
		// unchanged title is no duplicate
		if kind == civic.EvFixed && r.Held == "" {
			check := *p
			if oldPool == p.Pool && strings.EqualFold(strings.TrimSpace(oldTitle), strings.TrimSpace(p.Title)) {
				check.Title = ""
			}
			if why := heldFor(check, titles); why != "" {
				r.Held = why
				p.History = append(p.History, civic.Event{At: ev.At, Kind: EvHeld, Actor: "moderation", Reason: why})
			}
		}
		out = *p
		return nil
	})
	if err == nil && kind == civic.EvFixed {
		d.titles.add(ed.ID, out.Pool, out.Title)
	}
	if err == nil {
		d.cfg.Log.Info("proposal-applicant", "proposal", out.ID, "event", string(kind))
	}
	return out, err
}

// applyFix changes p's texts and cost to the fixed draft's and names what changed.
func applyFix(p *civic.Proposal, f civic.Draft) string {
	var changed []string
	set := func(name string, dst *string, v string) {
		if v = strings.TrimSpace(v); v != *dst {
			*dst = v
			changed = append(changed, name)
		}
	}
	set("pool", &p.Pool, f.Pool)
	set("title", &p.Title, f.Title)
	set("summary", &p.Summary, f.Summary)
	set("description", &p.Description, f.Description)
	set("location", &p.Location, f.Location)
	if f.Category != p.Category {
		p.Category = f.Category
		changed = append(changed, "category")
	}
	if f.Cost != p.Cost {
		p.Cost = f.Cost
		changed = append(changed, "cost")
	}
	return strings.Join(changed, ", ")
}

// Role is what a staff member may do with proposals.
type Role string

// Roles.
const (
	Coordinator Role = "coordinator" // assigns, merges, moderates, builds the ballot
	Verifier    Role = "verifier"    // formal and merit checks, support lists; sees contacts
	Council     Role = "council"     // records the Civic Budget Council's protest decisions
)

// Roles are every role, in the order a year needs them.
var Roles = []Role{Coordinator, Verifier, Council}

// RoleOf says which role records each staff event.
var RoleOf = map[civic.EventKind]Role{
	civic.EvAssign: Coordinator, civic.EvMerge: Coordinator,
	civic.EvFormalFix: Verifier, civic.EvFormalPass: Verifier, civic.EvFormalReject: Verifier,
	civic.EvMeritPass: Verifier, civic.EvMeritReject: Verifier, civic.EvSupport: Verifier,
	civic.EvUphold: Council, civic.EvRestore: Council,
}

// Staff records a staff member's event on proposal id; the clock stamps it.
// A merge's Detail names the proposal it is merged into.
func (d *Desk) Staff(ctx context.Context, actor, id string, ev civic.Event) (civic.Proposal, error) {
	if _, ok := RoleOf[ev.Kind]; !ok {
		return civic.Proposal{}, election.Problem{Key: civic.KeyTransition, Detail: string(ev.Kind)}
	}
	ed, err := d.Edition(ctx)
	if err != nil {
		return civic.Proposal{}, err
	}
	ev.At, ev.Actor, ev.Reason, ev.Detail = d.cfg.Clock(), actor, strings.TrimSpace(ev.Reason), strings.TrimSpace(ev.Detail)
	if ev.Kind == civic.EvUphold || ev.Kind == civic.EvRestore {
		if _, err := time.Parse(time.DateOnly, ev.Detail); err != nil {
			return civic.Proposal{}, election.Problem{Key: KeyHearing, Detail: ev.Detail}
		}
	}
	if ev.Kind == civic.EvMerge {
		t, err := d.cfg.Store.ProposalRecord(ctx, ev.Detail)
		if err != nil || ev.Detail == id || t.Proposal.Edition != ed.ID || t.Proposal.Status == civic.Merged || t.Proposal.Status == civic.Withdrawn {
			return civic.Proposal{}, election.Problem{Key: KeyTarget, Detail: ev.Detail}
		}
	}
	var out civic.Proposal
	err = d.cfg.Store.UpdateProposal(ctx, id, func(r *store.ProposalRecord) error {
		if r.Proposal.Edition != ed.ID {
			// another edition's proposal: its own year's rules, not this one's
			return election.Problem{Key: KeyOtherEdition, Detail: r.Proposal.Edition}
		}
		if err := r.Proposal.Apply(ed, ev); err != nil {
			return err
		}
		out = r.Proposal
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return out, election.Problem{Key: KeyNotFound}
	}
	if err == nil {
		d.cfg.Log.Info("proposal-staff", "proposal", id, "event", string(ev.Kind), "actor", actor)
	}
	return out, err
}

// Moderate holds a proposal back from the public list (why != "") or releases it.
func (d *Desk) Moderate(ctx context.Context, actor, id, why string) error {
	err := d.cfg.Store.UpdateProposal(ctx, id, func(r *store.ProposalRecord) error {
		kind := EvHeld
		if why == "" {
			if r.Held == "" {
				return nil
			}
			kind = EvReleased
		}
		r.Held = why
		r.Proposal.History = append(r.Proposal.History, civic.Event{At: d.cfg.Clock(), Kind: kind, Actor: actor, Reason: why})
		return nil
	})
	if err == nil {
		d.cfg.Log.Info("proposal-moderated", "proposal", id, "held", why, "actor", actor)
	}
	return err
}

// Record returns one proposal's record as staff see it (the contact still sealed).
func (d *Desk) Record(ctx context.Context, id string) (store.ProposalRecord, error) {
	r, err := d.cfg.Store.ProposalRecord(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return r, election.Problem{Key: KeyNotFound}
	}
	return r, err
}

// Contact opens a proposal's contact for verifying staff ("" without one).
func (d *Desk) Contact(ctx context.Context, id string) (string, error) {
	r, err := d.Record(ctx, id)
	if err != nil || r.Contact == nil || d.cfg.Sealer == nil {
		return "", err
	}
	return d.cfg.Sealer.Open(id, r.Contact)
}

// Filter selects proposals of the public list; empty fields select all.
type Filter struct {
	Pool     string
	Status   civic.Status
	Category election.Category
	Held     bool // staff: the moderation queue instead of the public list
}

// List returns the edition's proposals the filter selects, in submission order.
func (d *Desk) List(ctx context.Context, f Filter) ([]store.ProposalRecord, error) {
	ed, err := d.Edition(ctx)
	if err != nil {
		return nil, err
	}
	all, err := d.cfg.Store.ProposalsOf(ctx, ed.ID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		p := r.Proposal
		if (r.Held != "") != f.Held || (f.Pool != "" && p.Pool != f.Pool) || (f.Status != "" && p.Status != f.Status) ||
			(f.Category != "" && p.Category != f.Category) {
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b store.ProposalRecord) int { return submitted(a.Proposal).Compare(submitted(b.Proposal)) })
	return out, nil
}

func submitted(p civic.Proposal) time.Time {
	if len(p.History) > 0 {
		return p.History[0].At
	}
	return time.Time{}
}

// Build turns the proposals that passed (and are not held) into the
// edition's projects, numbered by its template, and saves the edition as
// the draft for the signed publish: all in one transaction, once.
func (d *Desk) Build(ctx context.Context, actor string) (*election.Edition, error) {
	ed, err := d.Edition(ctx)
	if err != nil {
		return nil, err
	}
	var draft election.Edition
	err = d.cfg.Store.UpdateEdition(ctx, ed.ID, func(rs []*store.ProposalRecord) error {
		var ps []*civic.Proposal
		for _, r := range rs {
			if r.Proposal.Status == civic.OnBallot {
				return election.Problem{Key: KeyBuilt}
			}
			if r.Held == "" {
				ps = append(ps, &r.Proposal)
			}
		}
		projects, err := civic.BuildCatalog(ed, ps, d.cfg.Clock(), actor)
		if err != nil {
			return err
		}
		draft = *ed
		draft.Projects = append([]election.Project{}, projects...) // [] in the file, never null
		// The draft must read back as a valid edition before anything is
		// written: a draft that fails its checks would take every page down.
		var buf bytes.Buffer
		if err := election.EncodeEdition(&buf, &draft); err != nil {
			return err
		}
		if _, err := election.DecodeEdition(&buf); err != nil {
			d.cfg.Log.Warn("proposals-build-refused", "edition", ed.ID, "err", err.Error())
			return err
		}
		if d.cfg.SaveDraft != nil {
			return d.cfg.SaveDraft(&draft)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.cfg.Log.Info("proposals-built", "edition", ed.ID, "projects", len(draft.Projects), "actor", actor)
	return &draft, nil
}

// Sweep forgets the edition's contacts once its last phase has ended.
func (d *Desk) Sweep(ctx context.Context) (int, error) {
	ed, err := d.Edition(ctx)
	if err != nil {
		return 0, nil
	}
	tl := ed.Timeline()
	if len(tl) == 0 || d.cfg.Clock().Before(tl[len(tl)-1].Ends) {
		return 0, nil
	}
	n, err := d.cfg.Store.ForgetContacts(ctx, ed.ID)
	if n > 0 {
		d.cfg.Log.Info("proposal-contacts-forgotten", "edition", ed.ID, "count", n)
	}
	return n, err
}

// window allows n events per key in each period, forgetting idle keys.
type window struct {
	n      int
	per    time.Duration
	clock  func() time.Time
	mu     sync.Mutex
	counts map[string]*slot
	swept  time.Time
}

type slot struct {
	start time.Time
	n     int
}

func newWindow(n int, per time.Duration, clock func() time.Time) *window {
	return &window{n: n, per: per, clock: clock, counts: map[string]*slot{}}
}

// seconds writes a wait as whole seconds, at least one (a Retry-After).
func seconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// RetryAfter is how many seconds a limited caller should wait ("" unless
// err is a limit).
func RetryAfter(err error) string {
	var p election.Problem
	if errors.As(err, &p) && (p.Key == KeyLimit || p.Key == KeyLookLimit) {
		return p.Detail
	}
	return ""
}

// allow counts an event of key and reports whether it is within the limit;
// when not, how long until the key's period ends.
func (w *window) allow(key string) (bool, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.clock()
	if now.Sub(w.swept) > w.per {
		for k, s := range w.counts {
			if now.Sub(s.start) >= w.per {
				delete(w.counts, k)
			}
		}
		w.swept = now
	}
	s := w.counts[key]
	if s == nil || now.Sub(s.start) >= w.per {
		s = &slot{start: now}
		w.counts[key] = s
	}
	s.n++
	return s.n <= w.n, s.start.Add(w.per).Sub(now)
}
