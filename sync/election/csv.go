package election

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ProjectColumns are the CSV header names ImportProjects understands; id,
// pool, title_pl and cost are required. City offices keep projects in
// spreadsheets, so ';' (Polish Excel) and ',' both work, and cost may be
// written "1 234 567,89" or "1234567.89" (złoty).
var ProjectColumns = []string{"id", "number", "pool", "title_pl", "title_en", "title_uk",
	"summary_pl", "summary_en", "summary_uk", "cost", "category", "location",
	"location_pl", "location_en", "location_uk"}

var requiredColumns = []string{"id", "pool", "title_pl", "cost"}

// ImportProjects reads projects from CSV and checks them against e's pools.
// Every problem names its line and column; no project is returned unless
// all are right.
func ImportProjects(r io.Reader, e *Edition) ([]Project, error) {
	cr := NewCSVReader(r)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Problems{{Key: KeyFileMissing, Line: 1, Detail: "empty file"}}
	}
	if err != nil {
		return nil, csvProblem(err)
	}
	col := map[string]int{}
	var ps Problems
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if !contains(ProjectColumns, name) {
			ps = append(ps, Problem{Key: KeyFileField, Line: 1, Field: h})
			continue
		}
		if _, dup := col[name]; dup {
			ps = append(ps, Problem{Key: KeyFileDuplicate, Line: 1, Field: h})
		}
		col[name] = i
	}
	for _, name := range requiredColumns {
		if _, ok := col[name]; !ok {
			ps = append(ps, Problem{Key: KeyFileMissing, Line: 1, Field: name})
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	pools := map[string]bool{}
	for _, p := range e.Pools {
		pools[p.ID] = true
	}
	ids, numbers := map[string]bool{}, map[string]bool{}
	for _, p := range e.Projects {
		ids[p.ID], numbers[p.Number] = true, true
	}
	var out []Project
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, append(ps, csvProblem(err)...)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			ps = append(ps, Problem{Key: KeyFileInvalid, Line: line, Detail: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		p := Project{ID: get("id"), Number: get("number"), Pool: get("pool"),
			Category: Category(get("category")), Location: Text{},
			Title: Text{}, Summary: Text{}}
		if s := get("location"); s != "" {
			p.Location["pl"] = s
		}
		for _, l := range Languages {
			if s := get("title_" + l); s != "" {
				p.Title[l] = s
			}
			if s := get("summary_" + l); s != "" {
				p.Summary[l] = s
			}
			if s := get("location_" + l); s != "" {
				p.Location[l] = s
			}
		}
		cost, err := ParsePLN(get("cost"))
		if err != nil {
			ps = append(ps, Problem{Key: KeyFileType, Line: line, Field: "cost", Detail: err.Error()})
			continue
		}
		p.Cost = cost
		for _, q := range e.checkProject("", p, pools, ids, numbers) {
			q.Line, q.Field = line, strings.TrimPrefix(q.Field, ".")
			ps = append(ps, q)
		}
		out = append(out, p)
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

func csvProblem(err error) Problems {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Problems{{Key: KeyFileSyntax, Line: pe.Line, Detail: pe.Err.Error()}}
	}
	return Problems{{Key: KeyFileSyntax, Detail: err.Error()}}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParsePLN parses an amount of złoty as written in Polish or English
// spreadsheets ("1 234 567,89", "1234567.89", "1 234 567 zł") into grosze.
func ParsePLN(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(strings.TrimSuffix(t, "zł"), "PLN")
	t = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "_", "").Replace(t)
	if t == "" {
		return 0, fmt.Errorf("no amount")
	}
	// A comma is the decimal separator when it is followed by 1 or 2 digits at the end.
	if i := strings.LastIndexByte(t, ','); i >= 0 && len(t)-i <= 3 && !strings.Contains(t, ".") {
		t = t[:i] + "." + t[i+1:]
	}
	t = strings.ReplaceAll(t, ",", "")
	whole, frac, _ := strings.Cut(t, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q: more than two decimal places", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	zl, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || zl < 0 || zl > 1e15 {
		return 0, fmt.Errorf("%q is not an amount of złoty", s)
	}
	gr, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || gr < 0 {
		return 0, fmt.Errorf("%q is not an amount of złoty", s)
	}
	return zl*100 + gr, nil
}

// FormatPLN writes grosze as złoty the Polish way: "1 234 567,89 zł", and
// without the grosze when they are zero.
func FormatPLN(grosze int64) string {
	neg := grosze < 0
	if neg {
		grosze = -grosze
	}
	digits := strconv.FormatInt(grosze/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(d)
	}
	if gr := grosze % 100; gr != 0 {
		fmt.Fprintf(&b, ",%02d", gr)
	}
	b.WriteString("\u00a0zł")
	return b.String()
}
