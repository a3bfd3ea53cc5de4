package central

import (
	"archive/tar"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/sync/central/store"
)

// FileUsers holds the dashboard's sign-ins (name -> bcrypt hash).
const FileUsers = "users.json"

// backupFiles are the data folder's files a backup carries: the keys and
// secrets, the certificate kiosks pin, the sign-ins and the draft edition.
var backupFiles = []string{FileEditionKey, FileVoterSecret, FileCert, FileKey, FileUsers, FileDraft}

// Names inside a backup archive.
const (
	backupManifest = "manifest.json"
	backupBolt     = "store/central.db"
	backupPostgres = "store/postgres.dump" // pg_dump's custom format
	// backupSums is the last entry: the SHA-256 of every entry before it.
	backupSums = "sha256sums.json"
)

// Manifest describes a backup.
type Manifest struct {
	Format  int       `json:"format"` // 2: with backupSums
	Created time.Time `json:"created"`
	Store   string    `json:"store"` // bolt or postgres
	Files   []string  `json:"files"` // from the data folder
}

// Errors of backup and restore that callers act on.
var (
	ErrRestoreTarget = errors.New("the restore target is not empty: restore into a new data folder and an empty store")
	ErrNotBackup     = errors.New("not an urna-central backup")
	ErrCutOff        = errors.New("the backup archive is cut off: copy it again from where it was made, whole")
	ErrAltered       = errors.New("the backup archive was altered or damaged after it was made: its checksums or its ballots' signatures do not verify")
)

// Backup writes the data folder's keys and secrets and a consistent copy
// of the store into one tar archive at out, written atomically (a
// temporary file, fsync, rename, fsync of the folder). The archive holds
// the secrets: it is made readable by its owner only.
func Backup(ctx context.Context, dir string, st store.Store, dsn, out string) (Manifest, error) {
	var m Manifest
	err := WriteFileAtomic(out, 0o600, func(f *os.File) error {
		var err error
		m, err = WriteBackup(ctx, f, dir, st, dsn)
		return err
	})
	return m, err
}

// WriteBackup writes a backup archive to w. The store keeps serving
// meanwhile: bbolt is copied in one read transaction, PostgreSQL by
// pg_dump (dsn is the store's address).
func WriteBackup(ctx context.Context, w io.Writer, dir string, st store.Store, dsn string) (Manifest, error) {
	m := Manifest{Format: 2, Created: time.Now().UTC()}
	switch st.(type) {
	case *store.Bolt:
		m.Store = "bolt"
	case *store.Postgres:
		m.Store = "postgres"
	default:
		return m, fmt.Errorf("backup: a store of type %T", st)
	}
	for _, name := range backupFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			m.Files = append(m.Files, name)
		} else if !errors.Is(err, os.ErrNotExist) {
			return m, err
		}
	}
	if !slices.Contains(m.Files, FileEditionKey) || !slices.Contains(m.Files, FileVoterSecret) {
		return m, fmt.Errorf("%s holds no keys (run urna-central init, or name the right --data)", dir)
	}
	var dump string
	if m.Store == "postgres" {
		f, err := os.CreateTemp("", "urna-pgdump-*")
		if err != nil {
			return m, err
		}
		dump = f.Name()
		f.Close()
		defer os.Remove(dump)
		if err := pgTool(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file="+dump, "--dbname="+dsn); err != nil {
			return m, err
		}
	}
	tw := &summedTar{tw: tar.NewWriter(w), sums: map[string]string{}, at: m.Created}
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.add(backupManifest, int64(len(manifest))); err != nil {
		return m, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return m, err
	}
	for _, name := range m.Files {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return m, err
		}
		if err := tw.add(name, int64(len(raw))); err != nil {
			return m, err
		}
		if _, err := tw.Write(raw); err != nil {
			return m, err
		}
	}
	if b, ok := st.(*store.Bolt); ok {
		if err := b.CopyTo(func(size int64) (io.Writer, error) { return tw, tw.add(backupBolt, size) }); err != nil {
			return m, err
		}
	} else {
		d, err := os.Open(dump)
		if err != nil {
			return m, err
		}
		defer d.Close()
		fi, err := d.Stat()
		if err != nil {
			return m, err
		}
		if err := tw.add(backupPostgres, fi.Size()); err != nil {
			return m, err
		}
		if _, err := io.Copy(tw, d); err != nil {
			return m, err
		}
	}
	return m, tw.close()
}

// summedTar writes tar entries and their SHA-256, and at the end an entry
// with every entry's sum: restore checks each one against it.
type summedTar struct {
	tw   *tar.Writer
	sums map[string]string
	at   time.Time
	name string
	h    hash.Hash
}

func (s *summedTar) add(name string, size int64) error {
	s.sum()
	s.name, s.h = name, sha256.New()
	return s.tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: 0o600, ModTime: s.at, Typeflag: tar.TypeReg})
}

