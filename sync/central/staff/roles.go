package staff

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/proposals"
)

// RolesFileName is the roles file's name in the central's data folder.
const RolesFileName = "roles.json"

// ParseRoles reads a roles file: a JSON object of staff names (as in
// users.json) to their roles, {"anna": ["coordinator", "verifier"],
// "rada": ["council"]}. An unknown role is an error, not ignored, so that
// a typing mistake does not take a role away unnoticed.
func ParseRoles(raw []byte) (map[string][]proposals.Role, error) {
	var m map[string][]proposals.Role
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string][]proposals.Role{}
	}
	for user, rs := range m {
		for _, r := range rs {
			if !slices.Contains(proposals.Roles, r) {
				return nil, fmt.Errorf("%s: unknown role %q (coordinator, verifier, council)", user, r)
			}
		}
	}
	return m, nil
}

// rolesFile is a roles file read again when it changes, so that a city
// officer's edit takes effect without restarting the central.
type rolesFile struct {
	mu    sync.Mutex
	path  string
	seen  time.Time
	size  int64
	roles map[string][]proposals.Role
	err   error
	// damaged is told once per version of the file that does not read
	damaged func(error)
}

// get returns the file's roles; a missing file gives nil (every signed-in
// member has every role), a damaged one gives no roles at all.
func (f *rolesFile) get() (map[string][]proposals.Role, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fi, err := os.Stat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.roles, f.err, f.seen, f.size = nil, nil, time.Time{}, 0
		return nil, nil
	}
	if err != nil {
		return map[string][]proposals.Role{}, err
	}
	if !fi.ModTime().Equal(f.seen) || fi.Size() != f.size || (f.roles == nil && f.err == nil) {
		raw, err := os.ReadFile(f.path)
		if err == nil {
			f.roles, f.err = ParseRoles(raw)
		} else {
			f.roles, f.err = nil, err
		}
		f.seen, f.size = fi.ModTime(), fi.Size()
		if f.err != nil && f.damaged != nil {
			f.damaged(f.err)
		}
	}
	if f.err != nil {
		return map[string][]proposals.Role{}, f.err
	}
	return f.roles, nil
}
