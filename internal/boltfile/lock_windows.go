package boltfile

import (
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/windows"
)

// lock takes the lock bbolt takes on Windows: LockFileEx on the one byte
// at offset 2^64-1, past the end of any file, so that the check's reads
// are not refused while the range is held (exclusive to write, shared to
// read), waiting up to timeout (0: no limit); bolt.ErrTimeout when it
// cannot.
func lock(path string, exclusive bool, timeout time.Duration) (func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	h := windows.Handle(f.Fd())
	at := func() *windows.Overlapped { return &windows.Overlapped{Offset: ^uint32(0), OffsetHigh: ^uint32(0)} }
	deadline := time.Now().Add(timeout)
	for {
		err := windows.LockFileEx(h, flags, 0, 1, 0, at())
		if err == nil {
			return func() { windows.UnlockFileEx(h, 0, 1, 0, at()); f.Close() }, nil
		}
		if err != windows.ERROR_LOCK_VIOLATION || (timeout > 0 && time.Now().After(deadline)) {
			f.Close()
			if err == windows.ERROR_LOCK_VIOLATION {
				return nil, bolt.ErrTimeout
			}
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
