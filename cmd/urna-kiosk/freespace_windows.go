package main

import "golang.org/x/sys/windows"

// freeMB is the space left on the folder's volume, -1 when unknown.
func freeMB(dir string) int64 {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return -1
	}
	var free uint64
	if windows.GetDiskFreeSpaceEx(p, &free, nil, nil) != nil {
		return -1
	}
	return int64(free >> 20)
}
