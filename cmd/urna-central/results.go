package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/pabulib"
	"github.com/urna-kiosk/urna/sync/wire"
)

// replayed is what replay prints: the winners in allocation order and each
// project's recomputed result, money in the file's currency.
type replayed struct {
	Rule        string           `json:"rule"`
	TieRule     election.TieRule `json:"tieRule"`
	Seed        string           `json:"seed,omitempty"`
	Winners     []string         `json:"winners"`
	Left        float64          `json:"left"`
	Projects    []replayProject  `json:"projects"`
	Ties        []replayTie      `json:"ties,omitempty"` // ties that decided a winner
	ScoreChecks []string         `json:"scoreMismatches,omitempty"`
}

// replayTie is a tie that decided a winner: the tied projects in the
// order the rule gave them, and the money left when the tie was reached.
type replayTie struct {
	By       election.TieRule `json:"by"`
	Projects []replayProject  `json:"projects"`
	Left     float64          `json:"left"`
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
	tie := fs.String("tie", "catalog-order", "break ties by catalog-order (the file's order: Pabulib's ranking), more-voters, lower-cost or lottery")
	seed := fs.String("seed", "", "the tie lottery's seed (implies --tie lottery)")
	format := fs.String("format", "json", "json or csv")
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return cli.Usage("urna-central replay FILE.pb [--rule greedy|equal-shares] [--tie catalog-order|more-voters|lower-cost|lottery] [--seed S] [--format json|csv]")
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
	r.Tie, r.Seed = election.TieRule(*tie), *seed
	if *seed != "" {
		r.Tie = election.TieLottery
	}
	switch r.Tie {
	case election.TieCatalogOrder, election.TieMoreVoters, election.TieLowerCost, election.TieLottery:
	default:
		return fmt.Errorf("--tie %q: catalog-order, more-voters, lower-cost or lottery", *tie)
	}
	res, err := p.Allocate(r)
	if err != nil {
		return err
	}
	out := replayed{Rule: res.Rule, TieRule: res.TieRule, Seed: res.Seed, Winners: res.Winners, Left: float64(res.Left) / 100, ScoreChecks: pb.Check(p)}
	for _, t := range res.Ties {
		rt := replayTie{By: t.By, Left: float64(t.Left) / 100}
		for _, s := range t.Projects {
			rt.Projects = append(rt.Projects, replayProject{ID: s.ID, Votes: s.Votes, Score: s.Score, Cost: float64(s.Cost) / 100, Funded: s.Funded})
		}
		out.Ties = append(out.Ties, rt)
	}
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
		cw.Write([]string{"id", "votes", "score", "cost", "funded", "tie"})
		tied := map[string]string{}
		for n, t := range out.Ties {
			for _, p := range t.Projects {
				tied[p.ID] = fmt.Sprintf("%d:%s", n+1, t.By)
			}
		}
		for _, p := range out.Projects {
			cw.Write([]string{p.ID, strconv.Itoa(p.Votes), strconv.FormatInt(p.Score, 10), strconv.FormatFloat(p.Cost, 'f', -1, 64), strconv.FormatBool(p.Funded), tied[p.ID]})
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
	format := fs.String("format", "json", "json, csv, pdf, pabulib (one pool: --pool) or open-data (a folder: --out)")
	poolID := fs.String("pool", "", "the pool to export as a Pabulib file")
	lang := fs.String("lang", "pl", "language of titles: pl, en, uk")
	seed := fs.String("seed", "", "the tie lottery's public seed, for an edition whose tieRule is lottery (recorded in the results)")
	out := fs.String("out", "", "write here instead of standard output (needed for pdf; the folder for open-data)")
	sign := fs.Bool("sign", false, "write the results as a document signed with the edition key (verify it with verify-results)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *sign {
		err := signResults(&c, *seed, *out, *lang)
		if text := central.ResultsErrorText(assets.MustMessages(), *lang, err); text != "" {
			return errors.New(text)
		}
		return err
	}
	err := results(&c, *format, *poolID, *lang, *seed, *out)
	if text := central.ResultsErrorText(assets.MustMessages(), *lang, err); text != "" {
		return errors.New(text)
	}
	if errors.Is(err, errTrackersWithChoices) {
		return errors.New(assets.MustMessages().T(*lang, "results.trackers_with_choices"))
	}
	return err
}

func results(c *common, format, poolID, lang, seed, out string) error {
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch format {
	case "pabulib":
		return exportPabulib(ctx, st, seed, poolID, out)
	case "open-data":
		if out == "" {
			return errors.New("--out DIR is needed for open-data")
		}
		return exportOpenData(ctx, st, seed, out)
	}
	ed, rs, audit, err := central.AuditedResults(ctx, st, seed, time.Now())
	if err != nil {
		return err
	}
	m := assets.MustMessages()
	if audit.Agrees {
		fmt.Fprintln(os.Stderr, m.T(lang, "results.verified", "n", audit.Verified))
	} else {
		// the results are still written, marked unverified, with the differences
		if audit.Verdict == "audit.incomplete" { // the recount agrees: say what failed
			fmt.Fprintln(os.Stderr, m.T(lang, "audit.incomplete"))
		} else {
			fmt.Fprintln(os.Stderr, m.T(lang, "results.unverified", "n", len(audit.Differences)+audit.Mismatched))
		}
		central.WriteAudit(os.Stderr, audit, "text", lang)
	}
	w := io.Writer(os.Stdout)
	if out != "" {
		return writeAtomic(out, func(w io.Writer) error { return central.WriteResults(w, ed, rs, format, lang, time.Now()) })
	} else if format == "pdf" {
		return errors.New("--out FILE is needed for pdf")
	}
	return central.WriteAuditedResults(w, ed, rs, audit, format, lang, time.Now())
}

// pabulibFiles tallies the counted ballots and builds each pool's Pabulib
// file (all pools when poolID is ""), ballots shuffled.
func pabulibFiles(ctx context.Context, st store.Store, seed, poolID string) (*election.Edition, map[string]*pabulib.File, error) {
	ed, profiles, err := central.Profiles(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	if poolID != "" && ed.Pool(poolID) == nil {
		return nil, nil, fmt.Errorf("--pool %q: not a pool of %s", poolID, ed.ID)
	}
	rule, err := central.TallyRule(ed, seed)
	if err != nil {
		return nil, nil, err
	}
	files := map[string]*pabulib.File{}
	for _, pool := range ed.Pools {
		if poolID != "" && pool.ID != poolID {
			continue
		}
		res, err := profiles[pool.ID].Allocate(rule)
		if err != nil {
			return nil, nil, fmt.Errorf("pool %s: %w", pool.ID, err)
		}
		if files[pool.ID], err = pabulib.Export(ed, pool.ID, profiles[pool.ID], res, rule, rand.Shuffle); err != nil {
			return nil, nil, err
		}
	}
	return ed, files, nil
}

// exportPabulib writes one pool's counted ballots and outcome as a Pabulib
// file, so researchers can replay Urna's results.
func exportPabulib(ctx context.Context, st store.Store, seed, poolID, out string) error {
	if poolID == "" {
		return errors.New("--pool POOL is needed for pabulib")
	}
	_, files, err := pabulibFiles(ctx, st, seed, poolID)
	if err != nil {
		return err
	}
	if out == "" {
		return files[poolID].Write(os.Stdout)
	}
	return writeAtomic(out, files[poolID].Write)
}

// errTrackersWithChoices: the edition printed choices on receipts and does
// not say it publishes its trackers.
var errTrackersWithChoices = errors.New("the edition prints choices on receipts: its counted trackers cannot be published")

// exportOpenData writes the edition's open data into dir: one Pabulib file
// per pool (EDITION_POOL.pb: anonymised ballots in an order that says
// nothing) and EDITION_trackers.txt, the trackers of the counted ballots
// sorted, without choices, so a resident can find theirs counted.
func exportOpenData(ctx context.Context, st store.Store, seed, dir string) error {
	ed, files, err := pabulibFiles(ctx, st, seed, "")
	if err != nil {
		return err
	}
	if ed.ShowChoices && !ed.PublishTrackers {
		// its receipts carry choices beside the tracker: a list of counted
		// trackers would let anyone holding a receipt prove a vote
		return errTrackersWithChoices
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, pool := range ed.Pools {
		if err := writeAtomic(filepath.Join(dir, ed.ID+"_"+pool.ID+".pb"), files[pool.ID].Write); err != nil {
			return err
		}
	}
	var trackers []string
	err = st.Ballots(ctx, func(b store.Stored) error {
		if b.Counted && b.Ballot.Edition == ed.ID {
			trackers = append(trackers, wire.TrackerOf(b.Ballot.ID))
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(trackers)
	return writeAtomic(filepath.Join(dir, ed.ID+"_trackers.txt"), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for _, t := range trackers {
			bw.WriteString(t + "\n")
		}
		return bw.Flush()
	})
}

// writeAtomic writes path through internal/atomicfile, so that a power cut
// leaves the old file or the new one.
func writeAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.WriteWith(path, 0o644, write)
}
