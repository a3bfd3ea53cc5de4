package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// KioskAudit is one kiosk's part of an audit: what the central holds of
// it and the state of its chain. Revoked kiosks are audited too.
type KioskAudit struct {
	Kiosk     string `json:"kiosk"`
	Venue     string `json:"venue"`
	Revoked   bool   `json:"revoked,omitempty"`
	SetAside  bool   `json:"setAside,omitempty"`
	SignedOff bool   `json:"signedOff,omitempty"`
	// Forged are the kiosk's commitments to a head other than the ballot
	// the central holds at that number.
	Forged       int         `json:"forged,omitempty"`
	Stored       int         `json:"stored"`
	Counted      int         `json:"counted"` // by the recount
	Held         int         `json:"held,omitempty"`
	BadSignature int         `json:"badSignature,omitempty"`
	Chain        store.Chain `json:"chain"`
	// Committed is the highest number the kiosk committed to in a
	// heartbeat: ballots above Chain.MaxSeq up to it were deleted or never
	// arrived.
	Committed uint64 `json:"committed,omitempty"`
}

// ChainOK reports whether the kiosk's chain has no gap or break and
// reaches the head it committed to.
func (k *KioskAudit) ChainOK() bool {
	return len(k.Chain.Gaps) == 0 && len(k.Chain.Breaks) == 0 && k.Chain.MaxSeq >= k.Committed && k.Forged == 0
}

// Settled reports whether the office has dealt with the kiosk (revoked
// it, set its ballots aside or signed its point off): what its chain
// lacks then is that kiosk's finding, shown, and no longer keeps the
// results unverified (a thief could otherwise keep them so for good).
func (k *KioskAudit) Settled() bool { return k.Revoked || k.SetAside || k.SignedOff }

// Difference is one figure on which the fast tally and the recount from
// signed ballots disagree.
type Difference struct {
	Pool    string `json:"pool"`
	Project string `json:"project,omitempty"` // "" for the pool's number of voters
	What    string `json:"what"`              // voters, votes or points
	Fast    int64  `json:"fast"`
	Recount int64  `json:"recount"`
}

// Audit checks the results against the signed ballots: every stored
// ballot's signature verified under its kiosk's key, the de-duplication
// re-run over the ballots that verify, the recount compared with the fast
// tally of the store's index, and every kiosk's chain checked.
type Audit struct {
	At           time.Time `json:"at"`
	Stored       int       `json:"stored"`
	Verified     int       `json:"verified"`
	BadSignature int       `json:"badSignature"`
	UnknownKiosk int       `json:"unknownKiosk"`
	Held         int       `json:"held"`
	// Voters have a counted ballot in the recount; IndexCounted are the
	// entries of the store's index the fast tally reads.
	Voters       int `json:"voters"`
	IndexCounted int `json:"indexCounted"`
	// Mismatched voters: the ballot the store marks counted is not the one
	// the recount picks (or one of the two has none).
	Mismatched  int          `json:"mismatched"`
	Kiosks      []KioskAudit `json:"kiosks"`
	Differences []Difference `json:"differences,omitempty"`
	// Agrees: the recount and the fast tally agree, every signature
	// verifies, and no chain of a kiosk the office has not settled has a
	// gap, a break or a missing committed tail.
	Agrees bool `json:"agrees"`
	// Problems name what keeps Agrees false (translation keys under audit.).
	Problems []string `json:"problems,omitempty"`
	// Findings are the settled kiosks whose chain is incomplete: each
	// kiosk's own finding, not held against the results.
	Findings []string `json:"findings,omitempty"`
	// Verdict is the translation key of the one-line outcome: the recount
	// disagrees, or only a chain is incomplete, or it agrees.
	Verdict string `json:"verdict"`
}

// candidate is the best ballot found so far for one voter. It holds no
// pointers, so a million of them cost the garbage collector nothing: its
// choices live in the arena of the worker that found it.
type candidate struct {
	castAt    int64    // unix nanoseconds
	received  int64    // unix nanoseconds: a tie goes to the one received first
	id        [32]byte // the ballot ID's bytes: ordered as its hex
	stored    [32]byte // the ballot the store marks counted
	hasStored bool
	found     bool  // id is set
	ours      bool  // of the edition being counted
	kiosk     int32 // index into the audit's kiosks
	part      int32 // the worker whose arena holds the choices
	off, n    uint32
}

// better reports whether ballot (t, received r, id) goes before c's: as
// the stores decide (cast time, then arrival, then id).
func (c *candidate) better(t, r int64, id *[32]byte) bool {
	if !c.found {
		return true
	}
	if t != c.castAt {
		return t < c.castAt
	}
	if r != c.received {
		return r < c.received
	}
	return bytes.Compare(id[:], c.id[:]) < 0
}

