package election

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input. Key is a translation key that
// screens show in the resident's language; Line and Field locate it in a
// file for the city office; Detail is English for technicians and logs.
type Problem struct {
	Key     string `json:"key"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Pool    string `json:"pool,omitempty"`
	Project string `json:"project,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "%s: ", p.Field)
	}
	b.WriteString(p.Key)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	return b.String()
}

// Problems is every problem found in one input; it is an error when not empty.
type Problems []Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

// Keys returns the translation keys, in order, for tests and summaries.
func (ps Problems) Keys() []string {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.Key
	}
	return keys
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
