package proposals

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
)

// TestExportCSVNoFormulas: texts a resident typed never reach a spreadsheet as formulas.
func TestExportCSVNoFormulas(t *testing.T) {
	texts := []string{"=HYPERLINK(\"http://evil.test\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Ławki przy Wiśle"}
	var rs []store.ProposalRecord
	for _, s := range texts {
		rs = append(rs, store.ProposalRecord{Proposal: civic.Proposal{ID: "W-1", Pool: "d01", Title: s, Summary: s, Location: s, Status: civic.Submitted}})
	}
	var buf bytes.Buffer
	if err := ExportCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		want := "'" + s
		if i == len(texts)-1 {
			want = s
		}
		for _, col := range []int{4, 5, 6} {
			if got := rows[i+1][col]; got != want {
				t.Errorf("row %d column %s: %q, want %q", i, CSVHeader[col], got, want)
			}
		}
	}
}
