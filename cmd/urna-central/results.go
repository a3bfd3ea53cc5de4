package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/pabulib"
)

// replayed is what replay prints: the winners in allocation order and each
// project's recomputed result, money in the file's currency.
type replayed struct {
	Rule        string          `json:"rule"`
	Seed        string          `json:"seed,omitempty"`
	Winners     []string        `json:"winners"`
	Projects    []replayProject `json:"projects"`
	ScoreChecks []string        `json:"scoreMismatches,omitempty"`
}

type replayProject struct {
	ID     string  `json:"id"`
	Votes  int     `json:"votes"`
	Score  int64   `json:"score"`
	Cost   float64 `json:"cost"`
	Funded bool    `json:"funded"`
}

func cmdReplay(args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	rule := fs.String("rule", "", "greedy or equal-shares (default: the file's rule)")
	seed := fs.String("seed", "", "break ties by a lottery with this seed (default: the file's project order)")
	format := fs.String("format", "json", "json or csv")
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: urna-central replay FILE.pb [--rule greedy|equal-shares] [--seed S] [--format json|csv]")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	pb, err := pabulib.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	p, err := pb.Profile()
	if err != nil {
		return err
	}
	r, err := pb.Rule()
	if *rule != "" {
		r, err = election.Rule{Name: *rule, ScoreThreshold: r.ScoreThreshold}, nil
		if *rule == "equal-shares" {
			r.Completion = "add1"
		}
	}
	if err != nil {
		return err
	}
	r.Seed = *seed
	res, err := p.Allocate(r)
	if err != nil {
		return err
	}
	out := replayed{Rule: res.Rule, Seed: res.Seed, Winners: res.Winners, ScoreChecks: pb.Check(p)}
	funded := map[string]bool{}
	for _, w := range res.Winners {
		funded[w] = true
	}
	votes, score := p.Scores()
	for i, c := range p.Projects {
		out.Projects = append(out.Projects, replayProject{ID: c.ID, Votes: votes[i], Score: score[i], Cost: float64(c.Cost) / 100, Funded: funded[c.ID]})
	}
	return writeReplay(os.Stdout, out, *format)
}

func writeReplay(w io.Writer, out replayed, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "votes", "score", "cost", "funded"})
		for _, p := range out.Projects {
			cw.Write([]string{p.ID, strconv.Itoa(p.Votes), strconv.FormatInt(p.Score, 10), strconv.FormatFloat(p.Cost, 'f', -1, 64), strconv.FormatBool(p.Funded)})
		}
		cw.Flush()
		return cw.Error()
	}
	return fmt.Errorf("format %q: json or csv", format)
}

func cmdResults(args []string) error {
	var c common
	fs := flag.NewFlagSet("results", flag.ContinueOnError)
	c.add(fs)
	format := fs.String("format", "json", "json, csv, pdf, or pabulib (one pool: --pool)")
	poolID := fs.String("pool", "", "the pool to export as a Pabulib file")
	lang := fs.String("lang", "pl", "language of titles: pl, en, uk")
	seed := fs.String("seed", "", "break ties by a lottery with this seed (recorded in the results)")
	out := fs.String("out", "", "write here instead of standard output (needed for pdf)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ed, rs, audit, err := central.AuditedResults(ctx, st, *seed, time.Now())
	if err != nil {
		return err
	}
	m := assets.MustMessages()
	if audit.Agrees {
		fmt.Fprintln(os.Stderr, m.T(*lang, "results.verified", "n", audit.Verified))
	} else {
		// the results are still written, marked unverified, with the differences
		fmt.Fprintln(os.Stderr, m.T(*lang, "results.unverified", "n", len(audit.Differences)+audit.Mismatched))
		central.WriteAudit(os.Stderr, audit, "text", *lang)
	}
	w := io.Writer(os.Stdout)
	if *format == "pabulib" {
		return exportPabulib(ctx, st, ed, rs, *poolID, *out)
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	} else if *format == "pdf" {
		return errors.New("--out FILE is needed for pdf")
	}
	return central.WriteAuditedResults(w, ed, rs, audit, *format, *lang, time.Now())
}

// exportPabulib writes one pool's counted ballots and outcome as a Pabulib
// file, so researchers can replay Urna's results.
func exportPabulib(ctx context.Context, st store.Store, ed *election.Edition, rs []central.PoolResult, poolID, out string) error {
	pool := ed.Pool(poolID)
	if pool == nil {
		return fmt.Errorf("--pool %q: not a pool of %s", poolID, ed.ID)
	}
	_, profiles, err := central.Profiles(ctx, st)
	if err != nil {
		return err
	}
	funded, names := map[string]bool{}, map[string]string{}
	for _, r := range rs {
		if r.Pool == poolID {
			for _, w := range r.Result.Winners {
				funded[w] = true
			}
		}
	}
	for _, p := range ed.ProjectsIn(poolID) {
		names[p.ID] = p.Title.In("pl")
	}
	rule, voteType := ed.Rules[pool.Kind], "approval"
	if rule.Kind == election.Points {
		voteType = "cumulative"
	}
	meta := map[string]string{"description": ed.Name.In("pl") + " – " + pool.Name.In("pl"), "country": "Poland",
		"unit": ed.ID, "subunit": pool.Name.In("pl"), "budget": strconv.FormatFloat(float64(pool.Budget)/100, 'f', -1, 64),
		"vote_type": voteType, "rule": ed.Allocation.Rule, "num_projects": strconv.Itoa(len(names)),
		"num_votes": strconv.Itoa(len(profiles[poolID].Votes)), "currency": "PLN", "language": "pl"}
	w := io.Writer(os.Stdout)
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return pabulib.Write(w, meta, profiles[poolID], names, funded, voteType)
}