// auditPart is one worker's findings, merged at the end.
type auditPart struct {
	voters                       map[election.VoterKey]candidate
	kiosks                       []KioskAudit // by index, as auditRun.kiosks
	arena                        []byte       // compact choices of candidates
	verified, bad, unknown, held int
}

// auditRun is what every worker reads: keys by kiosk, the edition's
// pools and projects by index.
type auditRun struct {
	ed       *election.Edition
	kiosk    map[string]int32
	keys     []ed25519.PublicKey
	pool     map[string]int
	project  map[string]int
	pools    []string
	projects []string
}

// RunAudit recounts from the stored signed ballots on every core and
// compares the outcome with the fast tally of the latest catalog's edition.
func RunAudit(ctx context.Context, st store.Store, now time.Time) (*Audit, error) {
	a, _, err := audit(ctx, st, now)
	return a, err
}

// AuditedResults returns the results of the fast tally with their audit;
// when the audit does not agree the results are unverified and the audit
// lists the differences.
func AuditedResults(ctx context.Context, st store.Store, seed string, now time.Time) (*election.Edition, []PoolResult, *Audit, error) {
	ed, rs, err := Results(ctx, st, seed)
	if err != nil {
		return nil, nil, nil, err
	}
	a, _, err := audit(ctx, st, now)
	if err != nil {
		return nil, nil, nil, err
	}
	return ed, rs, a, nil
}

