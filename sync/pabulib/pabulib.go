// Package pabulib reads and writes Pabulib files (pabulib.org/format), the
// research community's format for participatory-budgeting elections, so
// that real past elections can be replayed through Urna's tally and
// Urna's results shared with researchers.
package pabulib

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/urna-kiosk/urna/sync/election"
)

// File is a Pabulib file: its META fields, its projects and its votes.
type File struct {
	Meta     map[string]string
	MetaKeys []string // in file order
	Projects []Project
	Votes    []Vote
}

// Project is a row of PROJECTS.
type Project struct {
	ID       string
	Cost     int64 // in grosze (the file's currency × 100)
	Votes    int   // the file's own column, -1 when absent
	Score    int64 // the file's own column, -1 when absent
	Name     string
	Selected int // 1 funded, 0 not, 2 funded by another rule; -1 when absent
	Columns  map[string]string
}

// Vote is a row of VOTES.
type Vote struct {
	ID       string
	Projects []string
	Points   []int // the points column, when the file has one
}

// Withdrawn is the cost Pabulib gives withdrawn projects.
const Withdrawn = 999999999

// Read parses a Pabulib file: CRLF or LF, ';' with CSV quoting.
func Read(r io.Reader) (*File, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	f := &File{Meta: map[string]string{}}
	section := ""
	var header []string
	col := func(name string) int {
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), name) {
				return i
			}
		}
		return -1
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 {
			switch s := strings.TrimSpace(rec[0]); s {
			case "META", "PROJECTS", "VOTES":
				section, header = s, nil
				continue
			case "":
				continue
			}
		}
		if header == nil {
			header = rec
			continue
		}
		get := func(name string) string {
			if i := col(name); i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		switch section {
		case "META":
			if len(rec) >= 2 {
				f.Meta[rec[0]] = rec[1]
				f.MetaKeys = append(f.MetaKeys, rec[0])
			}
		case "PROJECTS":
			cost, err := money(get("cost"))
			if err != nil {
				return nil, fmt.Errorf("line %d: cost: %w", line, err)
			}
			p := Project{ID: get("project_id"), Cost: cost, Name: get("name"), Votes: -1, Score: -1, Selected: -1, Columns: map[string]string{}}
			if v := get("votes"); v != "" {
				p.Votes, _ = strconv.Atoi(v)
			}
			if v := get("score"); v != "" {
				p.Score, _ = strconv.ParseInt(v, 10, 64)
			}
			if v := get("selected"); v != "" {
				p.Selected, _ = strconv.Atoi(v)
			}
			for i, h := range header {
				if i < len(rec) {
					p.Columns[h] = rec[i]
				}
			}
			f.Projects = append(f.Projects, p)
		case "VOTES":
			v := Vote{ID: get("voter_id")}
			if s := get("vote"); s != "" {
				v.Projects = strings.Split(s, ",")
			}
			if s := get("points"); s != "" {
				for _, x := range strings.Split(s, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(x))
					if err != nil {
						return nil, fmt.Errorf("line %d: points: %w", line, err)
					}
					v.Points = append(v.Points, n)
				}
				if len(v.Points) != len(v.Projects) {
					return nil, fmt.Errorf("line %d: %d points for %d projects", line, len(v.Points), len(v.Projects))
				}
			}
			f.Votes = append(f.Votes, v)
		default:
			return nil, fmt.Errorf("line %d: data before META, PROJECTS or VOTES", line)
		}
	}
	if len(f.Projects) == 0 {
		return nil, errors.New("no PROJECTS section")
	}
	return f, nil
}

// money parses an amount of the file's currency into hundredths.
func money(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("missing")
	}
	return election.ParsePLN(s)
}

// Profile turns the file into a profile for the tally: points as the file
// says (ordinal ballots score len..1 unless a points column is given,
// approval ballots 1 each).
func (f *File) Profile() (*election.Profile, error) {
	budget, err := money(f.Meta["budget"])
	if err != nil {
		return nil, fmt.Errorf("budget: %w", err)
	}
	p := &election.Profile{Budget: budget, Unit: 100}
	index := map[string]int{}
	for i, pr := range f.Projects {
		index[pr.ID] = i
		p.Projects = append(p.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
	}
	ordinal := f.Meta["vote_type"] == "ordinal"
	for _, v := range f.Votes {
		var marks []election.Mark
		for j, id := range v.Projects {
			i, ok := index[strings.TrimSpace(id)]
			if !ok {
				return nil, fmt.Errorf("voter %s: unknown project %q", v.ID, id)
			}
			pts := 1
			switch {
			case v.Points != nil:
				pts = v.Points[j]
			case ordinal:
				pts = len(v.Projects) - j
			}
			marks = append(marks, election.Mark{Project: i, Points: pts})
		}
		p.Votes = append(p.Votes, marks)
	}
	return p, nil
}

// Rule returns the allocation rule the file names, with its threshold.
// Ties keep the file's order: Pabulib lists projects in the official
// ranking, so the file's order is how the city broke its ties.
func (f *File) Rule() (election.Rule, error) {
	r := election.Rule{Tie: election.TieCatalogOrder}
	if t := f.Meta["min_project_score_threshold"]; t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return r, fmt.Errorf("min_project_score_threshold: %w", err)
		}
		r.ScoreThreshold = n
	}
	switch name := f.Meta["rule"]; name {
	case "greedy", "greedy-exclusive", "greedy-threshold", "":
		r.Name = "greedy"
	case "greedy-no-skip":
		r.Name = "greedy-no-skip"
	case "equalshares", "equalshares/add1", "equalshares/add1-comparison":
		r.Name = "equal-shares"
		r.Completion = strings.TrimPrefix(strings.TrimPrefix(name, "equalshares"), "/")
	default:
		return r, fmt.Errorf("rule %q is not supported", name)
	}
	return r, nil
}

