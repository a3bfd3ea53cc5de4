package election

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// A plan code carries a ballot prepared at home (the public ballot planner)
// to a kiosk, as a QR code or typed: the edition, the district and the
// chosen projects with their points, and nothing else. It is not a ballot
// until the resident confirms it at the kiosk.
//
// The code is a bit string written in Crockford's base32 (no I, L, O, U; a
// typed O reads as 0 and I or L as 1; case, spaces and dashes are ignored):
//
//	version 3 | salt 4 | edition tag 12 | district tag 12 | pools 2 |
//	per ballot pool (the city-wide pool, then the district's):
//	  count 3 | count × (project tag 16 | points 3)
//	| check 15
//
// A tag is the first bits of SHA-256 over the salt and an id, so the code
// names projects by their ids: a catalog republished with a typo fixed reads
// the same code, a withdrawn project is reported as such. The planner picks
// the salt that makes every tag it writes unique among the catalog's.
// The check is the first 15 bits of SHA-256 over the bits before it, so a
// mistyped character is caught (a wrong code passes with odds 1 in 32,768).

// Plan problem keys: the kiosk shows each as a translated sentence and the
// resident goes on by hand.
const (
	KeyPlanUnreadable   = "plan.unreadable"    // not a plan code, or mistyped
	KeyPlanVersion      = "plan.version"       // made by a newer planner
	KeyPlanOtherEdition = "plan.other_edition" // for another edition
	KeyPlanDistrict     = "plan.unknown_district"
	KeyPlanWithdrawn    = "plan.withdrawn" // a chosen project is no longer on the ballot
	KeyPlanTooMany      = "plan.too_many"  // more than 7 choices in a pool, or points over 7
	// KeyPlanRuleChanged: a choice no longer fits the edition's rules (the
	// points or the number of choices changed since the plan was made).
	KeyPlanRuleChanged = "plan.rule_changed"
)

const (
	planVersion  = 1
	planMaxCount = 7
	planMaxBits  = 3 + 4 + 12 + 12 + 2 + 2*(3+planMaxCount*19) + 15
)

// crockford is Crockford's base32 alphabet.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func planTag(salt uint8, kind byte, id string, bits uint) uint32 {
	h := sha256.New()
	h.Write([]byte("urna-plan-v1\x00"))
	h.Write([]byte{salt, kind, 0})
	h.Write([]byte(id))
	sum := h.Sum(nil)
	return binary.BigEndian.Uint32(sum) >> (32 - bits)
}

// EncodePlan writes b (a ballot for e, whole or partial) as a plan code in
// groups of five characters.
func EncodePlan(e *Edition, b Ballot) (string, error) {
	if e.Pool(b.District) == nil || e.Pool(b.District).Kind != District {
		return "", Problem{Key: KeyPlanDistrict, Detail: b.District}
	}
	pools := e.BallotPools(b.District)
	for _, s := range b.Selections {
		for _, c := range s.Choices {
			if c.Points < 0 || c.Points > planMaxCount {
				return "", Problem{Key: KeyPlanTooMany, Pool: s.Pool, Detail: fmt.Sprintf("points %d", c.Points)}
			}
		}
		if len(s.Choices) > planMaxCount {
			return "", Problem{Key: KeyPlanTooMany, Pool: s.Pool}
		}
	}
	salt, ok := uint8(0), false
	for ; salt < 16; salt++ {
		if planUnique(e, b, salt) {
			ok = true
			break
		}
	}
	if !ok {
		return "", Problem{Key: KeyPlanUnreadable, Detail: "no salt gives unique tags"}
	}
	var w bitWriter
	w.put(planVersion, 3)
	w.put(uint32(salt), 4)
	w.put(planTag(salt, 'e', e.ID, 12), 12)
	w.put(planTag(salt, 'd', b.District, 12), 12)
	w.put(uint32(len(pools)), 2)
	for _, p := range pools {
		s := b.Selection(p.ID)
		w.put(uint32(len(s.Choices)), 3)
		for _, c := range s.Choices {
			w.put(planTag(salt, 'p', c.Project, 16), 16)
			w.put(uint32(c.Points), 3)
		}
	}
	w.put(planCheck(w.bits), 15)
	return group(w.base32()), nil
}

// planUnique reports whether salt gives the district and each chosen
// project a tag no other district or project of its pool has.
func planUnique(e *Edition, b Ballot, salt uint8) bool {
	d := planTag(salt, 'd', b.District, 12)
	for _, p := range e.Districts() {
		if p.ID != b.District && planTag(salt, 'd', p.ID, 12) == d {
			return false
		}
	}
	for _, s := range b.Selections {
		for _, c := range s.Choices {
			t := planTag(salt, 'p', c.Project, 16)
			for _, p := range e.ProjectsIn(s.Pool) {
				if p.ID != c.Project && planTag(salt, 'p', p.ID, 16) == t {
					return false
				}
			}
		}
	}
	return true
}

