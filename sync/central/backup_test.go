package central_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// rigIn is a rig whose keys live in dir, as urna-central keeps them.
func rigIn(t *testing.T, dir string, st store.Store) *rig {
	if err := central.Init(dir); err != nil {
		t.Fatal(err)
	}
	keys, _ := central.LoadKeys(dir)
	ctx := context.Background()
	if _, err := central.Publish(ctx, st, keys, demoEdition(t)); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Catalog(ctx)
	ed, _ := election.DecodeEdition(bytes.NewReader(c.Edition))
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		RatePerKiosk: 1000, Burst: 1000})
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	return &rig{t: t, st: st, srv: srv, http: h, keys: keys, ed: ed}
}

// served is what a central serves from a store: results, counts, kiosks
// and a tracker's check answer.
func served(t *testing.T, st store.Store, tracker string) string {
	ctx := context.Background()
	_, rs, err := central.Results(ctx, st, "")
	if err != nil {
		t.Fatal(err)
	}
	total, counted, _ := st.Counts(ctx)
	ks, _ := st.Kiosks(ctx)
	for i := range ks {
		ks[i].LastSeen, ks[i].Enrolled = ks[i].LastSeen.UTC(), ks[i].Enrolled.UTC()
		ks[i].Heartbeat.KioskTime, ks[i].Skew = time.Time{}, 0
	}
	a, _ := central.NewWeb(central.New(central.Config{Store: st}), central.WebConfig{CheckFloor: time.Nanosecond}).Check(ctx, tracker)
	out, _ := json.Marshal(map[string]any{"results": rs, "total": total, "counted": counted, "kiosks": len(ks), "check": a})
	return string(out)
}

// TestBackupRestore: a backup taken while the central serves, restored
// into a fresh folder and an empty store, serves the same results, counts
// and check answers, with the same keys (a catalog signed before verifies
// under the restored key; the voter-key secret is the same), sign-ins and
// certificate. Both stores; a non-empty target is refused.
func TestBackupRestore(t *testing.T) {
	for _, kind := range []string{"bolt", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			var st store.Store
			var dsn, target string
			var err error
			if kind == "bolt" {
				st, err = store.OpenBolt(filepath.Join(dir, "central.db"))
				target = "bolt:" + filepath.Join(t.TempDir(), "restored", "central.db")
			} else {
				dsn = pgtest.DSN(t)
				st, err = store.OpenPostgres(ctx, dsn)
				target = pgtest.DSN(t)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			r := rigIn(t, dir, st)
			if _, _, err := central.SelfSignedCert(dir, nil); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, central.FileUsers), []byte(`{"anna":"$2a$10$x"}`), 0o600)
			k1, k2 := r.kiosk(""), r.kiosk("")
			var tracker string
			for i := range 12 {
				b := k1.vote(t, r.ed, i)
				tracker = b.Tracker()
			}
			k2.vote(t, r.ed, 3) // the same resident again: a duplicate
			k1.a.SyncOnce(ctx)
			k2.a.SyncOnce(ctx)
			k1.a.SendHeartbeat(ctx)
			want := served(t, st, tracker)

			archive := filepath.Join(t.TempDir(), "central.backup")
			m, err := central.Backup(ctx, dir, st, dsn, archive)
			if err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(archive); fi.Mode().Perm() != 0o600 {
				t.Fatalf("the archive holds secrets and is mode %v", fi.Mode().Perm())
			}
			if len(m.Files) != 5 { // keys, secret, certificate and its key, users (no draft)
				t.Fatalf("files backed up: %v", m.Files)
			}
			k1.vote(t, r.ed, 50) // after the backup: not in it
			k1.a.SyncOnce(ctx)

			fresh := filepath.Join(t.TempDir(), "restored")
			if _, err := central.Restore(ctx, archive, fresh, target); err != nil {
				t.Fatal(err)
			}
			st2, err := store.Open(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			if got := served(t, st2, tracker); got != want {
				t.Fatalf("the restored central serves\n%s\nwant\n%s", got, want)
			}
			keys, err := central.LoadKeys(fresh)
			if err != nil || !bytes.Equal(keys.VoterSecret, r.keys.VoterSecret) {
				t.Fatalf("restored keys: %v", err)
			}
			c, _ := st2.Catalog(ctx)
			if err := c.Verify(keys.Edition.Public().(ed25519.PublicKey), 0); err != nil {
				t.Fatalf("the catalog does not verify under the restored edition key: %v", err)
			}
			for _, name := range []string{central.FileCert, central.FileKey, central.FileUsers} {
				a, _ := os.ReadFile(filepath.Join(dir, name))
				b, err := os.ReadFile(filepath.Join(fresh, name))
				if err != nil || !bytes.Equal(a, b) {
					t.Errorf("%s not restored: %v", name, err)
				}
				if fi, _ := os.Stat(filepath.Join(fresh, name)); fi.Mode().Perm() != 0o600 {
					t.Errorf("%s restored as %v", name, fi.Mode().Perm())
				}
			}
			leftovers, _ := filepath.Glob(filepath.Join(fresh, ".*tmp-*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
			// Never over keys or a store.
			if _, err := central.Restore(ctx, archive, fresh, "bolt:"+filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, central.ErrRestoreTarget) {
				t.Errorf("restore over keys: %v", err)
			}
			if _, err := central.Restore(ctx, archive, t.TempDir(), target); !errors.Is(err, central.ErrRestoreTarget) {
				t.Errorf("restore over a store: %v", err)
			}
			os.WriteFile(filepath.Join(fresh, "junk"), []byte("x"), 0o600)
			if _, err := central.Restore(ctx, filepath.Join(fresh, "junk"), t.TempDir(), "bolt:"+filepath.Join(t.TempDir(), "y.db")); err == nil || !strings.Contains(err.Error(), "not an urna-central backup") {
				t.Errorf("restore of a file that is no backup: %v", err)
			}
		})
	}
}

