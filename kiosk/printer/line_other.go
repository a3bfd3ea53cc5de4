//go:build !linux

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
