package election

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// NewCSVReader reads a spreadsheet's CSV export as city offices write them:
// a UTF-8 byte-order mark is skipped, and ';' (Polish Excel) or ',' is the
// separator, whichever the first line uses more.
func NewCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, _ := br.Peek(4096)
	first, _, _ := bytes.Cut(head, []byte("\n"))
	cr := csv.NewReader(br)
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	return cr
}