// DecodePlan reads a plan code against the kiosk's catalog e. A code it
// cannot use at all (unreadable, another edition, an unknown district) is an
// error; otherwise it returns the ballot filled in with what still applies
// and a problem for each choice it had to drop (a withdrawn project). The
// caller validates the ballot against the rules as for any ballot.
func DecodePlan(e *Edition, code string) (Ballot, Problems, error) {
	bits, err := unbase32(code)
	if err != nil {
		return Ballot{}, nil, err
	}
	if len(bits) < 3+4+12+12+2+15 || len(bits) > planMaxBits+4 {
		return Ballot{}, nil, Problem{Key: KeyPlanUnreadable, Detail: "wrong length"}
	}
	r := bitReader{bits: bits}
	version := r.get(3)
	salt := uint8(r.get(4))
	edition := r.get(12)
	district := r.get(12)
	pools := int(r.get(2))
	type choice struct{ tag, points uint32 }
	var sections [][]choice
	for range min(pools, 2) {
		n := int(r.get(3))
		var cs []choice
		for range n {
			cs = append(cs, choice{r.get(16), r.get(3)})
		}
		sections = append(sections, cs)
		if r.err {
			break
		}
	}
	end := r.pos
	check := r.get(15)
	// Whatever follows the check is the padding of the last character.
	if r.err || len(bits)-r.pos >= 5 || planCheck(bits[:end]) != check {
		return Ballot{}, nil, Problem{Key: KeyPlanUnreadable, Detail: "check does not match"}
	}
	for _, b := range bits[r.pos:] {
		if b != 0 {
			return Ballot{}, nil, Problem{Key: KeyPlanUnreadable, Detail: "padding"}
		}
	}
	if version != planVersion {
		return Ballot{}, nil, Problem{Key: KeyPlanVersion, Detail: fmt.Sprintf("version %d", version)}
	}
	if planTag(salt, 'e', e.ID, 12) != edition {
		return Ballot{}, nil, Problem{Key: KeyPlanOtherEdition}
	}
	var dist *Pool
	for _, p := range e.Districts() {
		if planTag(salt, 'd', p.ID, 12) == district {
			if dist != nil {
				return Ballot{}, nil, Problem{Key: KeyPlanDistrict, Detail: "two districts share the tag"}
			}
			dist = &p
		}
	}
	if dist == nil {
		return Ballot{}, nil, Problem{Key: KeyPlanDistrict}
	}
	b := Ballot{Edition: e.ID, District: dist.ID}
	var ps Problems
	for i, p := range e.BallotPools(dist.ID) {
		if i >= len(sections) {
			break
		}
		sel := Selection{Pool: p.ID}
		for _, c := range sections[i] {
			var found []string
			for _, pr := range e.ProjectsIn(p.ID) {
				if planTag(salt, 'p', pr.ID, 16) == c.tag {
					found = append(found, pr.ID)
				}
			}
			if len(found) != 1 {
				ps = append(ps, Problem{Key: KeyPlanWithdrawn, Pool: p.ID})
				continue
			}
			sel.Choices = append(sel.Choices, Choice{Project: found[0], Points: int(c.points)})
		}
		b.Selections = append(b.Selections, sel)
	}
	return b, ps, nil
}

// PlanFromText finds a plan code in what a scanner or a resident typed: the
// code itself, or the planner's URL that ends in it.
func PlanFromText(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/=#"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func planCheck(bits []uint8) uint32 {
	h := sha256.New()
	h.Write([]byte("urna-plan-check\x00"))
	h.Write(bits)
	return binary.BigEndian.Uint32(h.Sum(nil)) >> (32 - 15)
}

// bitWriter packs values most significant bit first, one bit per byte.
type bitWriter struct{ bits []uint8 }

func (w *bitWriter) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits = append(w.bits, uint8(v>>uint(i))&1)
	}
}

func (w *bitWriter) base32() string {
	var b strings.Builder
	for i := 0; i < len(w.bits); i += 5 {
		var v uint8
		for j := range 5 {
			v <<= 1
			if i+j < len(w.bits) {
				v |= w.bits[i+j]
			}
		}
		b.WriteByte(crockford[v])
	}
	return b.String()
}

type bitReader struct {
	bits []uint8
	pos  int
	err  bool
}

func (r *bitReader) get(n uint) uint32 {
	var v uint32
	for range n {
		if r.pos >= len(r.bits) {
			r.err = true
			return 0
		}
		v = v<<1 | uint32(r.bits[r.pos])
		r.pos++
	}
	return v
}

// unbase32 reads Crockford base32, forgiving case, spaces, dashes and the
// letters people type for digits.
func unbase32(s string) ([]uint8, error) {
	var bits []uint8
	for _, c := range strings.ToUpper(s) {
		switch c {
		case ' ', '-', '\t':
			continue
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		v := strings.IndexRune(crockford, c)
		if v < 0 {
			return nil, Problem{Key: KeyPlanUnreadable, Detail: fmt.Sprintf("character %q", c)}
		}
		for j := 4; j >= 0; j-- {
			bits = append(bits, uint8(v>>uint(j))&1)
		}
		if len(bits) > planMaxBits+5 {
			return nil, Problem{Key: KeyPlanUnreadable, Detail: "too long"}
		}
	}
	return bits, nil
}

// group writes s in groups of five, for reading aloud and typing.
func group(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(c)
	}
	return b.String()
}
