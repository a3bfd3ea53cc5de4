package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/wire"
)

// SalvageReport says what SalvageBolt recovered and what was lost.
type SalvageReport struct {
	Kiosks   int // kiosk records copied (with their keys and revocations)
	Catalogs int // catalog versions copied, 1 … Catalogs, each verified
	Ballots  int // ballots copied, each verified under its kiosk's key
	// Unverifiable counts ballot records left out: no kiosk record to
	// verify them with, or a signature that does not verify.
	Unverifiable int
	// CatalogsLost: versions found after a missing or unverifiable one.
	CatalogsLost int
	// Chains is each kiosk's chain in the new store: its gaps are the
	// ballots lost (or never received).
	Chains   map[string]Chain
	Problems []string // the damage the walk of the old file met
	// KiosksFromOldPages are kiosks whose record was read from an older
	// copy of a page: check that a revoked one is still revoked.
	KiosksFromOldPages []string
	// Lost are, per kiosk, the numbers the old store held (from the keys
	// of its ballot records and its ID index) that the new store lacks:
	// to be brought from the kiosk by USB. Numbers it never held (a gap
	// it had, ballots pending at the kiosk) are not among them.
	Lost map[string][]SeqRange
}

// SeqRange is the ballot numbers From … To of one kiosk.
type SeqRange struct{ From, To uint64 }

// LostCount is how many ballot numbers Lost names.
func (r SalvageReport) LostCount() uint64 {
	var n uint64
	for _, rs := range r.Lost {
		for _, x := range rs {
			n += x.To - x.From + 1
		}
	}
	return n
}

// lostRanges lists the numbers of held (the old store's, in any order,
// repeats allowed) that chain c lacks: never a number the old store did
// not hold (a gap it already had, a ballot still pending at the kiosk).
func lostRanges(c Chain, held []uint64) []SeqRange {
	slices.Sort(held)
	var out []SeqRange
	g := 0
	for i, seq := range held {
		if i > 0 && held[i-1] == seq {
			continue
		}
		for g < len(c.Gaps) && c.Gaps[g].To < seq {
			g++
		}
		inGap := g < len(c.Gaps) && c.Gaps[g].From <= seq
		if !inGap && seq <= c.MaxSeq && c.Count > 0 {
			continue // the new store has it
		}
		if n := len(out); n > 0 && out[n-1].To+1 == seq {
			out[n-1].To = seq
			continue
		}
		out = append(out, SeqRange{seq, seq})
	}
	return out
}

// ballotKeySeq reads kiosk and seq from a key of bBallots.
func ballotKeySeq(k []byte) (string, uint64, bool) {
	for i, c := range k {
		if c == 0 {
			if len(k) < i+10 || k[i+9] != 0 {
				return "", 0, false
			}
			return string(k[:i]), binary.BigEndian.Uint64(k[i+1 : i+9]), true
		}
	}
	return "", 0, false
}