func (s *summedTar) sum() {
	if s.h != nil {
		s.sums[s.name] = hex.EncodeToString(s.h.Sum(nil))
	}
}

func (s *summedTar) Write(p []byte) (int, error) {
	s.h.Write(p)
	return s.tw.Write(p)
}

func (s *summedTar) close() error {
	s.sum()
	raw, _ := json.MarshalIndent(s.sums, "", "  ")
	s.h = nil
	if err := s.tw.WriteHeader(&tar.Header{Name: backupSums, Size: int64(len(raw)), Mode: 0o600, ModTime: s.at, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := s.tw.Write(raw); err != nil {
		return err
	}
	return s.tw.Close()
}

// readBackup reads an archive through to its end, checks every entry
// against the sums in its last entry and returns its manifest: an archive
// cut off is ErrCutOff, one whose sums do not match ErrAltered.
func readBackup(r io.Reader) (Manifest, error) {
	var m Manifest
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != backupManifest {
		return m, ErrNotBackup
	}
	h := sha256.New()
	if err := json.NewDecoder(io.TeeReader(io.LimitReader(tr, 1<<20), h)).Decode(&m); err != nil || m.Format != 2 {
		return m, ErrNotBackup
	}
	if _, err := io.Copy(h, tr); err != nil {
		return m, cutOff(err)
	}
	got := map[string]string{backupManifest: hex.EncodeToString(h.Sum(nil))}
	var sums map[string]string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, cutOff(err)
		}
		if sums != nil {
			return m, fmt.Errorf("%w: an entry after the checksums", ErrAltered)
		}
		if hdr.Name == backupSums {
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&sums); err != nil {
				return m, cutOff(err)
			}
			continue
		}
		h := sha256.New()
		if _, err := io.Copy(h, tr); err != nil {
			return m, cutOff(err)
		}
		if _, dup := got[hdr.Name]; dup {
			return m, fmt.Errorf("%w: %s twice", ErrAltered, hdr.Name)
		}
		got[hdr.Name] = hex.EncodeToString(h.Sum(nil))
	}
	if sums == nil {
		return m, ErrCutOff // the sums are the last entry
	}
	if len(sums) != len(got) {
		return m, fmt.Errorf("%w: %d entries, %d checksums", ErrAltered, len(got), len(sums))
	}
	for name, sum := range got {
		if sums[name] != sum {
			return m, fmt.Errorf("%w: %s", ErrAltered, name)
		}
	}
	for _, name := range m.Files {
		if got[name] == "" {
			return m, fmt.Errorf("%w: %s is missing", ErrAltered, name)
		}
	}
	if got[backupBolt] == "" && got[backupPostgres] == "" {
		return m, fmt.Errorf("%w: it holds no store", ErrAltered)
	}
	return m, nil
}

// cutOff names a read error of an archive that ends too early.
func cutOff(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return ErrCutOff
	}
	return fmt.Errorf("%w: %w", ErrNotBackup, err)
}

// BackupSocket is the name, in the data folder, of the socket on which
// urna-central serve hands out backups: a bbolt store is locked by the
// process serving it, so a backup of it must come from that process.
const BackupSocket = "backup.sock"

// BackupHandler answers GET /backup with an archive, streamed as it is made.
func BackupHandler(dir string, st store.Store, dsn string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-tar")
		m, err := WriteBackup(r.Context(), w, dir, st, dsn)
		if err != nil {
			// the reader sees a truncated archive and refuses it
			log.Error("backup-failed", "err", err)
			return
		}
		log.Info("backup-made", "store", m.Store)
	})
	return mux
}