func audit(ctx context.Context, st store.Store, now time.Time) (*Audit, map[string]*election.Profile, error) {
	ed, fast, err := profiles(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	ks, err := st.Kiosks(ctx)
	if err != nil {
		return nil, nil, err
	}
	run := &auditRun{ed: ed, kiosk: map[string]int32{}, pool: map[string]int{}, project: map[string]int{}}
	for i, k := range ks {
		run.kiosk[k.ID] = int32(i)
		run.keys = append(run.keys, k.PublicKey)
	}
	for i, p := range ed.Pools {
		run.pool[p.ID] = i
		run.pools = append(run.pools, p.ID)
	}
	for i, p := range ed.Projects {
		run.project[p.ID] = i
		run.projects = append(run.projects, p.ID)
	}
	workers := runtime.GOMAXPROCS(0)
	const batchSize = 256
	jobs, free := make(chan []store.Stored, 2*workers), make(chan []store.Stored, 4*workers)
	parts := make([]*auditPart, workers)
	var wg sync.WaitGroup
	for w := range workers {
		p := &auditPart{voters: map[election.VoterKey]candidate{}, kiosks: make([]KioskAudit, len(ks))}
		parts[w] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range jobs {
				for i := range batch {
					p.one(&batch[i], run, int32(w))
				}
				select {
				case free <- batch[:0]:
				default:
				}
			}
		}()
	}
	batch := make([]store.Stored, 0, batchSize)
	stored := 0
	scanErr := st.Ballots(ctx, func(s store.Stored) error {
		stored++
		batch = append(batch, s)
		if len(batch) == batchSize {
			jobs <- batch
			select {
			case batch = <-free:
			default:
				batch = make([]store.Stored, 0, batchSize)
			}
		}
		return nil
	})
	if len(batch) > 0 {
		jobs <- batch
	}
	close(jobs)
	wg.Wait()
	if scanErr != nil {
		return nil, nil, scanErr
	}
	// merge the workers' findings
	voters := parts[0].voters
	kiosks := make([]KioskAudit, len(ks))
	a := &Audit{At: now, Stored: stored}
	for i, p := range parts {
		a.Verified += p.verified
		a.BadSignature += p.bad
		a.UnknownKiosk += p.unknown
		a.Held += p.held
		for j, k := range p.kiosks {
			kiosks[j].Stored += k.Stored
			kiosks[j].Held += k.Held
			kiosks[j].BadSignature += k.BadSignature
		}
		if i == 0 {
			continue
		}
		for v, c := range p.voters {
			m, ok := voters[v]
			if !ok {
				voters[v] = c
				continue
			}
			if c.found && m.better(c.castAt, c.received, &c.id) {
				m.castAt, m.received, m.id, m.found, m.ours, m.kiosk, m.part, m.off, m.n = c.castAt, c.received, c.id, true, c.ours, c.kiosk, c.part, c.off, c.n
			}
			if c.hasStored {
				m.stored, m.hasStored = c.stored, true
			}
			voters[v] = m
		}
	}
	_, a.IndexCounted, err = st.Counts(ctx)
	if err != nil {
		return nil, nil, err
	}
	recount := newTally(ed, len(voters))
	var sels []election.Selection
	for _, c := range voters {
		if c.found {
			a.Voters++
			kiosks[c.kiosk].Counted++
			if c.ours {
				sels = run.selections(parts[c.part].arena[c.off:c.off+c.n], sels)
				recount.add(sels)
			}
		}
		if c.found != c.hasStored || c.found && c.id != c.stored {
			a.Mismatched++
		}
	}
	// a counted index entry whose ballot is gone: the index holds more
	// voters than the ballots show
	if a.IndexCounted > a.Voters {
		a.Mismatched += a.IndexCounted - a.Voters
	}
	offs, err := st.SignOffs(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i, k := range ks {
		ka := kiosks[i]
		ka.Kiosk, ka.Venue, ka.Revoked = k.ID, k.Venue, !k.Revoked.IsZero()
		_, ka.SignedOff = offs[k.ID]
		ka.SetAside = !k.SetAside.IsZero()
		forged, err := st.ForgedCommitments(ctx, k.ID)
		if err != nil {
			return nil, nil, err
		}
		ka.Forged = len(forged)
		if ka.Chain, err = st.Chain(ctx, k.ID); err != nil {
			return nil, nil, err
		}
		cs, err := st.Commitments(ctx, k.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cs {
			ka.Committed = max(ka.Committed, c.Seq)
		}
		a.Kiosks = append(a.Kiosks, ka)
	}
	sort.Slice(a.Kiosks, func(i, j int) bool { return a.Kiosks[i].Kiosk < a.Kiosks[j].Kiosk })
	a.Differences = compareProfiles(ed, fast, recount.profiles)
	a.judge()
	return a, recount.profiles, nil
}

// one checks one stored ballot.
func (p *auditPart) one(s *store.Stored, run *auditRun, part int32) {
	b := &s.Ballot
	c := p.voters[b.VoterKey]
	if s.Counted {
		if _, err := hex.Decode(c.stored[:], []byte(b.ID)); err == nil {
			c.hasStored = true
		}
	}
	defer func() { p.voters[b.VoterKey] = c }()
	k, ok := run.kiosk[b.Kiosk]
	if !ok {
		p.unknown++
		return
	}
	ka := &p.kiosks[k]
	ka.Stored++
	var id [32]byte
	if b.Verify(run.keys[k]) != nil || len(b.ID) != 64 {
		p.bad++
		ka.BadSignature++
		return
	}
	hex.Decode(id[:], []byte(b.ID))
	p.verified++
	if s.Hold != "" {
		p.held++
		ka.Held++
		return
	}
	at, rec := b.CastAt.UnixNano(), s.Received.UnixNano()
	if !c.better(at, rec, &id) {
		return
	}
	c.castAt, c.received, c.id, c.found, c.kiosk, c.part = at, rec, id, true, k, part
	c.ours = b.Edition == run.ed.ID
	c.off, c.n = 0, 0
	if c.ours {
		start := len(p.arena)
		p.arena = run.appendChoices(p.arena, b.Selections)
		c.off, c.n = uint32(start), uint32(len(p.arena)-start)
	}
}

// appendChoices encodes selections compactly by the edition's pool and
// project indexes; what the edition does not know is left out, as the
// tally leaves it out.
func (run *auditRun) appendChoices(out []byte, sels []election.Selection) []byte {
	for _, s := range sels {
		pi, ok := run.pool[s.Pool]
		if !ok {
			continue
		}
		out = binary.AppendUvarint(out, uint64(pi))
		n := 0
		for _, c := range s.Choices {
			if _, ok := run.project[c.Project]; ok {
				n++
			}
		}
		out = binary.AppendUvarint(out, uint64(n))
		for _, c := range s.Choices {
			if j, ok := run.project[c.Project]; ok {
				out = binary.AppendUvarint(out, uint64(j))
				out = binary.AppendVarint(out, int64(c.Points))
			}
		}
	}
	return out
}

// selections decodes appendChoices into sels, reusing its arrays.
func (run *auditRun) selections(raw []byte, sels []election.Selection) []election.Selection {
	sels = sels[:0]
	next := func() uint64 {
		v, k := binary.Uvarint(raw)
		raw = raw[k:]
		return v
	}
	for len(raw) > 0 {
		pool, n := next(), next()
		if len(sels) < cap(sels) {
			sels = sels[:len(sels)+1]
		} else {
			sels = append(sels, election.Selection{})
		}
		s := &sels[len(sels)-1]
		s.Pool, s.Choices = run.pools[pool], s.Choices[:0]
		for range n {
			j := next()
			pts, k := binary.Varint(raw)
			raw = raw[k:]
			s.Choices = append(s.Choices, election.Choice{Project: run.projects[j], Points: int(pts)})
		}
	}
	return sels
}

// compareProfiles lists every figure on which two tallies differ: each
// pool's voters, each project's votes and points.
func compareProfiles(ed *election.Edition, fast, recount map[string]*election.Profile) []Difference {
	var out []Difference
	for _, pool := range ed.Pools {
		f, r := fast[pool.ID], recount[pool.ID]
		fv, fp := sums(f)
		rv, rp := sums(r)
		if len(f.Votes) != len(r.Votes) {
			out = append(out, Difference{Pool: pool.ID, What: "voters", Fast: int64(len(f.Votes)), Recount: int64(len(r.Votes))})
		}
		for i, c := range f.Projects {
			if fv[i] != rv[i] {
				out = append(out, Difference{Pool: pool.ID, Project: c.ID, What: "votes", Fast: fv[i], Recount: rv[i]})
			}
			if fp[i] != rp[i] {
				out = append(out, Difference{Pool: pool.ID, Project: c.ID, What: "points", Fast: fp[i], Recount: rp[i]})
			}
		}
	}
	return out
}

func sums(p *election.Profile) (votes, points []int64) {
	votes, points = make([]int64, len(p.Projects)), make([]int64, len(p.Projects))
	for _, v := range p.Votes {
		for _, m := range v {
			votes[m.Project]++
			points[m.Project] += int64(m.Points)
		}
	}
	return votes, points
}

// judge sets Agrees, Problems, Findings and Verdict: each problem says
// what failed, and a chain that is incomplete is not "the recount
// disagrees".
func (a *Audit) judge() {
	add := func(ok bool, key string) {
		if !ok {
			a.Problems = append(a.Problems, key)
		}
	}
	add(len(a.Differences) == 0, "audit.problem.differences")
	add(a.Mismatched == 0, "audit.problem.mismatched")
	add(a.BadSignature == 0, "audit.problem.signatures")
	add(a.UnknownKiosk == 0, "audit.problem.unknown_kiosk")
	recount := len(a.Problems) == 0
	gaps, tail, forged := true, true, true
	for _, k := range a.Kiosks {
		switch {
		case k.ChainOK():
		case k.Settled():
			a.Findings = append(a.Findings, k.Kiosk)
		default:
			gaps = gaps && len(k.Chain.Gaps) == 0 && len(k.Chain.Breaks) == 0
			tail = tail && k.Chain.MaxSeq >= k.Committed
			forged = forged && k.Forged == 0
		}
	}
	add(gaps, "audit.problem.gaps")
	add(tail, "audit.problem.tail")
	add(forged, "audit.problem.forged")
	a.Agrees = len(a.Problems) == 0
	switch {
	case a.Agrees:
		a.Verdict = "audit.agrees"
	case recount:
		a.Verdict = "audit.incomplete"
	default:
		a.Verdict = "audit.disagrees"
	}
}

// String is a one-line summary for logs (no personal data).
func (a *Audit) String() string {
	return fmt.Sprintf("audit: %d stored, %d verified, %d bad signatures, %d held, %d voters, %d in the index, %d mismatched, %d differences, agrees=%v",
		a.Stored, a.Verified, a.BadSignature, a.Held, a.Voters, a.IndexCounted, a.Mismatched, len(a.Differences), a.Agrees)
}

// auditCache keeps the server's last audit: the dashboard shows it with
// its time rather than recount a million ballots on every page view.
type auditCache struct {
	mu            sync.Mutex
	last          *Audit
	total, counts int
}

// AuditMaxAge is how old the dashboard's audit may be before it is run again.
const AuditMaxAge = 5 * time.Minute

// LatestAudit returns an audit no older than AuditMaxAge, run again
// whenever the store's counts have moved since; one runs at a time.
func (s *Server) LatestAudit(ctx context.Context) (*Audit, error) {
	s.audits.mu.Lock()
	defer s.audits.mu.Unlock()
	total, counted, err := s.cfg.Store.Counts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock()
	if a := s.audits.last; a != nil && total == s.audits.total && counted == s.audits.counts && now.Sub(a.At) < AuditMaxAge {
		return a, nil
	}
	a, err := RunAudit(ctx, s.cfg.Store, now)
	if err != nil {
		return nil, err
	}
	if !a.Agrees {
		s.cfg.Log.Warn("audit-disagrees", "stored", a.Stored, "bad-signatures", a.BadSignature, "mismatched", a.Mismatched, "differences", len(a.Differences))
	}
	s.audits.last, s.audits.total, s.audits.counts = a, total, counted
	return a, nil
}
