//go:build !windows

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// canReadWrite says whether this user may read and write the device.
func canReadWrite(path string) error { return unix.Access(path, unix.R_OK|unix.W_OK) }

// freeMB is the space left for this user in the folder's file system.
func freeMB(dir string) (int64, error) {
	var s unix.Statfs_t
	if err := unix.Statfs(dir, &s); err != nil {
		return 0, err
	}
	return int64(s.Bavail) * int64(s.Bsize) >> 20, nil
}

// isTerminal says whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
