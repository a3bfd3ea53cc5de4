package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/internal/loopback"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
)

// TestPreparedBallotEndToEnd: a resident plans at home in Chromium (with
// JavaScript on, and another with it off) on a real `urna-central serve`;
// the page's QR code is read with zbarimg and typed into the real kiosk
// binary under Xvfb as a keyboard-mode scanner types it (prefix, a fast
// burst, Enter); each resident identifies, confirms on review, and the
// central's check page says the ballot counts. The kiosk stored exactly the
// planned choices.
func TestPreparedBallotEndToEnd(t *testing.T) {
	began := time.Now()
	xvfb := needs.Tool(t, "Xvfb", "xvfb")
	xdotool := needs.Tool(t, "xdotool", "xdotool")
	zbar := needs.Tool(t, "zbarimg", "zbar-tools")
	user := asUser(t)
	dir, err := os.MkdirTemp("", "urna-plan-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", bin+"/", "../urna-central", "../urnactl", ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	as := func(stdin string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		if user != "" {
			cmd = exec.Command("runuser", append([]string{"-u", user, "--", filepath.Join(bin, name)}, args...)...)
		}
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	if user != "" {
		if out, err := exec.Command("chown", "-R", user, dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}

	// The central: the demo edition open today at the NCK (district XVIII).
	ed := assets.MustDemoEdition()
	ed.Opens, ed.Closes = time.Now().Add(-time.Hour), time.Now().Add(14*24*time.Hour)
	for i := range ed.Venues {
		ed.Venues[i].Hours = nil
	}
	var raw bytes.Buffer
	if err := election.EncodeEdition(&raw, ed); err != nil {
		t.Fatal(err)
	}
	edition := filepath.Join(dir, "edition.json")
	os.WriteFile(edition, raw.Bytes(), 0o644)
	cdata, kdata := filepath.Join(dir, "central"), filepath.Join(dir, "kiosk")
	as("", "urna-central", "init", "--data", cdata)
	as("", "urna-central", "catalog", "import", "--data", cdata, edition)
	as("", "urna-central", "catalog", "publish", "--data", cdata)
	enrollCode := strings.TrimSpace(as("", "urna-central", "enroll-code", "--data", cdata, "--venue", "nck"))
	addr := loopback.Addr(t)
	serve := exec.Command(filepath.Join(bin, "urna-central"), "serve", "--data", cdata, "--listen", addr, "--insecure-http")
	if user != "" {
		serve = exec.Command("runuser", "-u", user, "--", filepath.Join(bin, "urna-central"), "serve", "--data", cdata, "--listen", addr, "--insecure-http")
	}
	var serveLog bytes.Buffer
	serve.Stdout, serve.Stderr = &serveLog, &serveLog
	serve.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-serve.Process.Pid, syscall.SIGKILL)
		serve.Wait()
		if t.Failed() {
			t.Logf("central log:\n%s", serveLog.String())
		}
	}()
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 200 {
			t.Fatal("the central did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	base := "http://" + addr
	t.Logf("central up at %v", time.Since(began).Round(time.Millisecond))

	// Two residents plan at home: JavaScript on, then off.
	var plans []election.Ballot
	var payloads []string
	city, district := ed.ProjectsIn("city"), ed.ProjectsIn("d18")
	for i, args := range [][]string{nil, {browser.NoScript}} {
		picks := [][2]string{{city[i].Number, "3 pkt"}, {city[i+2].Number, "2 pkt"}, {city[i+4].Number, "1 pkt"},
			{district[i].Number, "3 pkt"}, {district[i+1].Number, "2 pkt"}, {district[i+2].Number, "1 pkt"}}
		payload := planInChromium(t, args, base, picks, zbar, dir)
		b, dropped, err := election.DecodePlan(ed, payload)
		if err != nil || len(dropped) > 0 || len(ed.Validate(b)) > 0 || b.District != "d18" {
			t.Fatalf("the planner's QR %q: %v %v %v", payload, err, dropped, ed.Validate(b))
		}
		plans, payloads = append(plans, b), append(payloads, payload)
	}

	t.Logf("planned at %v", time.Since(began).Round(time.Millisecond))
	// The kiosk, enrolled at the NCK, with a virtual printer.
	staffHash := strings.TrimSpace(as("", "urnactl", "pin-hash", "1234"))
	techHash := strings.TrimSpace(as("", "urnactl", "pin-hash", "97531"))
	cfg := filepath.Join(dir, "kiosk.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("venue = \"nck\"\ndata = %q\nfullscreen = false\nstaff_pin_hash = %q\ntechnician_pin_hash = %q\n"+
		"[printer]\naddress = \"virtual\"\nprofile = \"epson-tm-t20\"\n", kdata, staffHash, techHash)), 0o644)
	if user != "" {
		exec.Command("chown", user, cfg).Run()
	}
	as("", "urnactl", "enroll", "--data", kdata, "--server", base, "--code", enrollCode)

	display := startXvfb(t, xvfb, "1080x1920")
	auto := filepath.Join(dir, "auto.json")
	kargs := []string{"--config", cfg, "--size", "1080x1920", "--automation", auto}
	k := exec.Command(filepath.Join(bin, "urna-kiosk"), kargs...)
	if user != "" {
		k = exec.Command("runuser", append([]string{"-u", user, "--", filepath.Join(bin, "urna-kiosk")}, kargs...)...)
	}
	k.Env = append(os.Environ(), "DISPLAY="+display, "LANG=pl_PL.UTF-8")
	k.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logPath := filepath.Join(dir, "kiosk.log")
	logf, _ := os.Create(logPath)
	k.Stdout, k.Stderr = logf, logf
	if err := k.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			syscall.Kill(-k.Process.Pid, syscall.SIGKILL)
			k.Wait()
		}
	}
	defer func() {
		stop()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("kiosk log:\n%s", b)
		}
	}()
	s := &smoke{t: t, display: display, auto: auto, xdotool: xdotool}
	s.wait("not-open")
	s.openAndUnlock()
	trackerRE := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	for i, payload := range payloads {
		if i > 0 {
			s.tap("done", "Zakończ", 0)
			s.tap("ask-staff", "Obsługa: odblokuj kartę", 0)
			for _, d := range "1234" {
				s.tap("staff-pin", string(d), 0)
			}
			s.tap("staff-pin", "OK", 0)
		}
		s.wait("identity")
		// the scanner: its prefix, the code in a burst, Enter (a carriage
		// return: xdotool types "\n" as Linefeed, which no scanner sends)
		for _, keys := range [][]string{{"type", "--delay", "4", "]Q1" + payload}, {"key", "Return"}} {
			typer := exec.Command(xdotool, keys...)
			typer.Env = append(os.Environ(), "DISPLAY="+display)
			if out, err := typer.CombinedOutput(); err != nil {
				t.Fatalf("xdotool %s: %v %s", keys[0], err, out)
			}
		}
		t.Logf("scanned at %v", time.Since(began).Round(time.Millisecond))
		logText := waitLog(t, logPath, "plan-read", i+1, s.read().Screen)
		if strings.Contains(logText, payload) {
			t.Fatal("the kiosk logged the plan code")
		}
		for _, d := range []string{"44051401359", "02270803624"}[i] {
			s.tap("identity", string(d), 0)
		}
		s.tap("identity", "☐ Oświadczam", 0)
		s.tap("identity", "Dalej", 0)
		s.tap("review", "Zatwierdzam", 0) // straight to review: the plan filled both pools
		s.wait("done")

		page := filepath.Join(kdata, "printer", fmt.Sprintf("page-%04d.txt", i+2)) // after the opening report
		var receipt []byte
		for j := 0; j < 100 && len(receipt) == 0; j++ {
			time.Sleep(100 * time.Millisecond)
			receipt, _ = os.ReadFile(page)
		}
		tracker := trackerRE.FindString(string(receipt))
		if tracker == "" {
			t.Fatalf("no tracker on the receipt:\n%s", receipt)
		}
		// the central counts it (the agent uploads within a second or two)
		var check string
		for j := 0; j < 150 && !strings.Contains(check, "jest liczony"); j++ {
			time.Sleep(200 * time.Millisecond)
			if resp, err := http.Get(base + "/check/" + tracker + "?lang=pl"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				check = string(b)
			}
		}
		if !strings.Contains(check, "Twój głos dotarł do urzędu i jest liczony") {
			t.Fatalf("the central does not count %s:\n%.1500s", tracker, check)
		}
	}
	t.Logf("counted at %v", time.Since(began).Round(time.Millisecond))
	stop()
	q, err := queue.Open(filepath.Join(kdata, "kiosk.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ballots, err := q.Ballots()
	if err != nil || len(ballots) != len(plans) {
		t.Fatalf("%d ballots stored: %v", len(ballots), err)
	}
	for i, sb := range ballots {
		got := election.Ballot{Edition: sb.Edition, District: sb.District, Selections: sb.Selections}
		if !sameChoices(got, plans[i]) {
			t.Errorf("ballot %d: stored %+v, planned %+v", i, got, plans[i])
		}
	}
}

// planInChromium picks projects in the planner with Chromium (args: its
// extra flags), screenshots the page with the finished code and returns
// what zbarimg reads from the QR code on it.
func planInChromium(t *testing.T, args []string, base string, picks [][2]string, zbar, dir string) string {
	t.Helper()
	b := browser.StartWith(t, args...)
	defer b.Close()
	b.Go(base + "/plan?lang=pl")
	b.Click(b.Find(`.districts a[href*="d=d18"]`))
	b.Wait("/plan", "Twój kod do kiosku")
	for _, p := range picks {
		src := b.Source()
		i := strings.Index(src, `<span class="num">`+p[0]+`</span>`)
		if i < 0 {
			t.Fatalf("project %s not on the planner's page", p[0])
		}
		m := regexp.MustCompile(`<a href="([^"]+)"[^>]*>` + regexp.QuoteMeta(p[1]) + `</a>`).FindStringSubmatch(src[i:])
		if m == nil {
			t.Fatalf("no %q for %s", p[1], p[0])
		}
		href := html.UnescapeString(m[1])
		b.Click(b.Find(`a[href="` + href + `"]`))
		for j := 0; !strings.HasSuffix(b.URL(), href); j++ {
			if j > 600 {
				t.Fatalf("did not reach %s", href)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	b.Wait("/plan", "Karta jest kompletna")
	// the page as the resident holds it up: its top, where the code is
	b.Go(strings.SplitN(b.URL(), "#", 2)[0] + "#code")
	b.Wait("/plan", "Karta jest kompletna")
	shot := filepath.Join(dir, fmt.Sprintf("planner-%d.png", len(args)))
	b.Screenshot(shot)
	if d := os.Getenv("URNA_SCREENSHOTS"); d != "" {
		os.MkdirAll(d, 0o755)
		raw, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(d, filepath.Base(shot)), raw, 0o644)
	}
	out, err := exec.Command(zbar, "--raw", "-q", shot).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code on the planner's page: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// waitLog waits until the kiosk's log has n lines with event (screen: what
// the kiosk showed, for the failure).
func waitLog(t *testing.T, path, event string, n int, screen string) string {
	t.Helper()
	var text string
	for i := 0; i < 100; i++ {
		b, _ := os.ReadFile(path)
		text = string(b)
		if strings.Count(text, "msg="+event) >= n {
			return text
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the kiosk did not log %s (%d) on screen %s:\n%s", event, n, screen, text)
	return ""
}

// sameChoices reports whether two ballots hold the same choices in any order.
func sameChoices(a, b election.Ballot) bool {
	if a.District != b.District || len(a.Selections) != len(b.Selections) {
		return false
	}
	for _, s := range a.Selections {
		x, y := slices.Clone(s.Choices), slices.Clone(b.Selection(s.Pool).Choices)
		cmp := func(p, q election.Choice) int { return strings.Compare(p.Project, q.Project) }
		slices.SortFunc(x, cmp)
		slices.SortFunc(y, cmp)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return true
}
