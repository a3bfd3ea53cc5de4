// Package election holds the domain of a civic-budget edition: its pools,
// projects and venues, the ballot rules, eligibility (PESEL and voter codes),
// the voter key, and the tally. It uses the standard library only.
package election

import (
	"bytes"
	"encoding/json"
	"time"
)

// Languages the system speaks, in the order screens offer them.
var Languages = []string{"pl", "en", "uk"}

// Text is a string in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to Polish and then to any language.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t["pl"]; ok && s != "" {
		return s
	}
	for _, l := range Languages {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// Has reports whether the text is written in lang itself, not through the
// Polish fallback of In.
func (t Text) Has(lang string) bool { return t[lang] != "" }

// UnmarshalJSON reads a text per language, or a plain string as Polish
// (fields that were plain strings before they were translated).
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text{}
		if s != "" {
			(*t)["pl"] = s
		}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = m
	return nil
}

// PoolKind tells the city-wide pool from the district pools.
type PoolKind string

// Pool kinds.
const (
	CityWide PoolKind = "city"
	District PoolKind = "district"
)

// Pool is a sum of money residents decide on: the city-wide pool or one district's.
type Pool struct {
	ID     string   `json:"id"`
	Kind   PoolKind `json:"kind"`
	Number string   `json:"number,omitempty"` // a district's Roman numeral, e.g. "XVI"
	Name   Text     `json:"name"`
	Budget int64    `json:"budget"` // grosze
}

// Category is a project's theme, used for browsing.
type Category string

// Categories offered by the kiosk's browser, in display order.
var Categories = []Category{"green", "infrastructure", "sport", "society", "health", "education", "culture"}

// Project is one proposal on the ballot.
type Project struct {
	ID       string   `json:"id"`
	Number   string   `json:"number"` // the public number printed on posters, e.g. "BO.XVI.12/25"
	Pool     string   `json:"pool"`
	Title    Text     `json:"title"`
	Summary  Text     `json:"summary,omitempty"`
	Cost     int64    `json:"cost"` // grosze
	Category Category `json:"category,omitempty"`
	// Location is where it would be built, per language; a plain string
	// (schema 1 and 2 files) reads as Polish.
	Location Text `json:"location,omitempty"`
}

