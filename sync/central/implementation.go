package central

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Implementation returns the implementation records of the latest
// edition's winning projects: the kept ones, and a planned record for
// each winner that has none yet. The winners are those of the kept signed
// final results, or of the tally while there are none.
func Implementation(ctx context.Context, st store.Store) (*election.Edition, map[string]*civic.Implementation, error) {
	ed, err := latestEdition(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	var funded []string
	kept, err := KeptResults(ctx, st)
	switch {
	case err == nil:
		for _, p := range kept.Pools {
			funded = append(funded, p.Result.Winners...)
		}
	case errors.Is(err, store.ErrNotFound):
		_, rs, err := Results(ctx, st, "")
		if err != nil {
			return nil, nil, err
		}
		for _, p := range rs {
			funded = append(funded, p.Result.Winners...)
		}
	default:
		return nil, nil, err
	}
	recs := civic.Winners(ed, funded)
	all, err := st.ImplementationRecords(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range all {
		if r.Edition == ed.ID && recs[r.Record.Project] != nil {
			im := r.Record
			recs[r.Record.Project] = &im
		}
	}
	return ed, recs, nil
}

// saveImplementation keeps the records with the titles and costs that
// pages show, so that a later edition can show them without this catalog.
func saveImplementation(ctx context.Context, st store.Store, ed *election.Edition, recs map[string]*civic.Implementation) error {
	var rs []store.ImplementationRecord
	for _, im := range recs {
		r := store.ImplementationRecord{Edition: ed.ID, EditionName: ed.Name, Record: *im}
		if p := ed.Project(im.Project); p != nil {
			r.Title, r.Cost = p.Title, p.Cost
		}
		rs = append(rs, r)
	}
	return st.PutImplementations(ctx, rs)
}

// RecordMilestone records a milestone of a winning project (by id), and
// its responsible unit when unit is given. Errors staff can act on are
// election.Problem with a translation key; civic.KeyProject when the
// project is not a winner.
func RecordMilestone(ctx context.Context, st store.Store, project, unit string, m civic.Milestone, by string, log *slog.Logger) error {
	ed, recs, err := Implementation(ctx, st)
	if err != nil {
		return err
	}
	im := recs[project]
	if im == nil {
		return election.Problem{Key: civic.KeyProject, Detail: project}
	}
	if unit != "" {
		im.Unit = unit
	}
	if err := im.Record(m); err != nil {
		return err
	}
	if err := saveImplementation(ctx, st, ed, map[string]*civic.Implementation{project: im}); err != nil {
		return err
	}
	log.Info("implementation-recorded", "project", im.Number, "stage", m.Stage, "by", by)
	return nil
}

// ImportImplementation applies a city office's tracking sheet (CSV, see
// civic.ImportImplementation) to the winning projects' records: all of it,
// or nothing with every problem and its line.
func ImportImplementation(ctx context.Context, st store.Store, r io.Reader, by string, log *slog.Logger) (int, error) {
	ed, recs, err := Implementation(ctx, st)
	if err != nil {
		return 0, err
	}
	before := map[string]int{}
	for id, im := range recs {
		before[id] = len(im.Milestones)
	}
	if err := civic.ImportImplementation(io.LimitReader(r, 8<<20), ed.Location(), recs); err != nil {
		log.Info("implementation-import-refused", "by", by)
		return 0, err
	}
	changed := map[string]*civic.Implementation{}
	rows := 0
	for id, im := range recs {
		if n := len(im.Milestones) - before[id]; n > 0 {
			changed[id] = im
			rows += n
		}
	}
	if err := saveImplementation(ctx, st, ed, changed); err != nil {
		return 0, err
	}
	log.Info("implementation-imported", "milestones", rows, "projects", len(changed), "by", by)
	return rows, nil
}

// BuiltProjects feeds the public implementation pages: the records of
// earlier editions kept in the store, and the current edition's winning
// projects (planned until a milestone is recorded).
func BuiltProjects(st store.Store) func(context.Context) (public.Built, error) {
	return func(ctx context.Context) (public.Built, error) {
		ed, recs, err := Implementation(ctx, st)
		if err != nil {
			return public.Built{}, err
		}
		all, err := st.ImplementationRecords(ctx)
		if err != nil {
			return public.Built{}, err
		}
		out := public.Built{Edition: ed}
		for _, r := range all {
			if r.Edition != ed.ID {
				out.Projects = append(out.Projects, public.BuiltProject{Edition: r.Edition, EditionName: r.EditionName, Title: r.Title, Cost: r.Cost, Record: r.Record})
			}
		}
		for _, im := range recs {
			bp := public.BuiltProject{Edition: ed.ID, EditionName: ed.Name, Record: *im}
			if p := ed.Project(im.Project); p != nil {
				bp.Title, bp.Cost = p.Title, p.Cost
			}
			out.Projects = append(out.Projects, bp)
		}
		return out, nil
	}
}

// SignBuilt signs what the winning projects of every edition the store
// holds became, with the edition key, for the kiosks' promotion phase
// (wire.SignedBuilt, checked as the catalog is).
func SignBuilt(ctx context.Context, st store.Store, key ed25519.PrivateKey, now time.Time) (wire.SignedBuilt, error) {
	b, err := BuiltProjects(st)(ctx)
	if err != nil {
		return wire.SignedBuilt{}, err
	}
	var out []wire.BuiltProject
	for _, p := range b.Projects {
		im := p.Record
		bp := wire.BuiltProject{Edition: p.Edition, EditionName: p.EditionName, Number: im.Number, Pool: im.Pool, Title: p.Title,
			Cost: p.Cost, Unit: im.Unit, Stage: string(im.Stage), Reason: im.Reason}
		if n := len(im.Milestones); n > 0 {
			bp.Latest, bp.Note = im.Milestones[n-1].Date, im.Milestones[n-1].Note
		}
		out = append(out, bp)
	}
	slices.SortFunc(out, func(x, y wire.BuiltProject) int {
		return cmp.Or(cmp.Compare(x.Edition, y.Edition), cmp.Compare(x.Pool, y.Pool), cmp.Compare(x.Number, y.Number))
	})
	raw, err := json.Marshal(out)
	if err != nil {
		return wire.SignedBuilt{}, err
	}
	s := wire.SignedBuilt{Edition: b.Edition.ID, At: now.UTC(), Projects: raw}
	s.Sign(key)
	return s, nil
}
