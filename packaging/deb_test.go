// Package packaging's test builds the Debian packages, inspects them, and
// installs them into a throwaway root where it follows docs/install.md.
package packaging

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/loopback"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
)

const version = "0.1.0"

func run(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func TestDebianPackages(t *testing.T) {
	for _, tool := range [][2]string{{"dpkg-deb", "dpkg"}, {"lintian", "lintian"}, {"systemd-analyze", "systemd"}, {"useradd", "passwd"}, {"cage", "cage"}} {
		needs.Tool(t, tool[0], tool[1])
	}
	if os.Geteuid() != 0 {
		needs.Missing(t, "installing into a throwaway root needs root (CI runs as root)")
	}
	dir := t.TempDir()
	bin, dist := host.build(t), filepath.Join(dir, "dist")
	run(t, "", "./build-deb.sh", version, "amd64", bin, dist)
	debs := map[string]string{
		"urna-central": filepath.Join(dist, "urna-central_"+version+"_amd64.deb"),
		"urna-kiosk":   filepath.Join(dist, "urna-kiosk_"+version+"_amd64.deb"),
	}
	contents := map[string][]string{
		"urna-central": {"./etc/urna/central.env", "./lib/systemd/system/urna-central.service", "./usr/bin/urna-central",
			"./usr/share/doc/urna-central/changelog.gz", "./usr/share/doc/urna-central/copyright", "./usr/share/doc/urna-central/install.md",
		},
		"urna-kiosk": {"./etc/urna/kiosk.toml", "./lib/systemd/system/urna-kiosk.service", "./lib/udev/rules.d/60-urna-printer.rules",
			"./usr/bin/urna-kiosk", "./usr/bin/urnactl", "./usr/share/applications/org.urna.kiosk.desktop",
			"./usr/share/doc/urna-kiosk/changelog.gz",
			"./usr/share/doc/urna-kiosk/copyright", "./usr/share/doc/urna-kiosk/install.md",
			"./usr/share/icons/hicolor/512x512/apps/org.urna.kiosk.png",
		},
	}
	for pkg, cmds := range map[string][]string{"urna-central": {"urna-central"}, "urna-kiosk": {"urna-kiosk", "urnactl"}} {
		for _, c := range cmds {
			contents[pkg] = append(contents[pkg], shippedDocs(t, bin, c)...)
		}
		slices.Sort(contents[pkg])
	}
	for pkg, deb := range debs {
		info := run(t, "", "dpkg-deb", "--info", deb)
		for _, want := range []string{"Package: " + pkg, "Version: " + version, "Architecture: amd64", "Depends: libc6", "postinst", "conffiles"} {
			if !strings.Contains(info, want) {
				t.Errorf("%s info lacks %q:\n%s", pkg, want, info)
			}
		}
		var files []string
		for _, line := range strings.Split(run(t, "", "dpkg-deb", "--contents", deb), "\n") {
			f := strings.Fields(line)
			if len(f) >= 6 && !strings.HasSuffix(f[5], "/") {
				files = append(files, f[5])
				if f[1] != "root/root" {
					t.Errorf("%s: %s owned by %s", pkg, f[5], f[1])
				}
			}
		}
		slices.Sort(files)
		if !slices.Equal(files, contents[pkg]) {
			t.Errorf("%s ships %v\nwant %v", pkg, files, contents[pkg])
		}
		lint := exec.Command("lintian", "--fail-on", "error", deb)
		out, err := lint.CombinedOutput()
		if err != nil || regexp.MustCompile(`(?m)^E: `).Match(out) {
			t.Errorf("lintian reports errors for %s:\n%s", pkg, out)
		}
		t.Logf("lintian %s: %d warnings, no errors", pkg, strings.Count(string(out), "\nW: ")+strings.Count(string(out), "W: ")/2)
	}

	root := throwawayRoot(t, dir)
	dpkgInstall(t, root, debs["urna-central"], debs["urna-kiosk"])
	passwd, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
	for _, u := range []string{"urna:", "urna-central:"} {
		if !strings.Contains(string(passwd), "\n"+u) {
			t.Fatalf("postinst did not create %s", u)
		}
	}
	for _, d := range []string{"var/lib/urna-kiosk", "var/lib/urna-central"} {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v", d, fi, err)
		}
	}
	conf := run(t, "", "dpkg-query", "--admindir="+filepath.Join(root, "var/lib/dpkg"), "-W", "-f=${Conffiles}\n", "urna-kiosk", "urna-central")
	if !strings.Contains(conf, "/etc/urna/kiosk.toml") || !strings.Contains(conf, "/etc/urna/central.env") {
		t.Fatalf("conffiles: %s", conf)
	}
	// The units verify in that root, with systemd's own units and cage
	// where their packages would put them.
	cage, _ := exec.LookPath("cage")
	run(t, "", "cp", cage, filepath.Join(root, "usr/bin/cage"))
	run(t, "", "cp", "-a", "/lib/systemd/system/.", filepath.Join(root, "lib/systemd/system/"))
	for _, unit := range []string{"urna-central.service", "urna-kiosk.service"} {
		out, err := exec.Command("systemd-analyze", "verify", "--root="+root, "/lib/systemd/system/"+unit).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze verify %s: %v\n%s", unit, err, out)
		}
	}

	shellDocs(t, root)

	// docs/install.md, step by step, in the root (paths under it).
	rbin := func(name string) string { return filepath.Join(root, "usr/bin", name) }
	cdata := filepath.Join(root, "var/lib/urna-central")
	run(t, "", rbin("urna-central"), "init", "--data", cdata)
	edition := filepath.Join(dir, "edition.json")
	os.WriteFile(edition, demoEditionOpenNow(t), 0o644)
	run(t, "", rbin("urna-central"), "catalog", "import", "--data", cdata, edition)
	run(t, "", rbin("urna-central"), "catalog", "publish", "--data", cdata)
	run(t, "a long password\n", rbin("urna-central"), "user", "add", "anna", "--data", cdata)
	code := strings.TrimSpace(run(t, "", rbin("urna-central"), "enroll-code", "--data", cdata, "--venue", "nck"))
	addr := loopback.Addr(t)
	serve := exec.Command(rbin("urna-central"), "serve", "--data", cdata, "--listen", addr, "--insecure-http")
	var serveLog bytes.Buffer
	serve.Stdout, serve.Stderr = &serveLog, &serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Kill(); serve.Wait() }()
	waitTCP(t, addr)

	// The printer: a virtual one on a pseudo-terminal.
	prof, _ := printer.LookupProfile("epson-tm-t20")
	v, err := virtual.Start(virtual.Options{Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	probe := run(t, "", rbin("urnactl"), "printer", "probe", "--port", v.Path())
	if !strings.Contains(probe, "answers at 9600 baud") {
		t.Fatalf("probe: %s", probe)
	}
	run(t, "", rbin("urnactl"), "printer", "test", "--port", v.Path(), "--profile", "epson-tm-t20", "--baud", "9600")
	if pages, err := v.WaitPages(1, 5*time.Second); err != nil || !strings.Contains(pages[0].Text(), "STRONA TESTOWA") {
		t.Fatalf("test page: %v", err)
	}
	staff := strings.TrimSpace(run(t, "", rbin("urnactl"), "pin-hash", "1234"))
	tech := strings.TrimSpace(run(t, "", rbin("urnactl"), "pin-hash", "97531"))
	kdata := filepath.Join(root, "var/lib/urna-kiosk")
	cfgPath := filepath.Join(root, "etc/urna/kiosk.toml")
	cfg, _ := os.ReadFile(cfgPath)
	edited := strings.NewReplacer(`venue = "CHANGE-ME"`, `venue = "nck"`, `"/var/lib/urna-kiosk"`, fmt.Sprintf("%q", kdata),
		`address = "/dev/urna-printer"`, fmt.Sprintf("address = %q", v.Path()),
		`staff_pin_hash = ""`, fmt.Sprintf("staff_pin_hash = %q", staff), `technician_pin_hash = ""`, fmt.Sprintf("technician_pin_hash = %q", tech),
		`baud = 19200`, `baud = 9600`).Replace(string(cfg))
	os.WriteFile(cfgPath, []byte(edited), 0o644)
	enrolled := run(t, "", rbin("urnactl"), "enroll", "--data", kdata, "--server", "http://"+addr, "--code", code)
	if !strings.Contains(enrolled, "at venue nck; catalog version 1") {
		t.Fatalf("enroll: %s", enrolled)
	}
	doctor := exec.Command(rbin("urnactl"), "doctor", "--config", cfgPath)
	doctor.Env = append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=")
	out, err := doctor.CombinedOutput()
	if err != nil {
		t.Fatalf("doctor: %v\n%s\ncentral log:\n%s", err, out, serveLog.String())
	}
	for _, want := range []string{"✓ config", "✓ fonts", "✓ device", "✓ printer", "✓ disk", "✓ store", "✓ enrollment", "✓ clock", "! display"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	t.Logf("urnactl doctor in the throwaway root:\n%s", out)
}

// throwawayRoot makes a root with an empty dpkg database and the host's users.
func throwawayRoot(t *testing.T, dir string) string {
	root := filepath.Join(dir, "root")
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc", "usr/bin"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644)
	for _, f := range []string{"passwd", "group", "shadow", "gshadow", "login.defs"} {
		if b, err := os.ReadFile("/etc/" + f); err == nil {
			os.WriteFile(filepath.Join(root, "etc", f), b, 0o644)
		}
	}
	return root
}

// dpkgInstall installs (or upgrades to) the packages in the root, the way
// `apt-get install ./x.deb` would without the dependencies.
func dpkgInstall(t *testing.T, root string, debs ...string) string {
	t.Helper()
	return run(t, "", "dpkg", append([]string{"--root=" + root, "--force-script-chrootless", "--force-depends", "--force-confold", "--log=/dev/null", "-i"}, debs...)...)
}

func demoEditionOpenNow(t *testing.T) []byte {
	// The demo edition, its window moved to today.
	raw := assets.DemoEdition()
	now := time.Now().UTC()
	r := strings.NewReplacer(`"opens": "2025-06-01T00:00:00+02:00"`, fmt.Sprintf("%q: %q", "opens", now.Add(-time.Hour).Format(time.RFC3339)),
		`"closes": "2025-06-15T00:00:00+02:00"`, fmt.Sprintf("%q: %q", "closes", now.Add(14*24*time.Hour).Format(time.RFC3339)))
	out := r.Replace(string(raw))
	if out == string(raw) {
		t.Fatal("the demo edition's window was not moved")
	}
	return []byte(out)
}

func waitTCP(t *testing.T, addr string) {
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the central did not start")
}

// shippedDocs are the files a command's package ships from its command
// tree: a manual page for it and each of its commands, and its bash, zsh
// and fish completions.
func shippedDocs(t *testing.T, bin, command string) []string {
	t.Helper()
	dir := t.TempDir()
	run(t, "", filepath.Join(bin, command), "__man", dir)
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if !slices.Contains(pages, filepath.Join(dir, command+".1")) {
		t.Fatalf("%s __man wrote no %s.1: %v", command, command, pages)
	}
	files := []string{"./usr/share/bash-completion/completions/" + command, "./usr/share/zsh/vendor-completions/_" + command,
		"./usr/share/fish/vendor_completions.d/" + command + ".fish"}
	for _, p := range pages {
		files = append(files, "./usr/share/man/man1/"+filepath.Base(p)+".gz")
	}
	return files
}

// shellDocs: the installed completions complete commands and flags in bash
// (with Debian's bash-completion) and fish, zsh reads its scripts, and the
// manual pages format without warnings.
func shellDocs(t *testing.T, root string) {
	t.Helper()
	bash, fish, zsh := needs.Tool(t, "bash", "bash"), needs.Tool(t, "fish", "fish"), needs.Tool(t, "zsh", "zsh")
	needs.Tool(t, "man", "man-db")
	if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
		needs.Missing(t, "Debian's bash-completion (apt-get install bash-completion)")
	}
	path := "PATH=" + filepath.Join(root, "usr/bin") + ":" + os.Getenv("PATH")
	complete := func(shell string, args ...string) string {
		cmd := exec.Command(shell, args...)
		cmd.Env = append(os.Environ(), path, "LANG=pl_PL.UTF-8")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s %v: %v\n%s", shell, args, err, out)
		}
		return string(out)
	}
	for _, c := range []struct{ command, line, want string }{
		{"urna-central", "urna-central ser", "serve"},
		{"urna-central", "urna-central serve --metrics-l", "--metrics-listen"},
		{"urna-central", "urna-central kiosk ", "set-aside"},
		{"urnactl", "urnactl printer ", "probe"},
		{"urna-kiosk", "urna-kiosk --de", "--demo"},
	} {
		words := strings.Fields(c.line)
		if strings.HasSuffix(c.line, " ") {
			words = append(words, "")
		}
		script := fmt.Sprintf(`source /usr/share/bash-completion/bash_completion
source %s
COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=%q; COMP_POINT=${#COMP_LINE}
__start_%s
printf '%%s\n' "${COMPREPLY[@]}"`, filepath.Join(root, "usr/share/bash-completion/completions", c.command),
			`"`+strings.Join(words, `" "`)+`"`, len(words)-1, c.line, c.command)
		if out := complete(bash, "-c", script); !slices.Contains(strings.Fields(out), c.want) {
			t.Errorf("bash completes %q with %q, want %s", c.line, out, c.want)
		}
		fishScript := fmt.Sprintf("source %s; complete -C %q", filepath.Join(root, "usr/share/fish/vendor_completions.d", c.command+".fish"), c.line)
		if out := complete(fish, "--no-config", "-c", fishScript); !strings.Contains(out, c.want+"\t") && !strings.Contains(out, c.want+"\n") {
			t.Errorf("fish completes %q with %q, want %s", c.line, out, c.want)
		}
	}
	zshScripts, _ := filepath.Glob(filepath.Join(root, "usr/share/zsh/vendor-completions/_*"))
	pages, _ := filepath.Glob(filepath.Join(root, "usr/share/man/man1/*.1.gz"))
	if len(zshScripts) != 3 || len(pages) < 3 {
		t.Fatalf("zsh completions %v, manual pages %v", zshScripts, pages)
	}
	for _, z := range zshScripts {
		complete(zsh, "-n", z)
	}
	for _, p := range pages {
		cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", p)
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANROFFSEQ=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man %s: %v\n%s", filepath.Base(p), err, stderr.String())
		}
	}
}

