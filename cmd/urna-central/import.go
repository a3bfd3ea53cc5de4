package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// importBallots reads a USB export, counts the ballots the store already
// holds apart (a second import says "already stored", not "accepted"),
// ingests the others and fails when the file holds no ballot or none of
// them could be stored.
func importBallots(ctx context.Context, st store.Store, srv *central.Server, path string) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return say("import.no_file", "path", path)
	}
	if err != nil {
		return err
	}
	var fresh bytes.Buffer
	ballots, already := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var b wire.SealedBallot
		if err := json.Unmarshal(sc.Bytes(), &b); err != nil || b.ID == "" {
			return say("import.bad_line", "path", path, "line", line)
		}
		ballots++
		if _, err := st.Ballot(ctx, b.ID); err == nil {
			already++
			continue
		}
		fresh.Write(sc.Bytes())
		fresh.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return say("import.bad_line", "path", path, "line", "?")
	}
	if ballots == 0 {
		return say("import.empty", "path", path)
	}
	counts, err := srv.ImportBallots(ctx, &fresh)
	if err != nil {
		return err
	}
	stored := already
	names := make([]string, 0, len(counts))
	for s, n := range counts {
		names = append(names, fmt.Sprintf("%s: %d", s, n))
		if s.Stored() {
			stored += n
		}
	}
	sort.Strings(names)
	if already > 0 {
		fmt.Printf("already stored: %d\n", already)
	}
	for _, n := range names {
		fmt.Println(n)
	}
	if stored == 0 {
		return say("import.none_stored", "n", ballots)
	}
	return nil
}
