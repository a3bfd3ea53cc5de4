package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// canReadWrite says whether this user may open the port (COM1, \\.\COM10)
// for reading and writing; a port another program holds cannot be opened.
func canReadWrite(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// freeMB is the space left for this user on the folder's volume.
func freeMB(dir string) (int64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &free, nil, nil); err != nil {
		return 0, err
	}
	return int64(free >> 20), nil
}

// isTerminal says whether f is a console.
func isTerminal(f *os.File) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) == nil
}