// FetchBackup asks a running urna-central serve for a backup over its
// socket and writes it atomically to out, once it has read it whole.
func FetchBackup(ctx context.Context, socket, out string) (Manifest, error) {
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://urna-central/backup", nil)
	resp, err := client.Do(req)
	if err != nil {
		return Manifest{}, fmt.Errorf("no urna-central serve answers on %s: %w", socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Manifest{}, fmt.Errorf("backup: %s", resp.Status)
	}
	var m Manifest
	err = WriteFileAtomic(out, 0o600, func(f *os.File) error {
		if _, err := io.Copy(f, resp.Body); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		m, err = readBackup(f)
		return err
	})
	return m, err
}

// Restore puts a backup into a new data folder and an empty store: db is
// "bolt:PATH" (the file must not exist) or the address of an empty
// PostgreSQL database. It refuses to overwrite keys or a store.
func Restore(ctx context.Context, archive, dir, db string) (Manifest, error) {
	var m Manifest
	if _, err := os.Stat(filepath.Join(dir, FileEditionKey)); err == nil {
		return m, fmt.Errorf("%s holds keys: %w", dir, ErrRestoreTarget)
	}
	boltPath, isBolt := strings.CutPrefix(db, "bolt:")
	if isBolt {
		if _, err := os.Stat(boltPath); err == nil {
			return m, fmt.Errorf("%s exists: %w", boltPath, ErrRestoreTarget)
		}
	} else if err := emptyPostgres(ctx, db); err != nil {
		return m, err
	}
	f, err := os.Open(archive)
	if err != nil {
		return m, err
	}
	defer f.Close()
	// read and check it whole first: an archive cut off or altered
	// restores nothing
	if m, err = readBackup(f); err != nil {
		return m, fmt.Errorf("%s: %w", archive, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return m, err
	}
	tr := tar.NewReader(f)
	if _, err := tr.Next(); err != nil {
		return m, err
	}
	if (m.Store == "bolt") != isBolt {
		return m, fmt.Errorf("the backup holds a %s store; restore it with --db %s", m.Store, map[bool]string{true: "bolt:PATH", false: "postgres://…"}[m.Store == "bolt"])
	}
	// the store first, then its ballots verified, and only then the
	// keys: a restore that fails leaves nothing that blocks the next one
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return m, err
	}
	files := map[string][]byte{}
	storeDone := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("%s: %w", archive, err)
		}
		switch {
		case hdr.Name == backupSums:
		case slices.Contains(m.Files, hdr.Name):
			raw, err := io.ReadAll(io.LimitReader(tr, 16<<20))
			if err != nil {
				return m, fmt.Errorf("%s: %w", archive, cutOff(err))
			}
			files[hdr.Name] = raw
		case hdr.Name == backupBolt && isBolt:
			if err := os.MkdirAll(filepath.Dir(boltPath), 0o700); err != nil {
				return m, err
			}
			if err := WriteFileAtomic(boltPath, 0o600, func(out *os.File) error {
				_, err := io.Copy(out, tr)
				return err
			}); err != nil {
				return m, err
			}
			storeDone = true
		case hdr.Name == backupPostgres && !isBolt:
			tmp, err := os.CreateTemp("", "urna-restore-*")
			if err != nil {
				return m, err
			}
			defer os.Remove(tmp.Name())
			_, err = io.Copy(tmp, tr)
			tmp.Close()
			if err != nil {
				return m, err
			}
			if err := pgTool(ctx, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
				"--dbname="+db, tmp.Name()); err != nil {
				return m, err
			}
			storeDone = true
		default:
			return m, fmt.Errorf("%s: unexpected entry %q: %w", archive, hdr.Name, ErrNotBackup)
		}
	}
	if !storeDone {
		return m, fmt.Errorf("%s holds no store: %w", archive, ErrNotBackup)
	}
	if err := verifyBallots(ctx, db); err != nil {
		if isBolt {
			os.Remove(boltPath)
			os.Remove(boltPath + boltfile.MarkerSuffix)
		}
		return m, fmt.Errorf("%s: %w", archive, err)
	}
	for _, name := range m.Files {
		if err := WriteFileAtomic(filepath.Join(dir, name), 0o600, func(out *os.File) error {
			_, err := out.Write(files[name])
			return err
		}); err != nil {
			return m, err
		}
	}
	return m, nil
}

// verifyBallots checks every ballot of the restored store under its
// kiosk's key.
func verifyBallots(ctx context.Context, db string) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		if errors.Is(err, boltfile.ErrDamaged) {
			return fmt.Errorf("%w: %w", ErrAltered, err)
		}
		return err
	}
	defer st.Close()
	ks, err := st.Kiosks(ctx)
	if err != nil {
		return err
	}
	keys := map[string]ed25519.PublicKey{}
	for _, k := range ks {
		keys[k.ID] = k.PublicKey
	}
	return st.Ballots(ctx, func(s store.Stored) error {
		if pub, ok := keys[s.Ballot.Kiosk]; !ok || s.Ballot.Verify(pub) != nil {
			return fmt.Errorf("%w: ballot %d of kiosk %s", ErrAltered, s.Ballot.Seq, s.Ballot.Kiosk)
		}
		return nil
	})
}

// emptyPostgres checks that a database has no Urna tables yet.
func emptyPostgres(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('public.schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if exists {
		return fmt.Errorf("the database holds an Urna store: %w", ErrRestoreTarget)
	}
	return nil
}

// pgTool runs pg_dump or pg_restore: from PATH, or Debian's newest
// versioned folder (package postgresql-client).
func pgTool(ctx context.Context, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
		if len(matches) == 0 {
			return fmt.Errorf("%s is not installed (apt-get install postgresql-client)", name)
		}
		path = matches[len(matches)-1]
	}
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// WriteFileAtomic writes path through fill so that a crash or a power cut
// leaves either the old file or the whole new one: a temporary file in the
// same folder, fsync, rename over path, fsync of the folder (which makes
// the rename durable).
func WriteFileAtomic(path string, mode os.FileMode, fill func(*os.File) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename there is nothing left to remove
	err = fill(f)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
