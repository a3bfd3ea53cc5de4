//go:build !linux

package virtual

import (
	"errors"
	"os"
)

// errNoPTY: the virtual printer is a Linux pseudo-terminal; elsewhere (the
// Windows build) only its parser and renderer are there.
var errNoPTY = errors.New("the virtual printer needs a Linux pseudo-terminal")

func openPTY() (master, slave *os.File, err error) { return nil, nil, errNoPTY }

func makeRaw(f *os.File) error { return errNoPTY }
