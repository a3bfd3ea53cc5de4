package central

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
)

// Manifest describes a backup.
type Manifest struct {
	Format  int       `json:"format"` // 1
	Created time.Time `json:"created"`
	Store   string    `json:"store"` // bolt or postgres
	Files   []string  `json:"files"` // from the data folder
}

// Errors of backup and restore that callers act on.
var (
	ErrRestoreTarget = errors.New("the restore target is not empty: restore into a new data folder and an empty store")
	ErrNotBackup     = errors.New("not an urna-central backup")
)

// Backup writes the data folder's keys and secrets and a consistent copy
// of the store into one tar archive at out, written atomically (a
// temporary file, fsync, rename, fsync of the folder). The store keeps
// serving meanwhile: bbolt is copied in one read transaction, PostgreSQL
// by pg_dump (dsn is the store's address). The archive holds the secrets:
// it is made readable by its owner only.
func Backup(ctx context.Context, dir string, st store.Store, dsn, out string) (Manifest, error) {
	m := Manifest{Format: 1, Created: time.Now().UTC()}
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
		f, err := os.CreateTemp(filepath.Dir(out), ".pgdump-*")
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
	err := WriteFileAtomic(out, 0o600, func(f *os.File) error {
		tw := tar.NewWriter(f)
		add := func(name string, size int64, mode int64) error {
			return tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: mode, ModTime: m.Created, Typeflag: tar.TypeReg})
		}
		manifest, _ := json.MarshalIndent(m, "", "  ")
		if err := add(backupManifest, int64(len(manifest)), 0o600); err != nil {
			return err
		}
		if _, err := tw.Write(manifest); err != nil {
			return err
		}
		for _, name := range m.Files {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			if err := add(name, int64(len(raw)), 0o600); err != nil {
				return err
			}
			if _, err := tw.Write(raw); err != nil {
				return err
			}
		}
		if b, ok := st.(*store.Bolt); ok {
			if err := b.CopyTo(func(size int64) (io.Writer, error) { return tw, add(backupBolt, size, 0o600) }); err != nil {
				return err
			}
		} else {
			d, err := os.Open(dump)
			if err != nil {
				return err
			}
			defer d.Close()
			fi, err := d.Stat()
			if err != nil {
				return err
			}
			if err := add(backupPostgres, fi.Size(), 0o600); err != nil {
				return err
			}
			if _, err := io.Copy(tw, d); err != nil {
				return err
			}
		}
		return tw.Close()
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return m, err
	}
	tr := tar.NewReader(f)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != backupManifest {
		return m, fmt.Errorf("%s: %w", archive, ErrNotBackup)
	}
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil || m.Format != 1 {
		return m, fmt.Errorf("%s: %w", archive, ErrNotBackup)
	}
	if (m.Store == "bolt") != isBolt {
		return m, fmt.Errorf("the backup holds a %s store; restore it with --db %s", m.Store, map[bool]string{true: "bolt:PATH", false: "postgres://…"}[m.Store == "bolt"])
	}
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
		case slices.Contains(m.Files, hdr.Name):
			if err := WriteFileAtomic(filepath.Join(dir, hdr.Name), 0o600, func(out *os.File) error {
				_, err := io.Copy(out, tr)
				return err
			}); err != nil {
				return m, err
			}
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
	return m, nil
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
