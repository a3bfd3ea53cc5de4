//go:build !linux

package printer

import "errors"

func setFlow(path, flow string) error {
	if flow == "none" {
		return nil
	}
	return errors.New("flow control is set on Linux only")
}
