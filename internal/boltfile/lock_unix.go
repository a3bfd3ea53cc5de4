//go:build !windows

package boltfile

import (
	"os"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// lock takes the flock bbolt takes (exclusive to write, shared to read),
// waiting up to timeout (0: no limit); bolt.ErrTimeout when it cannot.
func lock(path string, exclusive bool, timeout time.Duration) (func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK || (timeout > 0 && time.Now().After(deadline)) {
			f.Close()
			if err == syscall.EWOULDBLOCK {
				return nil, bolt.ErrTimeout
			}
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
