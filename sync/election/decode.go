package election

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Translation keys of catalog file problems.
const (
	KeyFileSyntax    = "file.syntax"
	KeyFileType      = "file.type"
	KeyFileMissing   = "file.missing"
	KeyFileInvalid   = "file.invalid"
	KeyFileDuplicate = "file.duplicate"
	KeyFileUnknown   = "file.unknown_reference"
	KeyFileField     = "file.unknown_field"
)

// maxEditionBytes bounds an edition file; Kraków's is about 1 MB.
const maxEditionBytes = 64 << 20

// DecodeEdition reads an edition JSON document (docs/edition-format.md) and
// checks it. Every problem names its line and field.
func DecodeEdition(r io.Reader) (*Edition, error) {
	src, err := io.ReadAll(io.LimitReader(r, maxEditionBytes+1))
	if err != nil {
		return nil, err
	}
	if len(src) > maxEditionBytes {
		return nil, Problems{{Key: KeyFileInvalid, Detail: "file larger than 64 MiB"}}
	}
	lines := lineIndex(src)
	// A first pass finds syntax errors with absolute offsets; the streaming
	// pass below reports offsets relative to each value.
	var raw json.RawMessage
	if err := json.Unmarshal(src, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, Problems{{Key: KeyFileSyntax, Line: lines.line(se.Offset - 1), Detail: se.Error()}}
		}
	}
	e, err := decodeEdition(src, lines)
	if err != nil {
		return nil, err
	}
	if ps := e.Check(); len(ps) > 0 {
		for i := range ps {
			if ps[i].Line == 0 {
				ps[i].Line = lines.lineOf(ps[i].Field)
			}
		}
		return nil, ps
	}
	return e, nil
}

// lines maps byte offsets to line numbers, and remembers where each array
// element of the document starts so that checks can name its line.
type lines struct {
	starts []int          // byte offset of each line start
	fields map[string]int // "projects[3]" -> byte offset
}

