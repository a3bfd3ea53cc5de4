//go:build !linux && !windows

package printer

import (
	"errors"
	"os"
)

type line struct{ *os.File }

func openLine(path string, c Config) (*line, error) {
	return nil, errors.New("serial printers are supported on Linux only")
}

func lineFlow(l *line) (string, error) { return "", errors.New("Linux only") }

func openUSB(addr string) (link, error) { return os.OpenFile(addr, os.O_RDWR, 0) }

func notSerial(error) bool { return false }

func readRefused(error) bool { return false }
