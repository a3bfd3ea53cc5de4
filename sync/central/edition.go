package central

import (
	"context"
	"errors"
	"sync"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Several editions at once (docs/edition-format.md): next year's proposals
// are taken while this year's projects are voted on and built. Catalog
// versions stay one signed chain with no rollback; each catalog names its
// edition, and the central holds, for every edition id ever published, its
// latest catalog. Kiosks and pages follow election.InForce of them (or the
// edition that allows what a page does, election.ForAction); a ballot is
// judged by the catalog version it was cast under, whichever edition that is.

// Held is one edition the central holds, with its latest catalog.
type Held struct {
	Edition *election.Edition
	Catalog wire.Catalog
}

// heldCache keeps the held editions of one latest catalog version.
type heldCache struct {
	mu      sync.Mutex
	version int
	held    []Held
}

// Editions returns the editions the central holds, newest first: for each
// edition id, the latest catalog that carries it. It walks the catalog
// versions from the latest down once per new latest version (a few dozen
// a year).
func (s *Server) Editions(ctx context.Context) ([]Held, error) {
	latest, err := s.cfg.Store.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	s.held.mu.Lock()
	defer s.held.mu.Unlock()
	if s.held.version == latest.Version && s.held.held != nil {
		return s.held.held, nil
	}
	var out []Held
	seen := map[string]bool{}
	for v := latest.Version; v >= 1; v-- {
		c := latest
		if v != latest.Version {
			if c, err = s.cfg.Store.CatalogAt(ctx, v); errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		ed, err := s.editionOf(c)
		if err != nil {
			if v == latest.Version {
				return nil, err
			}
			continue // an unreadable old catalog hides no newer edition
		}
		if !seen[ed.ID] {
			seen[ed.ID] = true
			out = append(out, Held{Edition: ed, Catalog: c})
		}
	}
	s.held.version, s.held.held = latest.Version, out
	return out, nil
}

// inForce is the held edition kiosks follow now, with its latest catalog.
func (s *Server) inForce(ctx context.Context) (Held, error) {
	held, err := s.Editions(ctx)
	if err != nil {
		return Held{}, err
	}
	eds := make([]*election.Edition, len(held))
	for i, h := range held {
		eds[i] = h.Edition
	}
	e := election.InForce(eds, s.cfg.Clock())
	for _, h := range held {
		if h.Edition == e {
			return h, nil
		}
	}
	return Held{}, store.ErrNotFound
}

// Edition returns the edition in force (election.InForce of the editions
// held), for the public pages that show it (the ballot planner).
func (s *Server) Edition(ctx context.Context) (*election.Edition, error) { return s.current(ctx) }

// EditionFor returns the newest held edition that allows a now, else the
// edition in force: the edition a page for a follows.
func (s *Server) EditionFor(ctx context.Context, a election.Action) (*election.Edition, error) {
	held, err := s.Editions(ctx)
	if err != nil {
		return nil, err
	}
	eds := make([]*election.Edition, len(held))
	for i, h := range held {
		eds[i] = h.Edition
	}
	if e := election.ForAction(eds, a, s.cfg.Clock()); e != nil {
		return e, nil
	}
	return s.current(ctx)
}