// SalvageBolt copies everything that can still be read and verified from a
// damaged bbolt store at from into a new store at to (which must not
// exist): kiosk records, catalogs verified under the edition key, and every
// ballot that verifies under its kiosk's key, found through the file's
// tree or, where its branch pages are lost, by scanning every leaf page.
// Which ballot counts for each voter is decided again, as ingest does.
// Sign-ins and unused enrollment codes are not copied (staff sign in
// again; codes are issued again). The old file is only read.
func SalvageBolt(ctx context.Context, from, to string, editionKey ed25519.PublicKey) (SalvageReport, error) {
	rep := SalvageReport{Chains: map[string]Chain{}, Lost: map[string][]SeqRange{}}
	if _, err := os.Stat(to); err == nil {
		return rep, fmt.Errorf("%s exists: salvage writes a new store", to)
	}
	kiosks := map[string]Kiosk{}
	catalogs := map[int]wire.Catalog{}
	// the highest number of each kiosk the old store knew of, from the
	// keys of its ballot records (readable even where the values are not)
	// keys of ballot records (readable even where the values are not),
	// taken only where the ID index agrees: a damaged key is not a number
	byKey, byID := map[string]string{}, map[string]string{}
	seen := func(k, v []byte) {
		if _, _, ok := ballotKeySeq(k); ok {
			at := bytes.LastIndexByte(k, 0) // kiosk \x00 seq \x00 id
			byKey[string(k[at+1:])] = string(k[:at])
		}
		if _, _, ok := ballotKeySeq(append(append([]byte(nil), v...), 0)); ok && len(k) > 0 {
			byID[string(k)] = string(v)
		}
	}
	readCatalog := func(k, v []byte) {
		var c wire.Catalog
		if len(k) == 8 && json.Unmarshal(v, &c) == nil && c.Version > 0 && uint64(c.Version) == binary.BigEndian.Uint64(k) &&
			(editionKey == nil || c.Verify(editionKey, 0) == nil) {
			if _, ok := catalogs[c.Version]; !ok {
				catalogs[c.Version] = c
			}
		}
	}
	problems, err := boltfile.Walk(from, func(bucket []string, k, v []byte) {
		if len(bucket) != 1 {
			return
		}
		switch bucket[0] {
		case string(bKiosks):
			var kk Kiosk
			if json.Unmarshal(v, &kk) == nil && kk.ID == string(k) && len(kk.PublicKey) == ed25519.PublicKeySize {
				kiosks[kk.ID] = kk
			}
		case string(bCatalogs):
			readCatalog(k, v)
		case string(bBallots), string(bIDs):
			seen(k, v)
		}
	})
	if err != nil {
		problems = append(problems, err)
	}
	for _, p := range problems {
		rep.Problems = append(rep.Problems, p.Error())
	}
	// Kiosk records the tree lost (a file cut short loses the newest
	// pages): older copies on other pages. Of several copies the revoked
	// one wins, then the one seen last; the report names them, for staff
	// to check their revocation.
	old := map[string]Kiosk{}
	err = boltfile.ScanLeaves(from, func(_ []string, k, v []byte) {
		seen(k, v)
		// catalogs on pages the tree lost, or older copies: each is
		// verified under the edition key below
		readCatalog(k, v)
		var kk Kiosk
		if len(v) == 0 || v[0] != '{' || json.Unmarshal(v, &kk) != nil || kk.ID != string(k) || kk.Venue == "" || len(kk.PublicKey) != ed25519.PublicKeySize {
			return
		}
		if _, ok := kiosks[kk.ID]; ok {
			return
		}
		if o, ok := old[kk.ID]; !ok || (o.Revoked.IsZero() && !kk.Revoked.IsZero()) || (o.Revoked.IsZero() == kk.Revoked.IsZero() && kk.LastSeen.After(o.LastSeen)) {
			old[kk.ID] = kk
		}
	})
	if err != nil {
		return rep, err
	}
	for id, kk := range old {
		kiosks[id] = kk
		rep.KiosksFromOldPages = append(rep.KiosksFromOldPages, id)
	}
	sort.Strings(rep.KiosksFromOldPages)

	// The numbers the old store held: named by both indexes alike, or by
	// one where the other lost its entry (a damaged page); where they
	// disagree, a damaged key is not a number.
	// A number one index alone names counts up to the highest both agree
	// on or the kiosk's last heartbeat, so a damaged key's garbage does not.
	held, single, known := map[string][]uint64{}, map[string][]uint64{}, map[string]uint64{}
	hold := func(to map[string][]uint64, ref string) {
		if k, seq, ok := ballotKeySeq(append([]byte(ref), 0)); ok {
			to[k] = append(to[k], seq)
		}
	}
	for id, ref := range byKey {
		if r, ok := byID[id]; ok && r == ref {
			hold(held, ref)
		} else if !ok {
			hold(single, ref)
		}
	}
	for id, ref := range byID {
		if _, ok := byKey[id]; !ok {
			hold(single, ref)
		}
	}
	for k, seqs := range held {
		known[k] = slices.Max(seqs)
	}
	for k, seqs := range single {
		bound := max(known[k], kiosks[k].Heartbeat.LastSeq)
		for _, seq := range seqs {
			if seq <= bound {
				held[k] = append(held[k], seq)
			}
		}
	}

	st, err := OpenBolt(to)
	if err != nil {
		return rep, err
	}
	defer st.Close()
	for _, k := range kiosks {
		if err := st.AddKiosk(ctx, k); err != nil {
			return rep, err
		}
		rep.Kiosks++
	}
	versions := make([]int, 0, len(catalogs))
	for v := range catalogs {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for i, v := range versions {
		c := catalogs[v]
		if v != i+1 || (editionKey != nil && c.Verify(editionKey, v-1) != nil) {
			rep.CatalogsLost = len(versions) - i
			break
		}
		if err := st.PutCatalog(ctx, c); err != nil {
			return rep, err
		}
		rep.Catalogs++
	}

	// Ballots: every leaf page is read, reachable or not (old copies of
	// pages come through too: the store keeps one copy by ID), and each
	// value that reads as a ballot entry and verifies is stored, in
	// batches that share a received time.
	bad := map[string]bool{}
	var batch []wire.SealedBallot
	var received time.Time
	var addErr error
	flush := func() {
		if len(batch) > 0 && addErr == nil {
			_, addErr = st.AddBallots(ctx, batch, nil, received)
		}
		batch = batch[:0]
	}
	err = boltfile.ScanLeaves(from, func(_ []string, _, v []byte) {
		_, raw, err := splitBallot(v)
		if err != nil || len(raw) == 0 || raw[0] != '{' {
			return
		}
		var s Stored
		if json.Unmarshal(raw, &s) != nil || s.Ballot.ID == "" {
			return
		}
		k, ok := kiosks[s.Ballot.Kiosk]
		if !ok || s.Ballot.Verify(k.PublicKey) != nil {
			bad[s.Ballot.ID] = true
			return
		}
		if len(batch) == 500 || !s.Received.Equal(received) {
			flush()
			received = s.Received
		}
		batch = append(batch, s.Ballot)
	})
	flush()
	if err == nil {
		err = addErr
	}
	if err != nil {
		return rep, err
	}
	for id := range bad {
		if _, err := st.Ballot(ctx, id); err == nil {
			delete(bad, id) // a good copy of it was found too
		}
	}
	rep.Unverifiable = len(bad)
	if rep.Ballots, _, err = st.Counts(ctx); err != nil {
		return rep, err
	}
	for id := range kiosks {
		c, err := st.Chain(ctx, id)
		if err != nil {
			return rep, err
		}
		rep.Chains[id] = c
		if lost := lostRanges(c, held[id]); len(lost) > 0 {
			rep.Lost[id] = lost
		}
	}
	for id, seqs := range held {
		if _, ok := kiosks[id]; !ok {
			rep.Lost[id] = lostRanges(Chain{}, seqs) // no key left to verify them with
		}
	}
	return rep, nil
}
