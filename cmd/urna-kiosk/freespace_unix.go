//go:build !windows

package main

import "syscall"

// freeMB is the space left in the folder's file system, -1 when unknown.
func freeMB(dir string) int64 {
	var s syscall.Statfs_t
	if syscall.Statfs(dir, &s) != nil {
		return -1
	}
	return int64(s.Bavail) * int64(s.Bsize) >> 20
}
