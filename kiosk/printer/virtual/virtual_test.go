package virtual_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/internal/asuser"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/sync/election"
)

// rig is a virtual printer and the serial transport opened on its pty.
type rig struct {
	v   *virtual.Printer
	s   *printer.Serial
	dir string
}

func start(t *testing.T, profile string, cfg printer.Config) *rig {
	t.Helper()
	p, err := printer.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	v, err := virtual.Start(virtual.Options{Profile: p, Dir: dir, Idle: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	cfg.Port, cfg.Profile = v.Path(), profile
	s, err := printer.OpenSerial(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &rig{v: v, s: s, dir: dir}
}

func zbar(t *testing.T, png string) string {
	t.Helper()
	bin := needs.Tool(t, "zbarimg", "zbar-tools")
	out, err := exec.Command(bin, "--raw", "-q", png).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", png, err)
	}
	return strings.TrimSpace(string(out))
}

func receipt(t *testing.T, p *printer.Profile, lang string) (printer.Doc, string) {
	ed := assets.MustDemoEdition()
	r := layout.Receipt{Edition: ed, Venue: ed.Venue("bk-podgorze"), Tracker: "ABCD-EFGH-JKLM-NPQR",
		CastAt: time.Date(2025, 6, 3, 14, 5, 0, 0, time.UTC), Lang: lang}
	doc, err := layout.BuildReceipt(p, assets.MustMessages(), r)
	if err != nil {
		t.Fatal(err)
	}
	return doc, layout.CheckURL(ed, r.Tracker)
}

func TestReceiptThroughSerial(t *testing.T) {
	tests := map[string]struct {
		profile string
		lang    string
		words   []string
	}{
		"native QR, Polish":              {"epson-tm-t20", "pl", []string{"Biblioteka Kraków – filia Podgórze", "Twój głos został zapisany.", "Budżet Obywatelski Krakowa 2025"}},
		"raster QR, 58 mm":               {"generic-58mm", "pl", []string{"Podgórze", "Twój głos został", "zapisany."}},
		"native QR, Ukrainian":           {"epson-tm-t20", "uk", []string{"Ваш голос записано.", "Громадський бюджет Кракова 2025"}},
		"star, English":                  {"star-escpos", "en", []string{"Your vote has been recorded.", "Podgórze"}},
		"58 mm transliterates Ukrainian": {"generic-58mm", "uk", []string{"Ваш голос"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := start(t, tc.profile, printer.Config{Baud: 19200})
			doc, url := receipt(t, r.s.Profile(), tc.lang)
			if err := r.s.Print(context.Background(), doc); err != nil {
				t.Fatal(err)
			}
			pages, err := r.v.WaitPages(1, 3*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			text := pages[0].Text()
			for _, w := range tc.words {
				if !strings.Contains(text, w) {
					t.Errorf("transcript lacks %q:\n%s", w, text)
				}
			}
			if got := zbar(t, r.v.Files()[0]); got != url {
				t.Errorf("QR decodes to %q, want %q", got, url)
			}
			if strings.Contains(text, "?") && !strings.Contains(text, "[QR]") {
				t.Errorf("a letter printed as '?':\n%s", text)
			}
		})
	}
}

func TestPaperOutBeforeJob(t *testing.T) {
	r := start(t, "epson-tm-t20", printer.Config{})
	r.v.SetState(virtual.State{PaperOut: true})
	doc, _ := receipt(t, r.s.Profile(), "pl")
	// A status round trip first: the GS a sent when the port opened has
	// then been consumed, and only the job's bytes would count.
	if _, err := r.s.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := r.v.Received()
	err := r.s.Print(context.Background(), doc)
	if !errors.Is(err, printer.ErrPaperOut) {
		t.Fatalf("Print = %v, want ErrPaperOut", err)
	}
	var mid *printer.MidJobError
	if errors.As(err, &mid) {
		t.Fatal("paper out before the job reported as mid-job")
	}
	time.Sleep(50 * time.Millisecond)
	if n := r.v.Received() - before; n != 0 {
		t.Fatalf("%d bytes sent to a printer without paper", n)
	}
	st, err := r.s.Status(context.Background())
	if err != nil || !st.PaperOut || st.Online {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	r.v.SetState(virtual.State{})
	if err := r.s.Print(context.Background(), doc); err != nil {
		t.Fatalf("after new paper: %v", err)
	}
}

func TestPaperOutMidJob(t *testing.T) {
	r := start(t, "generic-58mm", printer.Config{})
	doc, err := layout.BuildTestPage(r.s.Profile(), assets.MustMessages(), layout.TestPage{Lang: "pl"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) < 2*printer.ChunkSize {
		t.Fatalf("document of %d bytes is too short for this test", len(doc.Data))
	}
	r.v.SetState(virtual.State{PaperLeft: 600})
	err = r.s.Print(context.Background(), doc)
	var mid *printer.MidJobError
	if !errors.As(err, &mid) || !errors.Is(err, printer.ErrPaperOut) {
		t.Fatalf("Print = %v, want a mid-job paper out", err)
	}
	if mid.Sent < 600 || mid.Sent >= len(doc.Data) {
		t.Fatalf("reported %d of %d bytes sent", mid.Sent, len(doc.Data))
	}
	if printer.ErrorKey(err) != "printer.paper_out_mid_job" {
		t.Fatal(printer.ErrorKey(err))
	}
}

func TestCoverOpenAndOffline(t *testing.T) {
	r := start(t, "rongta", printer.Config{})
	doc, _ := receipt(t, r.s.Profile(), "pl")
	for state, want := range map[virtual.State]error{{CoverOpen: true}: printer.ErrCoverOpen, {Offline: true}: printer.ErrOffline} {
		r.v.SetState(state)
		if err := r.s.Print(context.Background(), doc); !errors.Is(err, want) {
			t.Errorf("%+v: Print = %v, want %v", state, err, want)
		}
	}
}

func TestAutoStatusDoesNotConfuseQueries(t *testing.T) {
	r := start(t, "epson-tm-t20", printer.Config{}) // profile with GS a
	time.Sleep(50 * time.Millisecond)
	for i, s := range []virtual.State{{PaperNearEnd: true}, {}, {PaperNearEnd: true}} {
		r.v.SetState(s) // sends a 4-byte ASB message before our query
		st, err := r.s.Status(context.Background())
		if err != nil || st.PaperNearEnd != s.PaperNearEnd || !st.Online {
			t.Fatalf("step %d: Status = %+v, %v", i, st, err)
		}
	}
}

func TestFoundAgainAfterUnplug(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-t20")
	v1, err := virtual.Start(virtual.Options{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	var current *virtual.Printer = v1
	find := func() (string, error) { return current.Path(), nil }
	s, err := printer.OpenSerial(printer.Config{Port: v1.Path(), Serial: "URNA-0001", Profile: p.Name}, find, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	doc, _ := receipt(t, p, "pl")
	if err := s.Print(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	v1.Close() // unplugged
	v2, err := virtual.Start(virtual.Options{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	current = v2 // plugged in again, under another device name
	var perr error
	for range 3 { // the first try may meet the dead port and reconnect
		if perr = s.Print(context.Background(), doc); perr == nil {
			break
		}
	}
	if perr != nil {
		t.Fatalf("print after replug: %v", perr)
	}
	if _, err := v2.WaitPages(1, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestFlowControlSetOnLine runs as an unprivileged user, as the kiosk does:
// the line is set up on the one descriptor the transport holds (issue 12
// item 0: a second open of an exclusive tty fails for everyone but root).
func TestFlowControlSetOnLine(t *testing.T) {
	for flow, check := range map[string]func(*unix.Termios) bool{
		"rtscts":  func(tm *unix.Termios) bool { return tm.Cflag&unix.CRTSCTS != 0 && tm.Iflag&unix.IXON == 0 },
		"xonxoff": func(tm *unix.Termios) bool { return tm.Iflag&unix.IXON != 0 && tm.Cflag&unix.CRTSCTS == 0 },
		"none":    func(tm *unix.Termios) bool { return tm.Iflag&unix.IXON == 0 && tm.Cflag&unix.CRTSCTS == 0 },
	} {
		t.Run(flow, func(t *testing.T) {
			asuser.Run(t, func(t *testing.T) {
				r := start(t, "generic-80mm", printer.Config{Flow: flow, Baud: 115200})
				tm, err := r.v.Termios()
				if err != nil {
					t.Fatal(err)
				}
				if !check(tm) {
					t.Fatalf("termios cflag %#x iflag %#x", tm.Cflag, tm.Iflag)
				}
				if tm.Cflag&unix.CBAUD != unix.B115200 || tm.Cflag&unix.CSIZE != unix.CS8 {
					t.Fatalf("termios cflag %#x: want 115200 8N1", tm.Cflag)
				}
				doc, _ := receipt(t, r.s.Profile(), "en")
				if err := r.s.Print(context.Background(), doc); err != nil {
					t.Fatal(err)
				}
				if _, err := r.v.WaitPages(1, 5*time.Second); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

func TestReportsAndTestPage(t *testing.T) {
	ed := assets.MustDemoEdition()
	m := assets.MustMessages()
	r := start(t, "epson-tm-t20", printer.Config{Baud: 38400})
	p := r.s.Profile()
	rep := layout.Report{Edition: ed, Venue: ed.Venue("nck"), KioskID: "k-0007", CatalogVersion: 3,
		CatalogHash: strings.Repeat("ab", 32), Total: 120, Today: 0, Synced: 100, Pending: 20, LastSeq: 120,
		Head: strings.Repeat("cd", 32), At: time.Date(2025, 6, 3, 8, 0, 0, 0, time.UTC), Lang: "pl"}
	opening, err := layout.BuildReport(p, m, rep)
	if err != nil {
		t.Fatal(err)
	}
	rep.Closing, rep.Today = true, 37
	closing, err := layout.BuildReport(p, m, rep)
	if err != nil {
		t.Fatal(err)
	}
	testPage, err := layout.BuildTestPage(p, m, layout.TestPage{Baud: 38400, Lang: "pl"})
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []printer.Doc{opening, closing, testPage} {
		if err := r.s.Print(context.Background(), doc); err != nil {
			t.Fatal(err)
		}
	}
	pages, err := r.v.WaitPages(3, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"RAPORT OTWARCIA", "Nowohuckie Centrum Kultury", "k-0007", "Urna jest pusta: 0 głosów od ostatniego", strings.Repeat("cd", 24)},
		{"RAPORT ZAMKNIĘCIA", strings.Repeat("ab", 24) + "\n" + strings.Repeat("ab", 8) + "\n", "Głosy dzisiaj", "37", "Przesłane do centrali", "100", "Czekające na przesłanie"},
		{"STRONA TESTOWA DRUKARKI", layout.PolishLetters, "Чуєш їх, доцю, га?", "epson-tm-t20ii", "38400", "ESC t 46 = CP1251", "123456789012345678901234567890123456789012345678"},
	}
	for i, words := range want {
		for _, w := range words {
			if !strings.Contains(pages[i].Text(), w) {
				t.Errorf("page %d lacks %q:\n%s", i+1, w, pages[i].Text())
			}
		}
	}
	if got := zbar(t, r.v.Files()[2]); got != "Urna test page: epson-tm-t20ii, CP852=18 CP1251=46, 38400 baud" {
		t.Errorf("test page QR = %q", got)
	}
	rep.Synced = 500
	if _, err := layout.BuildReport(p, m, rep); err == nil {
		t.Error("a report whose counts do not add up was built")
	}
}

func TestReceiptNeverShowsChoices(t *testing.T) {
	ed := assets.MustDemoEdition()
	choices := []election.Selection{{Pool: "city", Choices: []election.Choice{{Project: "c01", Points: 3}}}}
	r := layout.Receipt{Edition: ed, Venue: ed.Venue("nck"), Tracker: "ABCD-EFGH-JKLM-NPQR", CastAt: time.Now(), Lang: "pl", Choices: choices}
	p, _ := printer.LookupProfile("epson-tm-t20")
	doc, _ := layout.BuildReceipt(p, assets.MustMessages(), r)
	parser := virtual.NewParser(p)
	var page virtual.Page
	parser.OnPage = func(pg virtual.Page) { page = pg }
	parser.Feed(doc.Data)
	if strings.Contains(page.Text(), "Zielone podwórka") || strings.Contains(page.Text(), "BO.OM.1") {
		t.Fatal("the receipt shows a choice")
	}
	ed.ShowChoices = true
	doc, _ = layout.BuildReceipt(p, assets.MustMessages(), r)
	parser.Feed(doc.Data)
	if !strings.Contains(page.Text(), "BO.OM.1/25 Zielone podwórka szkolne – 3 pkt") {
		t.Fatalf("an edition that asks for choices does not get them:\n%s", page.Text())
	}
}

// TestReopenAfterClose: closing gives the line's exclusive hold back before
// it returns, so a process that exits right after a job leaves the port
// free for the next one (an unprivileged user found it busy for good).
func TestReopenAfterClose(t *testing.T) {
	asuser.Run(t, func(t *testing.T) {
		r := start(t, "generic-80mm", printer.Config{Baud: 115200})
		doc, _ := receipt(t, r.s.Profile(), "en")
		if err := r.s.Print(context.Background(), doc); err != nil {
			t.Fatal(err)
		}
		r.s.Close()
		again, err := printer.Open(r.v.Config(printer.Config{Baud: 115200}), nil)
		if err != nil {
			t.Fatalf("reopening after a job: %v", err)
		}
		again.Close()
	})
}
