package packaging

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
)

// unit is what the kiosk's systemd unit says about how to start it.
type unit struct {
	user      string
	env       []string
	execStart []string
}

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var u unit
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		switch k {
		case "User":
			u.user = v
		case "Environment":
			u.env = append(u.env, strings.Fields(v)...)
		case "ExecStart":
			u.execStart = strings.Fields(v)
		}
	}
	if u.user == "" || len(u.execStart) == 0 {
		t.Fatalf("%s: no User or ExecStart", path)
	}
	return u
}

// The kiosk session as shipped: the unit's cage command line, as an
// unprivileged user (cage refuses root), on wlroots' headless backend with
// Xwayland for GLFW. grim takes a screenshot and the attract screen is on it.
//
// Two things differ from a venue, because there is no enrolled kiosk here:
// `--config /etc/urna/kiosk.toml` becomes `--demo --data DIR` (the demo
// edition and a virtual printer on a pseudo-terminal), and the user is
// nobody instead of the package's urna user.
func TestKioskSessionUnderCage(t *testing.T) {
	cage := needs.Tool(t, "cage", "cage")
	grim := needs.Tool(t, "grim", "grim")
	needs.Tool(t, "Xwayland", "xwayland")
	if os.Geteuid() != 0 {
		needs.Missing(t, "starting the session as another user needs root (CI runs as root)")
	}
	u := readUnit(t, "kiosk/urna-kiosk.service")
	if u.user == "root" {
		t.Fatal("the kiosk unit runs as root")
	}
	bin := host.build(t)

	// An unprivileged user with its own runtime folder and home, as the
	// unit's RuntimeDirectory gives the urna user.
	const uid, gid = 65534, 65534                 // nobody, nogroup
	dir, err := os.MkdirTemp("", "urna-session-") // t.TempDir's parent is closed to other users
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	runtimeDir, home, data := filepath.Join(dir, "run"), filepath.Join(dir, "home"), filepath.Join(dir, "data")
	for _, d := range []string{runtimeDir, home, data} {
		os.Mkdir(d, 0o700)
		os.Chown(d, uid, gid)
	}
	auto := filepath.Join(data, "auto.json")

	var args []string
	for i := 0; i < len(u.execStart); i++ {
		a := u.execStart[i]
		switch {
		case a == "/usr/bin/urna-kiosk":
			args = append(args, filepath.Join(bin, "urna-kiosk"))
		case a == "--config":
			i++ // the venue's config: the demo below stands in for it
			args = append(args, "--demo", "--data", data, "--automation", auto)
		default:
			args = append(args, a)
		}
	}
	if args[0] != "/usr/bin/cage" {
		t.Fatalf("the unit does not start cage: %v", u.execStart)
	}
	args[0] = cage
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + home, "XDG_RUNTIME_DIR=" + runtimeDir,
		"WLR_BACKENDS=headless", "WLR_RENDERER=pixman", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_HEADLESS_OUTPUTS=1"}
	for _, e := range u.env {
		if !strings.HasPrefix(e, "XDG_RUNTIME_DIR=") {
			env = append(env, e)
		}
	}
	cred := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}, Setpgid: true}
	session := exec.Command(args[0], args[1:]...)
	session.Env, session.SysProcAttr, session.Dir = env, cred, home
	var log bytes.Buffer
	session.Stdout, session.Stderr = &log, &log
	if err := session.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- session.Wait() }()
	defer func() {
		syscall.Kill(-session.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-session.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("cage and kiosk log:\n%s", log.String())
		}
	}()

	// The kiosk says which screen it shows; wait for the attract screen.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var sc struct{ Screen string }
		if b, err := os.ReadFile(auto); err == nil && json.Unmarshal(b, &sc) == nil && (sc.Screen == "attract" || sc.Screen == "not-open") {
			// the first screen a resident meets: "not yet open" until staff open the point
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the session ended before the attract screen: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the kiosk did not show the attract screen within a minute")
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // Xwayland's buffer reaches the output

	shotPath := filepath.Join(dir, "session.png")
	shot := exec.Command(grim, shotPath)
	shot.Env, shot.SysProcAttr = append(env, "WAYLAND_DISPLAY=wayland-0"), &syscall.SysProcAttr{Credential: cred.Credential}
	shot.Dir = home
	os.Chown(dir, uid, gid)
	if out, err := shot.CombinedOutput(); err != nil {
		t.Fatalf("grim: %v\n%s", err, out)
	}
	if d := os.Getenv("URNA_SCREENSHOTS"); d != "" {
		os.MkdirAll(d, 0o755)
		b, _ := os.ReadFile(shotPath)
		os.WriteFile(filepath.Join(d, "cage-attract.png"), b, 0o644)
	}
	f, err := os.Open(shotPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colours, share := colourStats(img)
	t.Logf("screenshot %v: %d colours, the commonest covers %.0f%%", img.Bounds().Size(), colours, 100*share)
	// A blank or black output is one colour; the attract screen has text,
	// a logo and buttons on its background.
	if colours < 16 || share > 0.97 {
		t.Errorf("the screenshot looks blank: %d colours, one covers %.0f%%", colours, 100*share)
	}
}

// colourStats counts an image's distinct colours and the share of its
// commonest one.
func colourStats(img image.Image) (int, float64) {
	counts := map[uint64]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[uint64(r>>8)<<16|uint64(g>>8)<<8|uint64(bl>>8)]++
		}
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	return len(counts), float64(top) / float64(b.Dx()*b.Dy())
}
