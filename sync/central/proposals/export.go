package proposals

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// Open is a proposal as the city's open data publishes it: no contact, no
// tracker, no staff names; the last outcome's reason.
type Open struct {
	ID        string            `json:"id"`
	Number    string            `json:"number,omitempty"`
	Pool      string            `json:"pool"`
	Category  election.Category `json:"category,omitempty"`
	Title     string            `json:"title"`
	Summary   string            `json:"summary"`
	Location  string            `json:"location,omitempty"`
	Cost      int64             `json:"cost"`
	UnitCost  int64             `json:"unitCost,omitempty"`
	Status    civic.Status      `json:"status"`
	Reason    string            `json:"reason,omitempty"`
	MergedIn  string            `json:"mergedInto,omitempty"`
	Submitted time.Time         `json:"submitted"`
}

// OpenOf is the open-data view of p.
func OpenOf(p civic.Proposal) Open {
	o := Open{ID: p.ID, Number: p.Number, Pool: p.Pool, Category: p.Category, Title: p.Title, Summary: p.Summary,
		Location: p.Location, Cost: p.Cost, UnitCost: p.UnitCost, Status: p.Status, MergedIn: p.MergedInto, Submitted: submitted(p)}
	// the reason of the outcome the status shows, not of a step since passed
	if slices.Contains([]civic.Status{civic.NeedsFix, civic.Rejected, civic.Upheld, civic.Restored, civic.Merged}, p.Status) {
		for _, ev := range p.History {
			if ev.Reason != "" && ev.Actor != "applicant" && ev.Kind != EvHeld && ev.Kind != EvReleased {
				o.Reason = ev.Reason
			}
		}
	}
	return o
}

// ExportJSON writes the records' open data as a JSON array.
func ExportJSON(w io.Writer, rs []store.ProposalRecord) error {
	out := make([]Open, 0, len(rs))
	for _, r := range rs {
		out = append(out, OpenOf(r.Proposal))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(out)
}

// CSVHeader is the export's first row.
var CSVHeader = []string{"id", "number", "pool", "category", "title", "summary", "location", "cost_pln", "unit_cost_pln", "status", "reason", "merged_into", "submitted"}

// cell keeps a typed text from being read as a formula by a spreadsheet
// that opens the export (OWASP's CSV injection): a leading = + - @ tab or
// carriage return gets an apostrophe before it.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportCSV writes the records' open data as CSV (costs in złoty with grosze).
func ExportCSV(w io.Writer, rs []store.ProposalRecord) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	pln := func(g int64) string {
		if g == 0 {
			return ""
		}
		return strconv.FormatFloat(float64(g)/100, 'f', 2, 64)
	}
	for _, r := range rs {
		o := OpenOf(r.Proposal)
		cw.Write([]string{o.ID, o.Number, o.Pool, string(o.Category), cell(o.Title), cell(o.Summary), cell(o.Location), pln(o.Cost), pln(o.UnitCost),
			string(o.Status), cell(o.Reason), o.MergedIn, o.Submitted.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
	return cw.Error()
}