// TestBackupWhileServing: a bbolt store is locked by the process serving
// it, so that process hands out the backup over its socket, while kiosks
// keep syncing; the archive is read whole before it is kept, and it
// restores to what was served when it was taken or later.
func TestBackupWhileServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rigIn(t, dir, st)
	k := r.kiosk("")
	var tracker string
	for i := range 20 {
		b := k.vote(t, r.ed, i)
		tracker = b.Tracker()
	}
	k.a.SyncOnce(ctx)
	want := served(t, st, tracker)

	socket := filepath.Join(dir, central.BackupSocket)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: central.BackupHandler(dir, st, "", slog.Default())}
	go hs.Serve(ln)
	defer hs.Close()
	archive := filepath.Join(t.TempDir(), "central.backup")
	if _, err := central.FetchBackup(ctx, socket, archive); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "restored")
	if _, err := central.Restore(ctx, archive, fresh, "bolt:"+filepath.Join(fresh, "central.db")); err != nil {
		t.Fatal(err)
	}
	st2, err := store.OpenBolt(filepath.Join(fresh, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if got := served(t, st2, tracker); got != want {
		t.Fatalf("restored from a live backup:\n%s\nwant\n%s", got, want)
	}
	// A cut-off archive is never kept.
	raw, _ := os.ReadFile(archive)
	cut := filepath.Join(t.TempDir(), "cut.backup")
	os.WriteFile(cut, raw[:len(raw)/2], 0o600)
	if _, err := central.Restore(ctx, cut, t.TempDir(), "bolt:"+filepath.Join(t.TempDir(), "c.db")); !errors.Is(err, central.ErrCutOff) {
		t.Fatalf("restore of a truncated archive: %v", err)
	}
	if _, err := central.FetchBackup(ctx, filepath.Join(dir, "nobody.sock"), filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("a backup from no server")
	}
}

// TestNewEditionNeedsNewKeys: once an edition has ballots, its data folder
// publishes no other edition: the next edition gets a new voter-key secret
// (urna-central init in a new folder). The same edition republished, or a
// mistaken edition id corrected before any ballot, goes through.
func TestNewEditionNeedsNewKeys(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, bolt(t))
	renamed := func(id string) []byte {
		ed, _ := election.DecodeEdition(bytes.NewReader(demoEdition(t)))
		ed.ID = id
		var b bytes.Buffer
		election.EncodeEdition(&b, ed)
		return b.Bytes()
	}
	if _, err := central.Publish(ctx, r.st, r.keys, renamed("krakow-2025-poprawione")); err != nil {
		t.Fatalf("an edition id corrected before any ballot: %v", err)
	}
	if _, err := central.Publish(ctx, r.st, r.keys, renamed(r.ed.ID)); err != nil {
		t.Fatal(err)
	}
	k := r.kiosk("")
	k.vote(t, r.ed, 1)
	if n, err := k.a.SyncOnce(ctx); n != 1 || err != nil {
		t.Fatalf("sync: %d %v", n, err)
	}
	if _, err := central.Publish(ctx, r.st, r.keys, renamed("krakow-2026")); !errors.Is(err, central.ErrNewEdition) {
		t.Fatalf("the next edition over this one's ballots and secret: %v", err)
	}
	if _, err := central.Publish(ctx, r.st, r.keys, demoEdition(t)); err != nil {
		t.Fatalf("the same edition again: %v", err)
	}
	// The next edition in a folder of its own has another secret.
	other := rigIn(t, t.TempDir(), bolt(t))
	if bytes.Equal(other.keys.VoterSecret, r.keys.VoterSecret) {
		t.Fatal("two editions share a voter-key secret")
	}
}

