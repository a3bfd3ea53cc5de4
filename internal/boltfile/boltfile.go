// Package boltfile opens a program's bbolt file so that damage is named,
// never taken for a new store and never a crash: a marker beside the file
// says a store was set up there, the file's size is checked against its
// meta page and its whole page tree is walked (without mapping it) before
// bbolt maps it, and bbolt's panics at open become errors.
package boltfile

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/urna-kiosk/urna/internal/atomicfile"
)

// MarkerSuffix names the marker kept beside a store: kiosk.db.created.
const MarkerSuffix = ".created"

// Translation keys of the sentences staff see for a damaged store.
const (
	KeyMissing = "store.missing" // the marker says a store was set up here, the file is gone or empty
	KeyDamaged = "store.damaged" // the file is there but cannot be read
)

// ErrDamaged is what every *DamagedError is (errors.Is).
var ErrDamaged = errors.New("the store is damaged")

// DamagedError says which store is damaged and how. Key is the
// translation key of the sentence staff see, with {path} and {salvage}.
type DamagedError struct {
	Path   string
	Key    string
	Reason string
	Err    error // the program's own finding, if any (a broken chain)
}

// Unwrap gives Err.
func (e *DamagedError) Unwrap() error { return e.Err }

func (e *DamagedError) Error() string {
	if e.Key == KeyMissing {
		return fmt.Sprintf("%s: %s, although %s%s says a store was set up here: restore it from a backup or salvage it; it is not replaced by a new, empty one (remove the marker only to start one on purpose)", e.Path, e.Reason, e.Path, MarkerSuffix)
	}
	return fmt.Sprintf("%s is damaged (%s): salvage the ballots that can still be read into a new store", e.Path, e.Reason)
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// Check reads the bbolt file at path without mapping it: both meta pages,
// the file's size against the one in use, and every page of the tree.
func Check(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	f, err := openFile(fh, fi.Size())
	if err != nil {
		return err
	}
	return f.check()
}

// Open opens the bbolt file at path. A new file is made only where no
// store was set up before; then the marker is written (durably, which
// makes the new file's name durable too). A missing or empty file where
// the marker is, a file cut short and damaged pages give a *DamagedError.
func Open(path string, opts *bolt.Options) (*bolt.DB, error) {
	o := bolt.Options{}
	if opts != nil {
		o = *opts
	}
	marker := path + MarkerSuffix
	_, err := os.Stat(marker)
	marked := err == nil
	fi, err := os.Stat(path)
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, err
	case marked && err != nil:
		return nil, &DamagedError{Path: path, Key: KeyMissing, Reason: "the file is missing"}
	case marked && fi.Size() == 0:
		return nil, &DamagedError{Path: path, Key: KeyMissing, Reason: "the file is empty (0 bytes)"}
	case o.ReadOnly && err != nil:
		return nil, err
	case err == nil && fi.Size() > 0:
		// under the file's lock, as bbolt takes it: a process writing the
		// file meanwhile would make a sound file look damaged
		unlock, err := lock(path, !o.ReadOnly, o.Timeout)
		if err != nil {
			return nil, err
		}
		err = check(path)
		unlock()
		if err != nil {
			return nil, &DamagedError{Path: path, Key: KeyDamaged, Reason: err.Error()}
		}
	}
	// The freelist is rebuilt by walking every page; do it inside Open,
	// where a panic is recovered, rather than at the first write.
	o.PreLoadFreelist = !o.ReadOnly
	var db *bolt.DB
	err = Guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &o)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !marked && !o.ReadOnly {
		stamp := []byte("a bbolt store was set up here at " + time.Now().UTC().Format(time.RFC3339) + "; if the store beside this file is gone or empty, the program refuses to start rather than make a new one\n")
		if err := atomicfile.Write(marker, stamp, 0o600); err != nil {
			db.Close()
			return nil, fmt.Errorf("mark the new store: %w", err)
		}
	}
	return db, nil
}

// Guard runs fn and turns a panic in it (bbolt panics on damaged pages,
// and with SetPanicOnFault a fault on the mapped file panics too) into a
// *DamagedError for the store at path.
func Guard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{Path: path, Key: KeyDamaged, Reason: fmt.Sprint("bbolt: ", r)}
		}
	}()
	return fn()
}

var check = Check
