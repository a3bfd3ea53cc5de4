package central_test

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	bbolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// otherBallot chooses different projects from ballot: the city ranking
// moves when one is swapped for the other.
func otherBallot(ed *election.Edition) election.Ballot {
	b := ballot(ed)
	for i := range b.Selections {
		ps := ed.ProjectsIn(b.Selections[i].Pool)
		for j := range b.Selections[i].Choices {
			b.Selections[i].Choices[j].Project = ps[len(ps)-1-j].ID
		}
	}
	return b
}

// auditRig stores 12 ballots of two kiosks (one of them revoked since)
// and one duplicate; it returns the rig and the store's location.
func auditRig(t *testing.T, st store.Store) (*rig, *kiosk, *kiosk) {
	r := newRig(t, st)
	ctx := context.Background()
	a, b := r.kiosk(""), r.kiosk("")
	for i := range 6 {
		a.vote(t, r.ed, i)
		id := election.Identity{Kind: election.ByPESEL, Value: pesel(100 + i)}
		if _, err := b.q.Append(otherBallot(r.ed), election.NewVoterKey(b.er.VoterSecret, id), r.ed.Version); err != nil {
			t.Fatal(err)
		}
	}
	b.vote(t, r.ed, 0) // voter 0 again: a duplicate
	for _, k := range []*kiosk{a, b} {
		if n, err := k.a.SyncOnce(ctx); err != nil || n == 0 {
			t.Fatalf("sync %d %v", n, err)
		}
		if _, err := k.a.SendHeartbeat(ctx); err != nil { // commits the chain head
			t.Fatal(err)
		}
	}
	r.st.RevokeKiosk(ctx, b.q.KioskID(), time.Now())
	return r, a, b
}

// An untouched store: the audit verifies every signature, agrees with the
// fast tally, and reports each kiosk, the revoked one too.
func TestAuditAgrees(t *testing.T) {
	r, a, b := auditRig(t, bolt(t))
	au, err := central.RunAudit(context.Background(), r.st, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !au.Agrees || au.Stored != 13 || au.Verified != 13 || au.Voters != 12 || au.IndexCounted != 12 || au.Mismatched != 0 {
		t.Fatalf("audit %s %v", au, au.Problems)
	}
	per := map[string]central.KioskAudit{}
	for _, k := range au.Kiosks {
		per[k.Kiosk] = k
	}
	if ka, kb := per[a.q.KioskID()], per[b.q.KioskID()]; ka.Stored != 6 || ka.Counted != 6 || kb.Stored != 7 || kb.Counted != 6 || !kb.Revoked || kb.Chain.MaxSeq != 7 {
		t.Fatalf("kiosks %+v", au.Kiosks)
	}
}

// An insider rewrites the choices in the index the fast tally reads (the
// city ranking moved while the signed ballots stayed as they were) and
// deletes a revoked kiosk's ballot: the audit shows the differences, the
// mismatch and the gap, and the results are unverified.
func TestAuditCatchesTamperedBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	r, _, b := auditRig(t, st)
	ctx := context.Background()
	bs, _ := b.q.Ballots()
	st.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		counted := tx.Bucket([]byte("voters-counted"))
		// voter 100's entry (kiosk B's other ballot) gets voter 1's choices
		one := counted.Get(bs[0].VoterKey[:])
		var donor []byte
		counted.ForEach(func(k, v []byte) error {
			if donor == nil && string(k) != string(bs[0].VoterKey[:]) && choicesOf(v) != nil && string(choicesOf(v)) != string(choicesOf(one)) {
				donor = choicesOf(v)
			}
			return nil
		})
		entry := append(append([]byte{}, one[:len(one)-len(choicesOf(one))]...), donor...)
		if err := counted.Put(bs[0].VoterKey[:], entry); err != nil {
			return err
		}
		// the revoked kiosk's duplicate (its 7th ballot) disappears
		dup := bs[6]
		key := append(append([]byte(dup.Kiosk), 0), binary.BigEndian.AppendUint64(nil, dup.Seq)...)
		key = append(append(key, 0), dup.ID...)
		if err := tx.Bucket([]byte("kiosk-ballots")).Delete(key); err != nil {
			return err
		}
		return tx.Bucket([]byte("ballot-ids")).Delete([]byte(dup.ID))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err = store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, _, au, err := central.AuditedResults(ctx, st, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// the revoked kiosk's lost ballot is that kiosk's finding (a settled
	// kiosk's chain no longer keeps results unverified on its own)
	if au.Agrees || len(au.Differences) == 0 || !hasProblem(au, "audit.problem.differences") || !slices.Contains(au.Findings, b.q.KioskID()) {
		t.Fatalf("tampered store: %s %v %+v", au, au.Problems, au.Differences)
	}
	for _, k := range au.Kiosks {
		if k.Kiosk == b.q.KioskID() && (k.Chain.MaxSeq != 6 || k.Committed != 7) {
			t.Fatalf("the revoked kiosk's lost tail is not reported: %+v", k)
		}
	}
	_ = r
}

// choicesOf returns the choices part of a voters-counted entry.
func choicesOf(v []byte) []byte {
	if len(v) < 9 {
		return nil
	}
	n, k := binary.Uvarint(v[8:])
	if k <= 0 || len(v) < 8+k+int(n) {
		return nil
	}
	return v[8+k+int(n):]
}

func hasProblem(a *central.Audit, key string) bool {
	for _, p := range a.Problems {
		if p == key {
			return true
		}
	}
	return false
}

// In PostgreSQL the fast tally reads the stored bodies: an insider who
// rewrites a body's choices breaks its signature, and one who deletes a
// stored ballot leaves its chain with a gap; the audit shows both.
func TestAuditCatchesTamperedPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := store.OpenPostgres(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, _, b := auditRig(t, st)
	ctx := context.Background()
	bs, _ := b.q.Ballots()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE ballots SET body = jsonb_set(body, '{selections,0,choices,0,points}', '1') WHERE id = $1`, bs[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM ballots WHERE id = $1`, bs[6].ID); err != nil {
		t.Fatal(err)
	}
	_, _, au, err := central.AuditedResults(ctx, st, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if au.Agrees || au.BadSignature != 1 || !slices.Contains(au.Findings, b.q.KioskID()) || len(au.Differences) == 0 {
		t.Fatalf("tampered store: %s %v %+v", au, au.Problems, au.Differences)
	}
}