// TestRestoreRefusesCutOffOrAltered: an archive cut off anywhere (also
// between two entries, where a tar reader sees a clean end) is named as
// cut off and writes nothing to the target, so that the whole archive
// restores there afterwards; a flipped byte in any entry is refused by
// its checksum.
func TestRestoreRefusesCutOffOrAltered(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rigIn(t, dir, st)
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	k.a.SyncOnce(ctx)
	archive := filepath.Join(t.TempDir(), "central.backup")
	if _, err := central.Backup(ctx, dir, st, "", archive); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(archive)
	// the ends of entries: tar headers start at 512-byte blocks that
	// begin with an entry's name
	var cuts []int
	for off := 512; off < len(raw); off += 512 {
		for _, name := range []string{"store/", "voter", "edition", "sha256sums"} {
			if bytes.HasPrefix(raw[off:], []byte(name)) {
				cuts = append(cuts, off)
			}
		}
	}
	cuts = append(cuts, len(raw)/2, len(raw)/3)
	fresh := filepath.Join(t.TempDir(), "restored")
	target := "bolt:" + filepath.Join(fresh, "central.db")
	for _, n := range cuts {
		cut := filepath.Join(t.TempDir(), "cut.backup")
		os.WriteFile(cut, raw[:n], 0o600)
		if _, err := central.Restore(ctx, cut, fresh, target); !errors.Is(err, central.ErrCutOff) {
			t.Fatalf("cut at %d of %d: %v", n, len(raw), err)
		}
		if left, _ := filepath.Glob(filepath.Join(fresh, "*")); len(left) > 0 {
			t.Fatalf("cut at %d: left in the target: %v", n, left)
		}
	}
	for _, at := range []int{len(raw) / 3, len(raw) / 2, 512 + 8} {
		bad := bytes.Clone(raw)
		bad[at] ^= 0x20
		altered := filepath.Join(t.TempDir(), "altered.backup")
		os.WriteFile(altered, bad, 0o600)
		if _, err := central.Restore(ctx, altered, fresh, target); err == nil || errors.Is(err, central.ErrCutOff) {
			t.Fatalf("a byte flipped at %d: %v", at, err)
		}
	}
	if _, err := central.Restore(ctx, archive, fresh, target); err != nil {
		t.Fatalf("the whole archive after the failed ones: %v", err)
	}
}

// TestRestoreVerifiesBallots: an archive whose store was edited (one
// ballot's cast time moved by a second) and whose checksums were made
// again to match is refused by the ballots' signatures, and leaves
// nothing in the target.
func TestRestoreVerifiesBallots(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rigIn(t, dir, st)
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, i)
	}
	k.a.SyncOnce(ctx)
	var buf bytes.Buffer
	if _, err := central.WriteBackup(ctx, &buf, dir, st, ""); err != nil {
		t.Fatal(err)
	}
	// rewrite the archive: the store edited, every checksum made again
	tr := tar.NewReader(&buf)
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	sums := map[string]string{}
	edited := false
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		raw, _ := io.ReadAll(tr)
		if hdr.Name == "sha256sums.json" {
			raw, _ = json.Marshal(sums)
		}
		if hdr.Name == "store/central.db" {
			for i := 0; i+40 < len(raw) && !edited; i++ {
				if bytes.HasPrefix(raw[i:], []byte(`"castAt":"20`)) {
					d := &raw[i+len(`"castAt":"`)+18]
					*d = '0' + (*d-'0'+1)%10
					edited = true
				}
			}
		}
		if hdr.Name != "sha256sums.json" {
			h := sha256.Sum256(raw)
			sums[hdr.Name] = hex.EncodeToString(h[:])
		}
		hdr.Size = int64(len(raw))
		tw.WriteHeader(hdr)
		tw.Write(raw)
	}
	tw.Close()
	if !edited {
		t.Fatal("no ballot to edit")
	}
	archive := filepath.Join(t.TempDir(), "edited.backup")
	os.WriteFile(archive, out.Bytes(), 0o600)
	fresh := filepath.Join(t.TempDir(), "restored")
	if _, err := central.Restore(ctx, archive, fresh, "bolt:"+filepath.Join(fresh, "central.db")); !errors.Is(err, central.ErrAltered) {
		t.Fatalf("restore of an edited store: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(fresh, "*")); len(left) > 0 {
		t.Fatalf("left in the target: %v", left)
	}
}