// TestDebManPagesAndCompletionsForeignArch: with another architecture's
// binaries (here ones that cannot run), build-deb.sh still generates the
// manual pages and completions, from a build of its own for this machine.
func TestDebManPagesAndCompletionsForeignArch(t *testing.T) {
	needs.Tool(t, "dpkg-deb", "dpkg")
	bin, dist := t.TempDir(), filepath.Join(t.TempDir(), "dist")
	for _, c := range []string{"urna-central", "urna-kiosk", "urnactl"} {
		if err := os.WriteFile(filepath.Join(bin, c), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run(t, "", "./build-deb.sh", version, "arm64", bin, dist)
	for pkg, cmds := range map[string][]string{"urna-central": {"urna-central"}, "urna-kiosk": {"urna-kiosk", "urnactl"}} {
		contents := run(t, "", "dpkg-deb", "--contents", filepath.Join(dist, pkg+"_"+version+"_arm64.deb"))
		for _, c := range cmds {
			for _, want := range []string{"./usr/share/man/man1/" + c + ".1.gz", "./usr/share/bash-completion/completions/" + c,
				"./usr/share/zsh/vendor-completions/_" + c, "./usr/share/fish/vendor_completions.d/" + c + ".fish"} {
				if !strings.Contains(contents, " "+want+"\n") {
					t.Errorf("%s lacks %s:\n%s", pkg, want, contents)
				}
			}
		}
	}
}
