package civic

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// Stage is how far a winning project has got.
type Stage string

// Implementation stages, in order; NotFeasible ends a project with a reason.
const (
	Planned     Stage = "planned"
	InDesign    Stage = "design"
	Tendering   Stage = "tendering"
	InProgress  Stage = "in-progress"
	Done        Stage = "done"
	NotFeasible Stage = "not-feasible"
)

// Stages lists the stages in the order a project goes through them.
var Stages = []Stage{Planned, InDesign, Tendering, InProgress, Done, NotFeasible}

// stageWords are the words city offices write in their sheets, in Polish
// and English, for each stage.
var stageWords = map[string]Stage{
	"planned": Planned, "planowany": Planned, "zaplanowany": Planned,
	"design": InDesign, "projektowanie": InDesign, "w projektowaniu": InDesign,
	"tendering": Tendering, "przetarg": Tendering, "w przetargu": Tendering,
	"in-progress": InProgress, "in progress": InProgress, "w realizacji": InProgress, "realizacja": InProgress,
	"done": Done, "zrealizowany": Done, "zakończony": Done, "wykonany": Done,
	"not-feasible": NotFeasible, "not feasible": NotFeasible, "niewykonalny": NotFeasible, "nie do realizacji": NotFeasible,
}

// Milestone is one dated step of a project's implementation.
type Milestone struct {
	Date  time.Time `json:"date"`
	Stage Stage     `json:"stage"`
	Note  string    `json:"note,omitempty"`
	Photo string    `json:"photo,omitempty"` // an address of a photo on the city's site
}

// Implementation follows one winning project until it is built.
type Implementation struct {
	Project    string      `json:"project"` // the project's id (its proposal's id)
	Number     string      `json:"number"`
	Pool       string      `json:"pool"`
	Unit       string      `json:"unit"` // the responsible city unit
	Stage      Stage       `json:"stage"`
	Reason     string      `json:"reason,omitempty"` // why it is not feasible
	Milestones []Milestone `json:"milestones"`
}

// Record adds a milestone and moves the project to its stage; a project
// that is done or not feasible stays so, and not feasible needs a reason.
func (im *Implementation) Record(m Milestone) error {
	if !slices.Contains(Stages, m.Stage) {
		return election.Problem{Key: KeyStage, Detail: string(m.Stage)}
	}
	if im.Stage == Done || im.Stage == NotFeasible {
		return election.Problem{Key: KeyStageFinal, Detail: string(im.Stage)}
	}
	if m.Stage == NotFeasible && strings.TrimSpace(m.Note) == "" {
		return election.Problem{Key: KeyReason}
	}
	if m.Stage == NotFeasible {
		im.Reason = m.Note
	}
	im.Stage = m.Stage
	im.Milestones = append(im.Milestones, m)
	return nil
}

// Problem keys of implementation records.
const (
	KeyStage      = "implementation.stage"   // not a stage
	KeyStageFinal = "implementation.final"   // done or not feasible already
	KeyProject    = "implementation.project" // no winning project with that number
	KeyDate       = "implementation.date"    // not a date
	KeyColumns    = "implementation.columns" // a required column is missing
)

// ImplementationColumns are the columns ImportImplementation reads; number,
// stage and date are required.
var ImplementationColumns = []string{"number", "unit", "stage", "date", "note", "photo"}

// ImportImplementation reads a city office's tracking sheet (CSV; one row
// per milestone, in date order) and applies it to the records of the
// winning projects, matched by project number. Nothing is applied unless
// every row is right; every problem names its line.
func ImportImplementation(r io.Reader, loc *time.Location, records map[string]*Implementation) error {
	cr := election.NewCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return election.Problems{{Key: KeyColumns, Line: 1, Detail: "empty file"}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var ps election.Problems
	for _, name := range []string{"number", "stage", "date"} {
		if _, ok := col[name]; !ok {
			ps = append(ps, election.Problem{Key: KeyColumns, Line: 1, Field: name})
		}
	}
	if len(ps) > 0 {
		return ps
	}
	byNumber := map[string]*Implementation{}
	work := map[string]*Implementation{}
	for id, im := range records {
		c := *im
		c.Milestones = slices.Clone(im.Milestones)
		work[id] = &c
		byNumber[strings.ToUpper(im.Number)] = &c
	}
	field := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(ps, election.Problem{Key: KeyColumns, Line: line, Detail: err.Error()})
		}
		im := byNumber[strings.ToUpper(field(row, "number"))]
		if im == nil {
			ps = append(ps, election.Problem{Key: KeyProject, Line: line, Field: "number", Detail: field(row, "number")})
			continue
		}
		stage, ok := stageWords[strings.ToLower(field(row, "stage"))]
		if !ok {
			ps = append(ps, election.Problem{Key: KeyStage, Line: line, Field: "stage", Detail: field(row, "stage")})
			continue
		}
		date, err := parseDate(field(row, "date"), loc)
		if err != nil {
			ps = append(ps, election.Problem{Key: KeyDate, Line: line, Field: "date", Detail: field(row, "date")})
			continue
		}
		if u := field(row, "unit"); u != "" {
			im.Unit = u
		}
		if err := im.Record(Milestone{Date: date, Stage: stage, Note: field(row, "note"), Photo: field(row, "photo")}); err != nil {
			var p election.Problem
			errors.As(err, &p)
			p.Line = line
			ps = append(ps, p)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	for id, im := range work {
		*records[id] = *im
	}
	return nil
}

// parseDate reads the dates spreadsheets write: 2025-09-30, 30.09.2025, 30/09/2025.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.DateOnly, "02.01.2006", "2.1.2006", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

// Winners starts an implementation record for each funded project.
func Winners(e *election.Edition, funded []string) map[string]*Implementation {
	out := map[string]*Implementation{}
	for _, id := range funded {
		if p := e.Project(id); p != nil {
			out[id] = &Implementation{Project: id, Number: p.Number, Pool: p.Pool, Stage: Planned}
		}
	}
	return out
}
