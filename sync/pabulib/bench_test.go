package pabulib

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

// BenchmarkExport writes a pool of 1,000,000 3-2-1 ballots as a shuffled
// Pabulib file (Export, then File.Write, then fsync), next to its physical
// limit measured in the same run: writing the same number of bytes to a
// file and syncing it. The store's side (reading the ballots) is
// BenchmarkOpenData's, in cmd/urna-central.
func BenchmarkExport(b *testing.B) {
	const n = 1_000_000
	rule := election.BallotRule{Kind: election.Points, Points: []int{3, 2, 1}}
	ed := exportEdition(rule, 1000_00)
	p := &election.Profile{Budget: ed.Pools[0].Budget, Unit: 100}
	for _, pr := range ed.Projects {
		p.Projects = append(p.Projects, election.Candidate{ID: pr.ID, Cost: pr.Cost})
	}
	arena := make([]election.Mark, 0, 3*n)
	for i := range n {
		start := len(arena)
		for j := range 3 {
			arena = append(arena, election.Mark{Project: (i + j*(1+i%2)) % len(p.Projects), Points: 3 - j})
		}
		p.Votes = append(p.Votes, arena[start:len(arena):len(arena)])
	}
	alloc := election.Rule{Name: "greedy", Tie: election.TieCatalogOrder}
	res, err := p.Allocate(alloc)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	write := func(name string, fill func(w *bufio.Writer) error) time.Duration {
		start := time.Now()
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if err := fill(w); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		return time.Since(start)
	}
	var size int
	var export, floor time.Duration
	rnd := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		export += write("export.pb", func(w *bufio.Writer) error {
			f, err := Export(ed, "d16", p, res, alloc, rnd.Shuffle)
			if err != nil {
				return err
			}
			var c countingWriter
			c.w = w
			err = f.Write(&c)
			size = c.n
			return err
		})
		blob := bytes.Repeat([]byte("1;a,b,c\n"), size/8+1)[:size]
		floor += write("plain.bin", func(w *bufio.Writer) error { _, err := w.Write(blob); return err })
	}
	b.ReportMetric(float64(n), "ballots")
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(export.Seconds()/float64(b.N), "export-s")
	b.ReportMetric(floor.Seconds()/float64(b.N), "write-floor-s")
	b.ReportMetric(float64(export)/float64(floor), "ratio-to-write")
}

type countingWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}