func lineIndex(src []byte) *lines {
	l := &lines{starts: []int{0}, fields: map[string]int{}}
	for i, b := range src {
		if b == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

func (l *lines) line(off int64) int {
	lo, hi := 0, len(l.starts)
	for lo < hi {
		mid := (lo + hi) / 2
		if int64(l.starts[mid]) <= off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// next returns the offset of the next value after off, past white space and commas.
func (l *lines) next(src []byte, off int64) int {
	i := int(off)
	for i < len(src) && strings.IndexByte(" \t\r\n,", src[i]) >= 0 {
		i++
	}
	return i
}

// value returns where the decoder starts reading the value after off: past
// white space and the one comma or colon before it.
func (l *lines) value(src []byte, off int64) int {
	i := int(off)
	for i < len(src) && strings.IndexByte(" \t\r\n", src[i]) >= 0 {
		i++
	}
	if i < len(src) && (src[i] == ',' || src[i] == ':') {
		i++
	}
	return i
}

// lineOf returns the line of the longest recorded prefix of a field path
// ("projects[3].cost" is found at "projects[3]", "rules.city" at "rules").
func (l *lines) lineOf(field string) int {
	for i := len(field); i > 0; i-- {
		if i == len(field) || field[i] == '.' || field[i] == '[' {
			if off, ok := l.fields[field[:i]]; ok {
				return l.line(int64(off))
			}
		}
	}
	return 0
}

func decodeEdition(src []byte, l *lines) (*Edition, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	// The decoder's offsets are relative to the value being decoded; base
	// is where that value starts in src.
	fail := func(err error, field string, base int64) error {
		p := Problem{Key: KeyFileSyntax, Field: field, Line: l.line(dec.InputOffset()), Detail: err.Error()}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			p.Line = l.line(base + se.Offset - 1)
		case errors.As(err, &te):
			p.Key, p.Line = KeyFileType, l.line(base+te.Offset-1)
			if te.Field != "" {
				p.Field = joinField(field, te.Field)
			}
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			p.Detail = "unexpected end of file"
		default:
			var pe *time.ParseError
			if errors.As(err, &pe) {
				p.Key = KeyFileType
			} else if len(err.Error()) > 20 && err.Error()[:20] == "json: unknown field " {
				p.Key = KeyFileField
			}
		}
		return Problems{p}
	}
	e := &Edition{}
	if tok, err := dec.Token(); err != nil {
		return nil, fail(err, "", 0)
	} else if tok != json.Delim('{') {
		return nil, fail(errors.New("the document must be a JSON object"), "", 0)
	}
	// Arrays are read element by element so that each element's line is known.
	arrays := map[string]func() any{
		"pools":    func() any { e.Pools = append(e.Pools, Pool{}); return &e.Pools[len(e.Pools)-1] },
		"projects": func() any { e.Projects = append(e.Projects, Project{}); return &e.Projects[len(e.Projects)-1] },
		"venues":   func() any { e.Venues = append(e.Venues, Venue{}); return &e.Venues[len(e.Venues)-1] },
	}
	fields := map[string]any{"id": &e.ID, "version": &e.Version, "name": &e.Name, "zone": &e.Zone, "opens": &e.Opens,
		"closes": &e.Closes, "checkURL": &e.CheckURL, "eligibility": &e.Eligibility, "rules": &e.Rules,
		"allocation": &e.Allocation, "showChoicesOnReceipt": &e.ShowChoices, "publishCountedTrackers": &e.PublishTrackers,
		"schema": &e.Schema, "admission": &e.Admission, "tieRule": &e.TieRule, "phases": &e.Phases,
		"proposals": &e.Proposals, "minKioskVersion": &e.MinKioskVersion}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err, "", 0)
		}
		key, _ := tok.(string)
		l.fields[key] = int(dec.InputOffset())
		if next, ok := arrays[key]; ok {
			if tok, err := dec.Token(); err != nil {
				return nil, fail(err, key, 0)
			} else if tok != json.Delim('[') {
				return nil, fail(fmt.Errorf("%s must be an array", key), key, 0)
			}
			for i := 0; dec.More(); i++ {
				field := fmt.Sprintf("%s[%d]", key, i)
				start := dec.InputOffset()
				l.fields[field] = l.next(src, start)
				if err := dec.Decode(next()); err != nil {
					return nil, fail(err, field, int64(l.value(src, start)))
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, fail(err, key, 0)
			}
			continue
		}
		target, ok := fields[key]
		if !ok {
			return nil, Problems{{Key: KeyFileField, Field: key, Line: l.line(dec.InputOffset())}}
		}
		if err := dec.Decode(target); err != nil {
			return nil, fail(err, key, int64(l.value(src, dec.InputOffset())))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(err, "", 0)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(errors.New("data after the end of the document"), "", 0)
	}
	return e, nil
}

func joinField(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// Check returns every inconsistency in the edition: missing fields, unknown
// references, duplicate ids, money that does not add up.
func (e *Edition) Check() Problems {
	var ps Problems
	add := func(key, field, detail string) {
		ps = append(ps, Problem{Key: key, Field: field, Detail: detail})
	}
	if e.ID == "" {
		add(KeyFileMissing, "id", "")
	}
	if e.Name.In("pl") == "" {
		add(KeyFileMissing, "name", "")
	}
	if _, err := time.LoadLocation(e.Zone); e.Zone == "" || err != nil {
		add(KeyFileInvalid, "zone", "unknown time zone "+e.Zone)
	}
	if e.Schema < 0 || e.Schema > SchemaVersion {
		add(KeyFileInvalid, "schema", fmt.Sprintf("schema %d is not known (this program reads up to %d)", e.Schema, SchemaVersion))
	}
	switch e.Admission {
	case StaffActivation, IssuedCodes, Register, SelfDeclared:
	case "":
		if e.Schema >= 2 {
			add(KeyFileMissing, "admission", "")
		}
	default:
		add(KeyFileInvalid, "admission", "unknown admission policy "+string(e.Admission))
	}
	switch e.TieRule {
	case TieCatalogOrder, TieMoreVoters, TieLowerCost, TieLottery:
	case "":
		if e.Schema >= 2 {
			add(KeyFileMissing, "tieRule", "")
		}
	default:
		add(KeyFileInvalid, "tieRule", "unknown tie rule "+string(e.TieRule))
	}
	if _, _, ok := parseVersion(e.MinKioskVersion); e.MinKioskVersion != "" && !ok {
		add(KeyFileInvalid, "minKioskVersion", "not a version of dotted numbers: "+e.MinKioskVersion)
	}
	e.checkTimeline(add)
	if e.Opens.IsZero() || !e.Closes.After(e.Opens) {
		add(KeyFileInvalid, "closes", "the voting window must close after it opens")
	}
	for kind, r := range e.Rules {
		f := "rules." + string(kind)
		switch r.Kind {
		case Points:
			if len(r.Points) == 0 {
				add(KeyFileMissing, f+".points", "")
			}
			for _, p := range r.Points {
				if p <= 0 {
					add(KeyFileInvalid, f+".points", "points must be positive")
				}
			}
		case Approval:
			if r.Min < 0 || (r.Max > 0 && r.Max < r.Min) {
				add(KeyFileInvalid, f, "min must be ≤ max")
			}
		case Knapsack:
		default:
			add(KeyFileInvalid, f+".kind", "unknown rule "+string(r.Kind))
		}
	}
	pools := map[string]bool{}
	for i, p := range e.Pools {
		f := fmt.Sprintf("pools[%d]", i)
		switch {
		case p.ID == "":
			add(KeyFileMissing, f+".id", "")
		case pools[p.ID]:
			add(KeyFileDuplicate, f+".id", p.ID)
		}
		pools[p.ID] = true
		if p.Kind != CityWide && p.Kind != District {
			add(KeyFileInvalid, f+".kind", "city or district")
		} else if _, ok := e.Rules[p.Kind]; !ok {
			add(KeyFileMissing, "rules."+string(p.Kind), "")
		}
		if p.Name.In("pl") == "" {
			add(KeyFileMissing, f+".name", "")
		}
		if p.Budget <= 0 {
			add(KeyFileInvalid, f+".budget", "budget must be positive")
		}
	}
	if len(e.Pools) == 0 {
		add(KeyFileMissing, "pools", "")
	}
	projects := map[string]bool{}
	numbers := map[string]bool{}
	for i, p := range e.Projects {
		ps = append(ps, e.checkProject(fmt.Sprintf("projects[%d]", i), p, pools, projects, numbers)...)
	}
	venues := map[string]bool{}
	for i, v := range e.Venues {
		f := fmt.Sprintf("venues[%d]", i)
		switch {
		case v.ID == "":
			add(KeyFileMissing, f+".id", "")
		case venues[v.ID]:
			add(KeyFileDuplicate, f+".id", v.ID)
		}
		venues[v.ID] = true
		if v.Name == "" {
			add(KeyFileMissing, f+".name", "")
		}
		if d := e.Pool(v.District); d == nil || d.Kind != District {
			add(KeyFileUnknown, f+".district", v.District)
		}
		for j, h := range v.Hours {
			if _, _, err := h.Span(); err != nil {
				add(KeyFileInvalid, fmt.Sprintf("%s.hours[%d]", f, j), err.Error())
			}
		}
	}
	return ps
}

// checkProject checks one project; shared by the JSON and CSV paths.
func (e *Edition) checkProject(f string, p Project, pools, ids, numbers map[string]bool) Problems {
	var ps Problems
	add := func(key, field, detail string) {
		ps = append(ps, Problem{Key: key, Field: f + "." + field, Detail: detail})
	}
	switch {
	case p.ID == "":
		add(KeyFileMissing, "id", "")
	case ids[p.ID]:
		add(KeyFileDuplicate, "id", p.ID)
	}
	ids[p.ID] = true
	if p.Number != "" && numbers[p.Number] {
		add(KeyFileDuplicate, "number", p.Number)
	}
	numbers[p.Number] = true
	if !pools[p.Pool] {
		add(KeyFileUnknown, "pool", p.Pool)
	}
	if p.Title.In("pl") == "" {
		add(KeyFileMissing, "title", "")
	}
	if pool := e.Pool(p.Pool); p.Cost <= 0 {
		add(KeyFileInvalid, "cost", "cost must be positive")
	} else if pool != nil && p.Cost > pool.Budget {
		add(KeyFileInvalid, "cost", "cost exceeds the pool's budget")
	}
	return ps
}

// Span parses the opening hours as minutes after midnight.
func (h Hours) Span() (open, close int, err error) {
	parse := func(s string) (int, error) {
		t, err := time.Parse("15:04", s)
		if err != nil {
			return 0, fmt.Errorf("hours must be HH:MM, got %q", s)
		}
		return t.Hour()*60 + t.Minute(), nil
	}
	if open, err = parse(h.Open); err != nil {
		return
	}
	if close, err = parse(h.Close); err != nil {
		return
	}
	if close <= open {
		err = fmt.Errorf("closes %s before it opens %s", h.Close, h.Open)
	}
	return
}

// OpenAt reports whether the venue is open at t (in the edition's zone).
// A venue without hours is always open.
func (v *Venue) OpenAt(t time.Time) bool {
	if len(v.Hours) == 0 {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	for _, h := range v.Hours {
		if h.Weekday != t.Weekday() {
			continue
		}
		if o, c, err := h.Span(); err == nil && m >= o && m < c {
			return true
		}
	}
	return false
}

// EncodeEdition writes e as indented JSON, the format DecodeEdition reads.
func EncodeEdition(w io.Writer, e *Edition) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(e)
}
