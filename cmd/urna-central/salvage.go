package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
)

func cmdSalvage(args []string) error {
	var c common
	fs := flag.NewFlagSet("salvage", flag.ContinueOnError)
	c.add(fs)
	out := fs.String("out", "", "the new store (default: central.db.salvaged in the data folder)")
	replace := fs.Bool("replace", false, "put the new store in place of central.db, keeping the damaged one as central.db.damaged-TIME")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if c.db != "" {
		return errors.New("salvage reads a bbolt central.db in --data; PostgreSQL keeps its own durability")
	}
	path := filepath.Join(c.data, "central.db")
	if *out == "" {
		*out = path + ".salvaged"
	}
	var edition ed25519.PublicKey
	if keys, err := central.LoadKeys(c.data); err == nil {
		edition = keys.Edition.Public().(ed25519.PublicKey)
	} else {
		fmt.Println("the edition key cannot be read: catalogs are copied unverified:", err)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return say("salvage.no_store", "path", path)
	}
	if _, err := os.Stat(*out); err == nil {
		return say("salvage.out_exists", "path", *out)
	}
	rep, err := store.SalvageBolt(context.Background(), path, *out, edition)
	if err != nil {
		return err
	}
	catalogs := "none"
	if rep.Catalogs > 0 {
		catalogs = fmt.Sprint("1-", rep.Catalogs)
	}
	fmt.Printf("%d ballots recovered and verified into %s; %d kiosks; catalogs: %s\n", rep.Ballots, *out, rep.Kiosks, catalogs)
	if rep.Unverifiable > 0 {
		fmt.Printf("left out: %d ballot records that do not verify under their kiosk's key\n", rep.Unverifiable)
	}
	if rep.CatalogsLost > 0 {
		fmt.Printf("left out: %d catalog versions after a missing or unverifiable one (publish again)\n", rep.CatalogsLost)
	}
	if len(rep.KiosksFromOldPages) > 0 {
		fmt.Printf("kiosk records read from older copies of pages (check that revoked ones are still revoked: urna-central kiosk list): %v\n", rep.KiosksFromOldPages)
	}
	ids := make([]string, 0, len(rep.Chains))
	for id := range rep.Chains {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ch := rep.Chains[id]
		fmt.Printf("kiosk %s: %d ballots up to number %d", id, ch.Count, ch.MaxSeq)
		if len(ch.Gaps) > 0 {
			fmt.Printf(", %d missing (bring them by USB: urnactl export-ballots, urna-central import-ballots)", len(ch.Gaps))
		}
		fmt.Println()
	}
	lang := assets.EnvLanguage(os.Getenv)
	for _, id := range sortedKeys(rep.Lost) {
		fmt.Println(sentence(lang, say("salvage.lost", "kiosk", id, "numbers", seqRanges(rep.Lost[id]))))
	}
	fmt.Println("sign-ins and unused enrollment codes are not copied: staff sign in again, codes are issued again")
	if len(rep.Problems) > 0 {
		fmt.Printf("damage met: %d problems, the first: %s\n", len(rep.Problems), rep.Problems[0])
	}
	// what was lost is said last, as the command's error: exit non-zero
	done := func() error {
		switch {
		case rep.Catalogs == 0 && (rep.Ballots > 0 || rep.LostCount() > 0 || rep.Unverifiable > 0 || rep.CatalogsLost > 0):
			return say("salvage.catalog_lost")
		case rep.LostCount() > 0 || rep.Unverifiable > 0:
			return say("salvage.ballots_lost", "n", max(rep.LostCount(), uint64(rep.Unverifiable)))
		}
		return nil
	}
	if !*replace {
		return done()
	}
	aside := fmt.Sprintf("%s.damaged-%s", path, time.Now().UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(*out, path); err != nil {
		return err
	}
	os.Remove(*out + boltfile.MarkerSuffix) // central.db's own marker stays
	if err := atomicfile.SyncDir(c.data); err != nil {
		return err
	}
	fmt.Printf("the new store is now %s; the damaged one is kept as %s\n", path, aside)
	return done()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// seqRanges writes ranges as "3, 7-9".
func seqRanges(rs []store.SeqRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprint(r.From)
		if r.To > r.From {
			parts[i] += fmt.Sprint("-", r.To)
		}
	}
	return strings.Join(parts, ", ")
}