// MarshalJSON writes a location known only in Polish as the plain string
// older files and kiosks read, and a translated one per language.
func (p Project) MarshalJSON() ([]byte, error) {
	type plain Project // without this method
	var v any = plain(p)
	if len(p.Location) == 0 || len(p.Location) == 1 && p.Location["pl"] != "" {
		v = struct {
			plain
			Location string `json:"location,omitempty"`
		}{plain(p), p.Location["pl"]}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as EncodeEdition writes the rest
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Venue is a voting point: a library branch, a cultural centre and the like.
type Venue struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Address  string  `json:"address"`
	District string  `json:"district"` // pool id of the district it stands in
	Hours    []Hours `json:"hours,omitempty"`
}

// Hours are a venue's opening hours on one weekday, as "HH:MM" in the edition's zone.
type Hours struct {
	Weekday time.Weekday `json:"weekday"`
	Open    string       `json:"open"`
	Close   string       `json:"close"`
}

// RuleKind names a ballot rule.
type RuleKind string

// Ballot rules.
const (
	// Points: exactly len(Points) distinct projects carrying the point values (Kraków's 3-2-1).
	Points RuleKind = "points"
	// Approval: between Min and Max projects.
	Approval RuleKind = "approval"
	// Knapsack: any projects whose total cost stays within the pool's budget.
	Knapsack RuleKind = "knapsack"
)

// BallotRule says how a resident votes in one kind of pool.
type BallotRule struct {
	Kind   RuleKind `json:"kind"`
	Points []int    `json:"points,omitempty"` // for Points, e.g. [3,2,1]
	Min    int      `json:"min,omitempty"`    // for Approval (and Knapsack: at least)
	Max    int      `json:"max,omitempty"`    // for Approval
	// Optional makes a pool skippable: a resident may leave it empty.
	Optional bool `json:"optional,omitempty"`
}

// Eligibility are an edition's age rules.
type Eligibility struct {
	MinAge      int `json:"minAge"`      // 0: any age (Kraków)
	GuardianAge int `json:"guardianAge"` // under this age a guardian consents; 0: never
	// CodePrefix starts the city-issued voter codes for residents without a PESEL.
	CodePrefix string `json:"codePrefix"`
}

// Allocation names the rule that turns scores into funded projects.
type Allocation struct {
	Rule      string `json:"rule"`                // "greedy", "greedy-no-skip", "equal-shares"
	Threshold int    `json:"threshold,omitempty"` // minimum number of voters a project needs
}

// SchemaVersion is the edition file's current schema version. Files without
// "schema" are version 1 and are still read (docs/edition-format.md).
const SchemaVersion = 2

// Admission is an edition's policy of who may cast a ballot.
type Admission string

// Admission policies (docs/edition-format.md, docs/protocol.md).
const (
	// StaffActivation: a staff member who checked the resident's ID unlocks
	// one ballot at the kiosk (Kraków's staffed points; the demo).
	StaffActivation Admission = "staff-activation"
	// IssuedCodes: only voter codes the central issued are accepted.
	IssuedCodes Admission = "issued-codes"
	// Register: voter keys are matched against the city's register hashed
	// with the edition's secret; unmatched ballots are set aside for review.
	Register Admission = "register"
	// SelfDeclared: any checksum-valid PESEL or code with the residence
	// declaration (the behaviour of schema 1; a city must choose it knowingly).
	SelfDeclared Admission = "self-declared"
)

// TieRule breaks a tie between projects with equal scores when only one fits.
type TieRule string

// Tie rules (docs/edition-format.md).
const (
	TieCatalogOrder TieRule = "catalog-order" // the project listed first wins
	TieMoreVoters   TieRule = "more-voters"
	TieLowerCost    TieRule = "lower-cost"
	TieLottery      TieRule = "lottery" // the seeded public lottery
)

// ProposalRules are what a proposal must meet and how projects are numbered.
type ProposalRules struct {
	// CostLimits per kind of pool, in grosze: a proposal's cost must lie within.
	CostLimits map[PoolKind]CostLimit `json:"costLimits,omitempty"`
	// Supporters is how many residents must sign a proposal's support list (Kraków: 15; 0: none).
	Supporters int `json:"supporters,omitempty"`
	// Numbering is the template of a project's public number per kind of pool:
	// {n} the running number in its pool, {d} the district's number (arabic),
	// {r} its Roman numeral, {yy}/{yyyy} the year the vote opens.
	// Kraków: {"city": "BO.OM.{n}/{yy}", "district": "BO.D{d}.{n}/{yy}"}.
	Numbering map[PoolKind]string `json:"numbering,omitempty"`
	// CostGuide is a text that helps residents estimate costs (per language).
	CostGuide Text `json:"costGuide,omitempty"`
}

// CostLimit bounds a proposal's cost in grosze; 0 means no bound.
type CostLimit struct {
	Min int64 `json:"min,omitempty"`
	Max int64 `json:"max,omitempty"`
}

// Edition is one year's civic budget: everything a kiosk needs to take votes.
type Edition struct {
	// Schema is the file's schema version (0 or 1: the first version).
	Schema      int                     `json:"schema,omitempty"`
	ID          string                  `json:"id"`
	Version     int                     `json:"version"` // catalog version, raised by each publish
	Name        Text                    `json:"name"`
	Zone        string                  `json:"zone"` // IANA time zone, e.g. "Europe/Warsaw"
	Opens       time.Time               `json:"opens"`
	Closes      time.Time               `json:"closes"`
	CheckURL    string                  `json:"checkURL"` // public ballot check, the tracker is appended
	Eligibility Eligibility             `json:"eligibility"`
	Rules       map[PoolKind]BallotRule `json:"rules"`
	Allocation  Allocation              `json:"allocation"`
	ShowChoices bool                    `json:"showChoicesOnReceipt,omitempty"`
	// PublishTrackers: the edition publishes the trackers of its counted
	// ballots. A receipt then never shows choices, whatever ShowChoices
	// says: a tracker beside choices on paper would prove how one voted.
	PublishTrackers bool `json:"publishCountedTrackers,omitempty"`
	// Admission is who may cast (schema 2; schema 1 files read as self-declared).
	Admission Admission `json:"admission,omitempty"`
	// TieRule breaks ties in the results (schema 2; no silent default for a live edition).
	TieRule TieRule `json:"tieRule,omitempty"`
	// Phases are the year's stages other than the vote, whose window is
	// Opens/Closes (schema 2; see Timeline).
	Phases []Phase `json:"phases,omitempty"`
	// Proposals are the rules for residents' proposals (schema 2).
	Proposals *ProposalRules `json:"proposals,omitempty"`
	// MinKioskVersion, when set, is the oldest kiosk software that may open
	// a voting point under this edition (dotted numbers, e.g. "0.6.0").
	MinKioskVersion string    `json:"minKioskVersion,omitempty"`
	Pools           []Pool    `json:"pools"`
	Projects        []Project `json:"projects"`
	Venues          []Venue   `json:"venues"`
}

// AdmissionPolicy returns who may cast: the edition's admission, or
// self-declared for a schema-1 file that predates the field.
func (e *Edition) AdmissionPolicy() Admission {
	if e.Admission == "" {
		return SelfDeclared
	}
	return e.Admission
}

// ChoicesOnReceipt reports whether receipts show the resident's choices:
// only when the edition asks for it and does not publish its trackers.
func (e *Edition) ChoicesOnReceipt() bool { return e.ShowChoices && !e.PublishTrackers }

// Location returns the edition's time zone, UTC if it cannot be loaded.
func (e *Edition) Location() *time.Location {
	if loc, err := time.LoadLocation(e.Zone); err == nil {
		return loc
	}
	return time.UTC
}

// Pool returns the pool with id, or nil.
func (e *Edition) Pool(id string) *Pool {
	for i := range e.Pools {
		if e.Pools[i].ID == id {
			return &e.Pools[i]
		}
	}
	return nil
}

// Project returns the project with id, or nil.
func (e *Edition) Project(id string) *Project {
	for i := range e.Projects {
		if e.Projects[i].ID == id {
			return &e.Projects[i]
		}
	}
	return nil
}

// Venue returns the venue with id, or nil.
func (e *Edition) Venue(id string) *Venue {
	for i := range e.Venues {
		if e.Venues[i].ID == id {
			return &e.Venues[i]
		}
	}
	return nil
}

// ProjectsIn returns the projects of one pool in catalog order.
func (e *Edition) ProjectsIn(pool string) []Project {
	var out []Project
	for _, p := range e.Projects {
		if p.Pool == pool {
			out = append(out, p)
		}
	}
	return out
}

// Districts returns the district pools in catalog order.
func (e *Edition) Districts() []Pool {
	var out []Pool
	for _, p := range e.Pools {
		if p.Kind == District {
			out = append(out, p)
		}
	}
	return out
}

// CityPool returns the city-wide pool, or nil if the edition has none.
func (e *Edition) CityPool() *Pool {
	for i := range e.Pools {
		if e.Pools[i].Kind == CityWide {
			return &e.Pools[i]
		}
	}
	return nil
}

// BallotPools returns the pools a resident of district votes in: the
// city-wide pool (if any) and their district.
func (e *Edition) BallotPools(district string) []Pool {
	var out []Pool
	if c := e.CityPool(); c != nil {
		out = append(out, *c)
	}
	if d := e.Pool(district); d != nil && d.Kind == District {
		out = append(out, *d)
	}
	return out
}

// Open reports whether voting is open at t.
func (e *Edition) Open(t time.Time) bool {
	return !t.Before(e.Opens) && t.Before(e.Closes)
}

// MoveWindow shifts the voting window to open at the start of now's day in
// the edition's zone, keeping its length. Demo mode uses it.
func (e *Edition) MoveWindow(now time.Time) {
	length := e.Closes.Sub(e.Opens)
	n := now.In(e.Location())
	opens := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, n.Location())
	e.ShiftTimeline(opens.Sub(e.Opens))
	e.Closes = e.Opens.Add(length)
}

// ShiftTimeline moves the voting window and every phase by d (demo mode
// uses it to show another phase of the year today).
func (e *Edition) ShiftTimeline(d time.Duration) {
	e.Opens, e.Closes = e.Opens.Add(d), e.Closes.Add(d)
	for i := range e.Phases {
		e.Phases[i].Starts = e.Phases[i].Starts.Add(d)
		e.Phases[i].Ends = e.Phases[i].Ends.Add(d)
	}
}
