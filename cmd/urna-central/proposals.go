package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/staff"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// draftEdition reads the data folder's draft edition, again only when the
// file changed; without a draft, the latest published catalog's edition.
type draftEdition struct {
	dir string
	st  store.Store
	// demo is the phase a demo central shows today (proposals.DemoPhase), or "".
	demo election.PhaseKind
	// published is the held edition whose proposals are handled without a
	// draft (the server's EditionFor check-status); nil: the latest catalog's.
	published func(context.Context) (*election.Edition, error)

	mu    sync.Mutex
	mtime time.Time
	ed    *election.Edition
}

func (d *draftEdition) get(ctx context.Context) (*election.Edition, error) {
	path := filepath.Join(d.dir, central.FileDraft)
	fi, err := os.Stat(path)
	if err != nil {
		ed, err := d.latest(ctx)
		if err == nil && d.demo != "" {
			proposals.DemoPhase(ed, d.demo, time.Now())
		}
		return ed, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ed != nil && fi.ModTime().Equal(d.mtime) {
		return d.ed, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ed, err := election.DecodeEdition(bytes.NewReader(raw))
	if err != nil {
		// A draft that fails its checks must not take the pages down: keep
		// the last good one, else the published catalog's edition.
		slog.Warn("proposal-draft-invalid", "file", central.FileDraft, "err", err.Error())
		if d.ed != nil {
			return d.ed, nil
		}
		c, cerr := d.st.Catalog(ctx)
		if cerr != nil {
			return nil, err
		}
		return election.DecodeEdition(bytes.NewReader(c.Edition))
	}
	if d.demo != "" {
		proposals.DemoPhase(ed, d.demo, time.Now())
	}
	d.ed, d.mtime = ed, fi.ModTime()
	return ed, nil
}

// latest is the published edition the desk follows without a draft.
func (d *draftEdition) latest(ctx context.Context) (*election.Edition, error) {
	if d.published != nil {
		ed, err := d.published(ctx)
		if err != nil {
			return nil, err
		}
		// a copy: the demo moves its timeline, and the server's is shared
		c := *ed
		c.Phases = slices.Clone(ed.Phases)
		return &c, nil
	}
	c, err := d.st.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return election.DecodeEdition(bytes.NewReader(c.Edition))
}

// save writes the draft edition atomically and durably.
func (d *draftEdition) save(ed *election.Edition) error {
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, ed); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, ".edition-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(d.dir, central.FileDraft)); err != nil {
		return err
	}
	dir, err := os.Open(d.dir)
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// openDesk is the proposals desk over st and the data folder's draft edition.
// published, when not nil, picks the held edition without a draft.
func openDesk(dataDir string, st store.Store, log *slog.Logger, demo election.PhaseKind, published func(context.Context) (*election.Edition, error)) (*proposals.Desk, error) {
	ps, ok := st.(store.Proposals)
	if !ok {
		return nil, errors.New("this store does not keep proposals")
	}
	sealer, err := contact.LoadOrCreate(dataDir)
	if err != nil {
		return nil, err
	}
	d := &draftEdition{dir: dataDir, st: st, demo: demo, published: published}
	return proposals.New(proposals.Config{Store: ps, Edition: d.get, Sealer: sealer, SaveDraft: d.save, Log: log}), nil
}

// sweepContacts forgets the contacts of an edition that has ended, now
// and then every period, until ctx ends.
func sweepContacts(ctx context.Context, desk *proposals.Desk, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		desk.Sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// withProposals serves the proposal pages (public and staff) beside the web's;
// staff roles come from rolesFile (every role for everyone without it).
func withProposals(web *central.Web, desk *proposals.Desk, edition func(context.Context) (*election.Edition, error), rolesFile string, handoffs *proposals.Handoffs) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", web.Handler())
	msgs := assets.MustMessages()
	(&public.Planner{Edition: edition, Msgs: msgs}).Routes(mux)
	pp := &public.Proposals{Desk: desk, Msgs: msgs}
	pp.Routes(mux)
	(&public.Resume{Proposals: pp, Handoffs: handoffs}).Routes(mux) // drafts handed over at a kiosk
	(&staff.Pages{Desk: desk, Msgs: msgs, Auth: web.Auth, RolesFile: rolesFile}).Routes(mux)
	return mux
}

func cmdProposals(args []string) error {
	usage := cli.Usage("urna-central proposals list | build | export --format csv|json | results --pool POOL --out FILE.pdf | forget-contacts")
	if len(args) == 0 {
		return usage
	}
	var c common
	fs := flag.NewFlagSet("proposals", flag.ContinueOnError)
	c.add(fs)
	format := fs.String("format", "csv", "export: csv or json")
	actor := fs.String("actor", "cli", "build: who builds the ballot, for the audit log")
	pool := fs.String("pool", "", "results: the district (pool id) whose verification results to print")
	lang := fs.String("lang", "pl", "results: pl, en or uk")
	out := fs.String("out", "", "results: the PDF file to write")
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	desk, err := openDesk(c.data, st, slog.New(slog.NewTextHandler(os.Stderr, nil)), "", nil)
	if err != nil {
		return err
	}
	msgs := assets.MustMessages()
	say := func(err error) error {
		var p election.Problem
		if errors.As(err, &p) {
			return errors.New(msgs.T("en", p.Key, "min", p.Detail, "max", p.Detail, "date", p.Detail))
		}
		return err
	}
	switch args[0] {
	case "list":
		rs, err := desk.List(ctx, proposals.Filter{})
		if err != nil {
			return say(err)
		}
		for _, r := range rs {
			p := r.Proposal
			fmt.Printf("%s\t%s\t%s\t%s\t%s\n", p.ID, p.Pool, p.Status, election.FormatPLN(p.BallotCost()), p.Title)
		}
		return nil
	case "build":
		ed, err := desk.Build(ctx, *actor)
		if err != nil {
			return say(err)
		}
		fmt.Printf("draft edition %s: %d projects from proposals; publish it with urna-central catalog publish\n", ed.ID, len(ed.Projects))
		return nil
	case "export":
		rs, err := desk.List(ctx, proposals.Filter{})
		if err != nil {
			return say(err)
		}
		if *format == "json" {
			return proposals.ExportJSON(os.Stdout, rs)
		}
		return proposals.ExportCSV(os.Stdout, rs)
	case "results":
		if *pool == "" || *out == "" {
			return usage
		}
		ed, err := desk.Edition(ctx)
		if err != nil {
			return say(err)
		}
		if ed.Pool(*pool) == nil {
			return say(election.Problem{Key: civic.KeyPool, Detail: *pool})
		}
		rs, err := desk.List(ctx, proposals.Filter{Pool: *pool})
		if err != nil {
			return say(err)
		}
		doc, err := public.VerificationPDF(ed, msgs, *lang, *pool, rs, time.Now())
		if err != nil {
			return err
		}
		return atomicfile.Write(*out, doc, 0o644)
	case "forget-contacts":
		n, err := desk.Sweep(ctx)
		fmt.Println("contacts forgotten:", n)
		return say(err)
	}
	return usage
}
