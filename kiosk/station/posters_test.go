package station

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/sync/election"
)

var space = regexp.MustCompile(`\s+`)

// pdfText is a PDF's text (pdftotext), white space folded.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	bin := needs.Tool(t, "pdftotext", "poppler-utils")
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return space.ReplaceAllString(string(out), " ")
}

// qrOf decodes the QR codes of a PDF's first page (pdftoppm, zbarimg).
func qrOf(t *testing.T, path string) string {
	t.Helper()
	ppm := needs.Tool(t, "pdftoppm", "poppler-utils")
	zbar := needs.Tool(t, "zbarimg", "zbar-tools")
	png := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(ppm, "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", path, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(zbar, "--raw", "-q", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// usbStick makes a folder standing in for a mounted stick: a mount table
// that lists it under the station's USB root, as /proc/self/mounts would.
func usbStick(t *testing.T, st *Station) string {
	root := t.TempDir()
	stick := filepath.Join(root, "KINGSTON 16")
	os.Mkdir(stick, 0o755)
	mounts := filepath.Join(t.TempDir(), "mounts")
	table := "proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n" +
		"/dev/sdb1 " + strings.ReplaceAll(stick, " ", `\040`) + " vfat rw,nosuid,nodev 0 0\n"
	os.WriteFile(mounts, []byte(table), 0o644)
	st.USBRoot, st.Mounts = root, mounts
	return stick
}

// TestPosterOntoUSBStick: a poster goes onto a mounted stick, whole, in
// the language staff chose; with no stick staff are told so (main only
// wrote a path on the kiosk).
func TestPosterOntoUSBStick(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	r.st.USBRoot, r.st.Mounts = t.TempDir(), filepath.Join(t.TempDir(), "none")
	os.WriteFile(r.st.Mounts, []byte("/dev/sda1 / ext4 rw 0 0\n"), 0o644)
	if _, err := r.st.SavePosterUSB(poster.A4, "pl"); !errors.Is(err, ErrNoUSB) {
		t.Fatalf("no stick: %v", err)
	}
	stick := usbStick(t, r.st)
	for lang, words := range map[string]string{"pl": "Głosuj tutaj!", "en": "Vote here!", "uk": "Голосуйте тут!"} {
		name, err := r.st.SavePosterUSB(poster.Flyer, lang)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, filepath.Join(stick, name)); !strings.Contains(text, words) {
			t.Errorf("%s flyer lacks %q: %s", lang, words, text)
		}
	}
	left, _ := os.ReadDir(stick)
	if len(left) != 3 {
		t.Fatalf("the stick holds %d files, want 3 flyers and no temporary files", len(left))
	}
}

// TestPosterQRLabelMatchesTarget: the QR's label says what its address is:
// on main it said "project list and online voting" over the ballot check page.
func TestPosterQRLabelMatchesTarget(t *testing.T) {
	r := newRig(t, election.SelfDeclared)
	stick := usbStick(t, r.st)
	cases := map[string]struct{ url, label, not string }{
		"check page":   {"", "Sprawdź, czy Twój głos został policzony", "Lista projektów:"},
		"project list": {"https://urna.example/krakow-2025/projects", "Lista projektów:", "Sprawdź, czy"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r.st.ProjectsURL = c.url
			want := c.url
			if want == "" {
				want = r.st.Edition.CheckURL
			}
			file, err := r.st.SavePosterUSB(poster.A4, "pl")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(stick, file)
			text := pdfText(t, path)
			if !strings.Contains(text, c.label) || strings.Contains(text, c.not) {
				t.Errorf("label: want %q, not %q: %s", c.label, c.not, text)
			}
			if got := qrOf(t, path); got != want {
				t.Errorf("QR holds %q, want %q", got, want)
			}
		})
	}
}

// cups is a throwaway cupsd with one PDF queue (printer-driver-cups-pdf),
// standing in for a venue's office printer. cups-pdf writes into the
// submitting user's ~/PDF; its backend runs only under a root cupsd.
type cups struct {
	dir, sock, queue string
	out              string // where cups-pdf puts the PDFs
}

func startCUPS(t *testing.T) *cups {
	t.Helper()
	cupsd := needs.Tool(t, "cupsd", "cups-daemon")
	needs.Tool(t, "lp", "cups-client")
	lpadmin := needs.Tool(t, "lpadmin", "cups-client")
	if _, err := os.Stat("/usr/lib/cups/backend/cups-pdf"); err != nil {
		needs.Missing(t, "the cups-pdf backend is not installed (apt-get install printer-driver-cups-pdf)")
	}
	if os.Geteuid() != 0 {
		needs.Missing(t, "cups-pdf's backend runs only under a cupsd started as root")
	}
	dir, err := os.MkdirTemp("", "urna-cups-") // the filters run as lp: not under t.TempDir's 0700 folders
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"spool", "cache", "state", "log"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	os.Mkdir(filepath.Join(dir, "tmp"), 0o1777)
	os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
	os.Chmod(dir, 0o755)
	c := &cups{dir: dir, sock: filepath.Join(dir, "cups.sock"), queue: "urna-office"}
	os.WriteFile(filepath.Join(dir, "cupsd.conf"), []byte("Listen "+c.sock+"\nLogLevel info\nWebInterface No\nBrowsing No\nErrorPolicy abort-job\nPreserveJobFiles Yes\n"+
		"<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "cups-files.conf"), []byte(strings.ReplaceAll(
		"ServerRoot @\nRequestRoot @/spool\nTempDir @/tmp\nCacheDir @/cache\nStateDir @/state\n"+
			"ErrorLog @/log/error_log\nAccessLog @/log/access_log\nPageLog @/log/page_log\n"+
			"ServerBin /usr/lib/cups\nDataDir /usr/share/cups\n", "@", dir)), 0o644)
	cmd := exec.Command(cupsd, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(c.sock); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Setenv("CUPS_SERVER", c.sock)
	var out []byte
	for range 50 { // cupsd listens a moment after its socket appears
		out, err = exec.Command(lpadmin, "-p", c.queue, "-E", "-v", "cups-pdf:/", "-m", "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd").CombinedOutput()
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log", "error_log"))
		t.Fatalf("lpadmin: %v %s; cupsd: %s\n%s", err, out, stderr.String(), log)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	c.out = filepath.Join(u.HomeDir, "PDF")
	return c
}

// waitPDF waits for the PDF of a job titled title to appear, and moves it
// out of ~/PDF.
func (c *cups) waitPDF(t *testing.T, title string) string {
	t.Helper()
	lpstat := needs.Tool(t, "lpstat", "cups-client")
	for i := 0; i < 600; i++ {
		files, _ := filepath.Glob(filepath.Join(c.out, "*.pdf"))
		busy, _ := exec.Command(lpstat, "-W", "not-completed", "-o", c.queue).Output()
		if i := slices.IndexFunc(files, func(f string) bool { return strings.HasPrefix(filepath.Base(f), title) }); i >= 0 && len(bytes.TrimSpace(busy)) == 0 {
			dst := filepath.Join(t.TempDir(), "job.pdf")
			if err := os.Rename(files[i], dst); err != nil {
				t.Fatal(err)
			}
			return dst
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(c.dir, "log", "error_log"))
	t.Fatalf("no PDF of %q came out of CUPS in %s:\n%s", title, c.out, log)
	return ""
}

// TestPosterToOfficePrinter: staff send a poster to the venue's office
// printer through CUPS (lp). The document CUPS took is the poster in the
// language chosen (pdftotext), and the PDF that comes out of the queue is an
// A4 page whose QR code holds the poster's address. (cups-pdf re-distils
// through PostScript and loses the text layer, so the text is read from the
// job CUPS spooled.)
func TestPosterToOfficePrinter(t *testing.T) {
	c := startCUPS(t)
	r := newRig(t, election.SelfDeclared)
	r.st.OfficePrinter, r.st.ProjectsURL = c.queue, "https://urna.example/krakow-2025/projects"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.st.PrintPosterOffice(ctx, poster.A4, "uk"); err != nil {
		t.Fatal(err)
	}
	out := c.waitPDF(t, r.st.posterName(poster.A4, "uk"))
	if got := qrOf(t, out); got != r.st.ProjectsURL {
		t.Errorf("the printed poster's QR holds %q, want %q", got, r.st.ProjectsURL)
	}
	info, _ := exec.Command(needs.Tool(t, "pdfinfo", "poppler-utils"), out).Output()
	if !strings.Contains(string(info), "(A4)") || !strings.Contains(string(info), "Pages:           1") {
		t.Errorf("the printed poster is not one A4 page:\n%s", info)
	}
	jobs, _ := filepath.Glob(filepath.Join(c.dir, "spool", "d*-001"))
	if len(jobs) != 1 {
		t.Fatalf("%d jobs spooled", len(jobs))
	}
	text := pdfText(t, jobs[0])
	for _, want := range []string{"Голосуйте тут!", "Список проєктів:", r.st.Venue.Name} {
		if !strings.Contains(text, want) {
			t.Errorf("the poster CUPS took lacks %q: %s", want, text)
		}
	}
	r.st.OfficePrinter = "no-such-printer"
	if err := r.st.PrintPosterOffice(ctx, poster.A4, "pl"); !errors.Is(err, ErrOfficePrinter) {
		t.Fatalf("a missing office printer: %v", err)
	}
}