// Check compares the scores the file states with those computed from its
// votes, and returns the projects where they differ.
func (f *File) Check(p *election.Profile) []string {
	votes, score := p.Scores()
	var bad []string
	for i, pr := range f.Projects {
		if (pr.Votes >= 0 && pr.Votes != votes[i]) || (pr.Score >= 0 && pr.Score != score[i]) {
			bad = append(bad, fmt.Sprintf("%s: file says %d votes/%d points, ballots give %d/%d", pr.ID, pr.Votes, pr.Score, votes[i], score[i]))
		}
	}
	return bad
}

// Write writes a Pabulib file from a profile (LF line ends, ';', CSV
// quoting): META in the format's order, projects in the profile's order,
// ballots as they are. Export builds checker-valid files of a pool.
func Write(w io.Writer, meta map[string]string, p *election.Profile, names map[string]string, funded map[string]bool, voteType string) error {
	f := &File{Meta: meta}
	for k := range meta {
		f.MetaKeys = append(f.MetaKeys, k)
	}
	votes, score := p.Scores()
	for i, c := range p.Projects {
		sel := 0
		if funded[c.ID] {
			sel = 1
		}
		f.Projects = append(f.Projects, Project{ID: c.ID, Cost: c.Cost, Votes: votes[i], Score: score[i], Name: names[c.ID], Selected: sel})
	}
	for v, marks := range p.Votes {
		vote := Vote{ID: strconv.Itoa(v + 1)}
		for _, m := range marks {
			vote.Projects = append(vote.Projects, p.Projects[m.Project].ID)
			if voteType == "cumulative" {
				vote.Points = append(vote.Points, m.Points)
			}
		}
		f.Votes = append(f.Votes, vote)
	}
	return f.Write(w)
}

// metaOrder is the order of META fields that pabulib.org's checker wants.
var metaOrder = []string{"description", "country", "unit", "district", "subunit", "instance", "num_projects",
	"num_votes", "budget", "vote_type", "rule", "date_begin", "date_end", "min_length", "max_length",
	"min_sum_cost", "max_sum_cost", "min_points", "max_points", "min_sum_points", "max_sum_points",
	"default_score", "min_project_cost", "max_project_cost", "min_project_score_threshold", "neighborhoods",
	"subdistricts", "categories", "edition", "language", "currency", "fully_funded", "experimental", "comment",
	"acknowledgments"}

// Write writes the file (LF line ends, ';', CSV quoting): META in the
// format's order (fields it does not know last, in MetaKeys order), then
// PROJECTS and VOTES; a points column when any vote has points.
func (f *File) Write(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.Write([]string{"META"})
	cw.Write([]string{"key", "value"})
	rank := map[string]int{}
	for i, k := range metaOrder {
		rank[k] = i
	}
	keys := slices.Clone(f.MetaKeys)
	slices.SortStableFunc(keys, func(a, b string) int {
		ra, oka := rank[a]
		rb, okb := rank[b]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	for _, k := range slices.Compact(keys) {
		cw.Write([]string{k, f.Meta[k]})
	}
	// approval files have no score column: the checker would count
	// their points as ordinal ones
	scores := slices.ContainsFunc(f.Projects, func(p Project) bool { return p.Score >= 0 })
	cw.Write([]string{"PROJECTS"})
	if scores {
		cw.Write([]string{"project_id", "cost", "votes", "score", "name", "selected"})
	} else {
		cw.Write([]string{"project_id", "cost", "votes", "name", "selected"})
	}
	for _, p := range f.Projects {
		row := []string{p.ID, plain(p.Cost), strconv.Itoa(p.Votes)}
		if scores {
			row = append(row, strconv.FormatInt(p.Score, 10))
		}
		cw.Write(append(row, p.Name, strconv.Itoa(p.Selected)))
	}
	points := slices.ContainsFunc(f.Votes, func(v Vote) bool { return v.Points != nil })
	cw.Write([]string{"VOTES"})
	header := []string{"voter_id", "vote"}
	if points {
		header = append(header, "points")
	}
	cw.Write(header)
	var pts []string
	for _, v := range f.Votes {
		row := []string{v.ID, strings.Join(v.Projects, ",")}
		if points {
			pts = pts[:0]
			for _, n := range v.Points {
				pts = append(pts, strconv.Itoa(n))
			}
			row = append(row, strings.Join(pts, ","))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// plain writes hundredths as a decimal amount: "1656699.67", "5000".
func plain(hundredths int64) string {
	if hundredths%100 == 0 {
		return strconv.FormatInt(hundredths/100, 10)
	}
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}
