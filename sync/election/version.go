package election

import (
	"strconv"
	"strings"
)

// parseVersion reads "1.4.2", "v1.4", "1.4.2-rc1" (a pre-release, below
// 1.4.2): dotted numbers, an optional leading v, an optional -suffix. A
// "+build" suffix is ignored, as semver does.
func parseVersion(s string) (nums []int, pre string, ok bool) {
	s, _, _ = strings.Cut(strings.TrimPrefix(strings.TrimSpace(s), "v"), "+")
	s, pre, _ = strings.Cut(s, "-")
	if s == "" {
		return nil, "", false
	}
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || part != strconv.Itoa(n) {
			return nil, "", false
		}
		nums = append(nums, n)
	}
	return nums, pre, len(nums) <= 4
}

// VersionAtLeast reports whether a kiosk's version is at least min. A
// version that does not read as dotted numbers (a "dev" build) is never
// known to be new enough: with a minimum named, it is refused.
func VersionAtLeast(version, min string) bool {
	have, hpre, ok := parseVersion(version)
	need, npre, ok2 := parseVersion(min)
	if !ok || !ok2 {
		return false
	}
	for i := range max(len(have), len(need)) {
		h, n := at(have, i), at(need, i)
		if h != n {
			return h > n
		}
	}
	switch {
	case hpre == npre:
		return true
	case hpre == "": // a release is above its pre-releases
		return true
	case npre == "":
		return false
	}
	return hpre > npre
}

func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// KioskAllowed reports whether a kiosk running version may open its point
// under this edition: always when the edition names no minimum.
func (e *Edition) KioskAllowed(version string) bool {
	return e.MinKioskVersion == "" || VersionAtLeast(version, e.MinKioskVersion)
}
