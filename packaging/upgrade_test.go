package packaging

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
)

// nextVersion is the release the upgrade test moves to, built from the same code.
const nextVersion = "0.1.1"

var next = &target{goos: runtime.GOOS, goarch: runtime.GOARCH, cc: "gcc", ccPackage: "gcc",
	cmds: []string{"urna-kiosk", "urnactl", "urna-central"}, version: nextVersion}

// A venue updates a kiosk as docs/install.md says, with ballots still
// waiting to sync: the new package replaces the programs, and the queue,
// the kiosk's key and the edited configuration stay as they were.
func TestUpgradeKeepsPendingBallots(t *testing.T) {
	needs.Tool(t, "dpkg-deb", "dpkg")
	needs.Tool(t, "useradd", "passwd")
	if os.Geteuid() != 0 {
		needs.Missing(t, "installing into a throwaway root needs root (CI runs as root)")
	}
	dir := t.TempDir()
	dist := filepath.Join(dir, "dist")
	run(t, "", "./build-deb.sh", version, "amd64", host.build(t), dist)
	run(t, "", "./build-deb.sh", nextVersion, "amd64", next.build(t), dist)
	deb := func(v string) string { return filepath.Join(dist, "urna-kiosk_"+v+"_amd64.deb") }

	root := throwawayRoot(t, dir)
	dpkgInstall(t, root, deb(version))
	kdata := filepath.Join(root, "var/lib/urna-kiosk")
	cfgPath := filepath.Join(root, "etc/urna/kiosk.toml")
	cfg, _ := os.ReadFile(cfgPath)
	edited := strings.Replace(string(cfg), `venue = "CHANGE-ME"`, `venue = "nck"`, 1)
	os.WriteFile(cfgPath, []byte(edited), 0o644)

	// Ballots cast and not yet synced, in the kiosk's own store.
	const pending = 7
	q, err := queue.Open(filepath.Join(kdata, "kiosk.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kioskKey := fmt.Sprintf("%x", q.PublicKey())
	for i := range pending {
		b := election.Ballot{Edition: "krakow-2026", District: "d1", Selections: []election.Selection{
			{Pool: "city", Choices: []election.Choice{{Project: "c1", Points: 3}}}}}
		k := election.NewVoterKey([]byte("secret"), election.Identity{Kind: election.ByPESEL, Value: fmt.Sprint(i)})
		if _, err := q.Append(b, k, 1); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()

	dpkgInstall(t, root, deb(nextVersion))
	if v := run(t, "", "dpkg-query", "--admindir="+filepath.Join(root, "var/lib/dpkg"), "-W", "-f=${Version}", "urna-kiosk"); v != nextVersion {
		t.Errorf("installed version %q, want %s", v, nextVersion)
	}
	urnactl := filepath.Join(root, "usr/bin/urnactl")
	if v := strings.TrimSpace(run(t, "", urnactl, "--version")); v != "urnactl "+nextVersion {
		t.Errorf("urnactl --version after the upgrade: %q", v)
	}
	var st struct{ Ballots, Pending int }
	if err := json.Unmarshal([]byte(run(t, "", urnactl, "status", "--json", "--data", kdata)), &st); err != nil {
		t.Fatal(err)
	}
	if st.Ballots != pending || st.Pending != pending {
		t.Errorf("after the upgrade the new urnactl sees %d ballots, %d pending; want %d and %d", st.Ballots, st.Pending, pending, pending)
	}
	q, err = queue.Open(filepath.Join(kdata, "kiosk.db"), queue.Options{})
	if err != nil {
		t.Fatalf("the store after the upgrade: %v", err)
	}
	defer q.Close()
	if got := fmt.Sprintf("%x", q.PublicKey()); got != kioskKey {
		t.Error("the upgrade changed the kiosk's key")
	}
	if p, err := q.Pending(100); err != nil || len(p) != pending {
		t.Errorf("pending after the upgrade: %d, %v", len(p), err)
	}
	if cfg, _ := os.ReadFile(cfgPath); string(cfg) != edited {
		t.Errorf("the upgrade replaced the edited %s:\n%s", cfgPath, cfg)
	}
	if fi, err := os.Stat(kdata); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("%s after the upgrade: %v %v", kdata, fi, err)
	}
}
