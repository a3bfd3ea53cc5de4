package main

import (
	"fmt"
	"os"
	"strings"
)

// progress draws a bar on standard error while long work runs, only when
// it is a terminal (scripts and --json output stay clean).
type progress struct {
	label string
	total int
	on    bool
}

func newProgress(label string, total int) *progress {
	return &progress{label: label, total: max(total, 1), on: isTerminal(os.Stderr)}
}

// set shows n of total done.
func (p *progress) set(n int, note string) {
	if !p.on {
		return
	}
	const width = 30
	done := width * min(n, p.total) / p.total
	fmt.Fprintf(os.Stderr, "\r%s [%s%s] %d/%d %s\x1b[K", p.label, strings.Repeat("#", done), strings.Repeat(".", width-done), n, p.total, note)
}

// done ends the bar's line.
func (p *progress) done() {
	if p.on {
		fmt.Fprintln(os.Stderr)
	}
}
