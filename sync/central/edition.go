package central

import (
	"context"

	"github.com/urna-kiosk/urna/sync/election"
)

// Edition returns the edition of the latest published catalog, for the
// public pages that show it (the ballot planner).
func (s *Server) Edition(ctx context.Context) (*election.Edition, error) { return s.current(ctx) }
