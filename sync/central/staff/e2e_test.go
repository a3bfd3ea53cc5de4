package staff_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/browser"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/public"
	"github.com/urna-kiosk/urna/sync/central/staff"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// syncBuffer is a log both the server and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// site is the central's web with the proposal pages, as urna-central serve mounts them.
type site struct {
	t      *testing.T
	srv    *httptest.Server
	clk    *clock
	ed     *election.Edition
	draft  *election.Edition
	log    *syncBuffer
	client *http.Client
	files  []string // folders whose files the contact scan reads
	roles  string   // the roles file
}

const password = "correct horse battery"

func newSite(t *testing.T, st store.Store, files ...string) *site {
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	if ps := ed.Check(); len(ps) > 0 {
		t.Fatal(ps)
	}
	s := &site{t: t, ed: ed, log: &syncBuffer{}, clk: &clock{}}
	dataDir := t.TempDir()
	s.files = append(files, dataDir)
	log := slog.New(slog.NewTextHandler(s.log, nil))
	sealer, err := contact.LoadOrCreate(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	desk := proposals.New(proposals.Config{Store: st.(store.Proposals), Sealer: sealer, Clock: s.clk.Now, Log: log, PerAddress: 100,
		Edition:   func(context.Context) (*election.Edition, error) { return ed, nil },
		SaveDraft: func(e *election.Edition) error { s.draft = e; return nil }})
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	users := map[string]string{"anna": string(hash), "rada": string(hash)}
	web := central.NewWeb(central.New(central.Config{Store: st, Clock: s.clk.Now, Log: log}), central.WebConfig{Users: users})
	mux := http.NewServeMux()
	mux.Handle("/", web.Handler())
	msgs := assets.MustMessages()
	(&public.Proposals{Desk: desk, Msgs: msgs}).Routes(mux)
	s.roles = filepath.Join(dataDir, staff.RolesFileName)
	if err := os.WriteFile(s.roles, []byte(`{"anna": ["coordinator", "verifier"], "rada": ["council"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	(&staff.Pages{Desk: desk, Msgs: msgs, Auth: web.Auth, RolesFile: s.roles, Log: log}).Routes(mux)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	s.client = s.newClient()
	return s
}

func (s *site) newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// post sends a form as a page of the site would (with its Origin).
func (s *site) post(c *http.Client, path string, form url.Values) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *site) get(c *http.Client, path string) (int, string) {
	s.t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *site) login(user string) *http.Client {
	c := s.newClient()
	if code, body := s.post(c, "/login", url.Values{"user": {user}, "password": {password}}); code != http.StatusOK || !strings.Contains(body, "anna") && user == "anna" {
		s.t.Fatalf("login %s: %d", user, code)
	}
	return c
}

func (s *site) at(m time.Month, d int) time.Time {
	return time.Date(2025, m, d, 12, 0, 0, 0, s.ed.Location())
}

var (
	trackerRE = regexp.MustCompile(`id="tracker">([A-Z0-9-]+)<`)
	secretRE  = regexp.MustCompile(`id="secret">([A-Z0-9-]+)<`)
)

type receipt struct{ tracker, secret, id string }

func (s *site) receiptOf(page string) receipt {
	s.t.Helper()
	tr, se := trackerRE.FindStringSubmatch(page), secretRE.FindStringSubmatch(page)
	if tr == nil || se == nil {
		s.t.Fatalf("no tracker and secret on the confirmation:\n%.3000s", page)
	}
	return receipt{tracker: tr[1], secret: se[1]}
}

const secretContact = "ala.makota.e2e@example.pl"

func (s *site) submit(title, pool, cost string) receipt {
	s.t.Helper()
	code, page := s.post(s.client, "/proposals/new?lang=pl", url.Values{"pool": {pool}, "title": {title}, "summary": {"Opis: " + title},
		"location": {"ul. Długa 1"}, "category": {"green"}, "cost": {cost}, "contact": {secretContact}})
	if code != http.StatusOK {
		s.t.Fatalf("submit %s: %d\n%.3000s", title, code, page)
	}
	return s.receiptOf(page)
}

func (s *site) applicant(r receipt, action string, form url.Values) string {
	s.t.Helper()
	form.Set("tracker", r.tracker)
	form.Set("secret", r.secret)
	code, page := s.post(s.client, "/proposals/status/"+action+"?lang=pl", form)
	if code != http.StatusOK {
		s.t.Fatalf("%s: %d\n%.3000s", action, code, page)
	}
	return page
}

func (s *site) staff(c *http.Client, id string, kind civic.EventKind, reason, detail string) string {
	s.t.Helper()
	code, page := s.post(c, "/dashboard/proposals/"+id+"/event?lang=pl", url.Values{"kind": {string(kind)}, "reason": {reason}, "detail": {detail}})
	if code != http.StatusOK {
		s.t.Fatalf("%s %s: %d\n%.3000s", id, kind, code, page)
	}
	return page
}

var idRE = regexp.MustCompile(`<a href="/dashboard/proposals/(W-[A-Z0-9]+)\?lang=pl">`)

// ids maps titles to proposal ids from the staff list.
func (s *site) ids(c *http.Client) map[string]string {
	_, page := s.get(c, "/dashboard/proposals?lang=pl")
	out := map[string]string{}
	for _, row := range strings.Split(page, "<tr>")[1:] {
		m := idRE.FindStringSubmatch(row)
		if m == nil {
			continue
		}
		title := strings.SplitN(strings.SplitN(row, "</td><td>", 2)[1], "<", 2)[0]
		out[title] = m[1]
	}
	return out
}

// webSubmit fills the form in Chromium as a resident would.
func (s *site) webSubmit(b *browser.Browser, shots string) receipt {
	b.Go(s.srv.URL + "/proposals/new?lang=pl")
	b.Wait("/proposals/new", "Nowy wniosek")
	b.Click(b.Find(`#pool option[value="d01"]`))
	b.Type(b.Find("#title"), "Ławki przy Wiśle")
	b.Type(b.Find("#summary"), "Dwadzieścia ławek na bulwarach, żeby można było odpocząć.")
	b.Type(b.Find("#location"), "Bulwar Czerwieński")
	b.Type(b.Find("#cost"), "50 000")
	b.Type(b.Find("#contact"), secretContact)
	if shots != "" {
		b.Screenshot(filepath.Join(shots, "proposal-form.png"))
	}
	b.Click(b.Find("form button"))
	page := b.Wait("/proposals/new", "Wniosek został złożony")
	if shots != "" {
		b.Screenshot(filepath.Join(shots, "proposal-done.png"))
	}
	return s.receiptOf(page)
}

// TestProposalsWholePath goes through a year on each store, on the web:
// a resident submits in Chromium (JavaScript off on one store), others by
// form posts; staff sign in to assign and check; a formal check asks for a
// fix and the applicant fixes; a merit rejection; a protest upheld and one
// restoring its proposal (hearing dates); a withdrawal; a merge; the
// ballot built; the list and its open data; the PDF; and no contact in
// any file, log or the database but the sealed column.
func TestProposalsWholePath(t *testing.T) {
	for _, name := range []string{"bolt", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var st store.Store
			var err error
			var dirs []string
			if name == "bolt" {
				dir := t.TempDir()
				st, err = store.OpenBolt(filepath.Join(dir, "central.db"))
				dirs = append(dirs, dir)
			} else {
				st, err = store.OpenPostgres(context.Background(), pgtest.DSN(t))
				dirs = append(dirs, pgtest.Dir())
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			s := newSite(t, st, dirs...)
			s.clk.Set(s.at(2, 20))
			args := []string{}
			if name == "bolt" {
				args = append(args, browser.NoScript)
			}
			b := browser.StartWith(t, append(args, "--window-size=420,900")...)
			shots := os.Getenv("URNA_SHOTS")
			benches := s.webSubmit(b, shots)
			b.Close()

			// a form posted from another site is refused and stores nothing
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/proposals/new", strings.NewReader("pool=d01&title=X&summary=Y&cost=50000"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-site post: %v %v", resp, err)
			}
			titles := []string{"Zieleń na Kazimierzu", "Plac zabaw", "Rowery miejskie", "Łąka kwietna", "Łąka kwietna bis"}
			rc := map[string]receipt{"Ławki przy Wiśle": benches}
			for i, title := range titles {
				s.clk.Set(s.at(2, 21).Add(time.Duration(i) * time.Minute))
				pool, cost := "d01", "50000"
				if title == "Rowery miejskie" {
					pool, cost = "city", "500 000"
				}
				rc[title] = s.submit(title, pool, cost)
			}
			// a duplicate title goes to the moderation queue, not the public list
			s.submit("Plac zabaw", "d01", "60000")
			if _, page := s.get(s.client, "/proposals?lang=pl"); strings.Count(page, ">Plac zabaw</a>") != 1 {
				t.Fatalf("the duplicate is on the public list:\n%.3000s", page)
			}
			anna, rada := s.login("anna"), s.login("rada")
			if _, page := s.get(anna, "/dashboard/proposals?held=1&lang=pl"); !strings.Contains(page, "Plac zabaw") || !strings.Contains(page, "powtórzony tytuł w tej samej puli") {
				t.Fatalf("moderation queue:\n%.3000s", page)
			}
			if _, page := s.get(s.newClient(), "/dashboard/proposals?lang=pl"); strings.Contains(page, "Łąka") {
				t.Fatal("the staff list without signing in")
			}
			id := s.ids(anna)
			if len(id) != 6 {
				t.Fatalf("staff list: %v", id)
			}
			// a staff form posted from another site is refused, even signed in
			req, _ = http.NewRequest(http.MethodPost, s.srv.URL+"/dashboard/proposals/"+id["Plac zabaw"]+"/event", strings.NewReader("kind=assigned&detail=X"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			if resp, err := anna.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-site staff post: %v %v", resp, err)
			}
			// the coordinator holds an obvious joke and releases it again
			if code, page := s.post(anna, "/dashboard/proposals/"+id["Rowery miejskie"]+"/moderate?lang=pl", url.Values{"held": {"staff"}}); code != http.StatusOK || !strings.Contains(page, "Wstrzymany: decyzja koordynatora") {
				t.Fatalf("hold: %d\n%.2000s", code, page)
			}
			if _, page := s.get(s.client, "/proposals?lang=pl"); strings.Contains(page, "Rowery miejskie") {
				t.Fatal("a held proposal on the public list")
			}
			s.post(anna, "/dashboard/proposals/"+id["Rowery miejskie"]+"/moderate?lang=pl", url.Values{"held": {""}})
			if _, page := s.get(s.client, "/proposals?lang=pl"); !strings.Contains(page, "Rowery miejskie") {
				t.Fatal("a released proposal not on the public list")
			}
			for _, title := range append(titles, "Ławki przy Wiśle") {
				s.staff(anna, id[title], civic.EvAssign, "", "Zarząd Zieleni Miejskiej")
			}
			if _, page := s.get(anna, "/dashboard/proposals/"+id["Plac zabaw"]+"?lang=pl"); !strings.Contains(page, secretContact) {
				t.Fatal("the verifier does not see the contact")
			}
			if _, page := s.get(rada, "/dashboard/proposals/"+id["Plac zabaw"]+"?lang=pl"); strings.Contains(page, secretContact) {
				t.Fatal("the council sees the contact")
			}
			if code, _ := s.post(rada, "/dashboard/proposals/"+id["Plac zabaw"]+"/event", url.Values{"kind": {"formal-pass"}}); code != http.StatusForbidden {
				t.Fatalf("council recorded a formal check: %d", code)
			}
			s.applicant(rc["Łąka kwietna bis"], "withdraw", url.Values{"confirm": {"yes"}})

			s.clk.Set(s.at(3, 12))
			s.staff(anna, id["Ławki przy Wiśle"], civic.EvFormalFix, "Brak mapki z lokalizacją.", "")
			_, page := s.post(s.client, "/proposals/status?lang=pl", url.Values{"tracker": {strings.ToLower(benches.tracker)}, "secret": {benches.secret}})
			if !strings.Contains(page, "Do poprawy") || !strings.Contains(page, "Brak mapki z lokalizacją.") || !strings.Contains(page, "Popraw wniosek") {
				t.Fatalf("status page after the formal check:\n%.4000s", page)
			}
			if _, page := s.post(s.client, "/proposals/status?lang=pl", url.Values{"tracker": {benches.tracker}, "secret": {"AAAA-BBBB"}}); !strings.Contains(page, "nie pasują") {
				t.Fatal("a wrong secret opened the status page")
			}
			s.clk.Set(s.at(3, 15))
			page = s.applicant(benches, "fix", url.Values{"pool": {"d01"}, "title": {"Ławki przy Wiśle"}, "summary": {"Dwadzieścia ławek na bulwarach."},
				"location": {"Bulwar Czerwieński, mapka w opisie"}, "category": {"green"}, "cost": {"60 000"}, "reason": {"Dodałem mapkę."}})
			if !strings.Contains(page, "Poprawki złożone") {
				t.Fatalf("after the fix:\n%.3000s", page)
			}
			for _, title := range []string{"Ławki przy Wiśle", "Zieleń na Kazimierzu", "Plac zabaw", "Rowery miejskie", "Łąka kwietna"} {
				s.staff(anna, id[title], civic.EvFormalPass, "", "")
			}
			s.staff(anna, id["Łąka kwietna"], civic.EvMerge, "Ten sam teren co Zieleń na Kazimierzu.", id["Zieleń na Kazimierzu"])
			s.clk.Set(s.at(4, 10))
			s.staff(anna, id["Ławki przy Wiśle"], civic.EvMeritPass, "", "55 000")
			s.staff(anna, id["Rowery miejskie"], civic.EvMeritPass, "", "")
			s.staff(anna, id["Zieleń na Kazimierzu"], civic.EvMeritReject, "Teren nie należy do miasta.", "")
			s.staff(anna, id["Plac zabaw"], civic.EvMeritReject, "Koszt utrzymania przekracza limit.", "")
			s.clk.Set(s.at(5, 2))
			page = s.applicant(rc["Zieleń na Kazimierzu"], "protest", url.Values{"reason": {"Teren jest miejski, załączam wypis."}})
			if !strings.Contains(page, "Protest złożony") {
				t.Fatalf("after the protest:\n%.3000s", page)
			}
			s.applicant(rc["Plac zabaw"], "protest", url.Values{"reason": {"Koszt utrzymania jest niższy."}})
			_, protestPDF := s.post(s.client, "/proposals/pdf?lang=pl", url.Values{"tracker": {rc["Plac zabaw"].tracker}, "secret": {rc["Plac zabaw"].secret}})
			if text := pdfText(t, []byte(protestPDF)); !strings.Contains(text, "Protest: Koszt utrzymania jest niższy.") {
				t.Fatalf("the protest's confirmation:\n%s", text)
			}
			s.staff(rada, id["Zieleń na Kazimierzu"], civic.EvRestore, "Rada: teren jest miejski.", "2025-05-08")
			s.staff(rada, id["Plac zabaw"], civic.EvUphold, "Rada: koszt utrzymania potwierdzony.", "2025-05-08")
			_, page = s.post(s.client, "/proposals/status?lang=pl", url.Values{"tracker": {rc["Plac zabaw"].tracker}, "secret": {rc["Plac zabaw"].secret}})
			if !strings.Contains(page, "Rada utrzymała odrzucenie") || !strings.Contains(page, "posiedzenie Rady 2025-05-08") {
				t.Fatalf("council's decision on the status page:\n%.4000s", page)
			}
			if _, audit := s.get(anna, "/dashboard/proposals/"+id["Zieleń na Kazimierzu"]+"?lang=pl"); !strings.Contains(audit, "<td>rada</td>") || !strings.Contains(audit, "<td>anna</td>") {
				t.Fatalf("audit log without who:\n%.4000s", audit)
			}

			s.clk.Set(s.at(5, 12))
			if code, page := s.post(anna, "/dashboard/proposals/build?lang=pl", url.Values{}); code != http.StatusOK || !strings.Contains(page, "Zbudowano projektów: 3") {
				t.Fatalf("build: %d\n%.3000s", code, page)
			}
			numbers := map[string]string{}
			for _, p := range s.draft.Projects {
				numbers[p.Title.In("pl")] = p.Number
				if p.Title.In("pl") == "Ławki przy Wiśle" && (p.Cost != 55_000_00 || p.Location.In("pl") != "Bulwar Czerwieński, mapka w opisie") {
					t.Errorf("the fixed, costed proposal on the ballot: %+v", p)
				}
			}
			if numbers["Ławki przy Wiśle"] != "BO.D1.1/25" || numbers["Zieleń na Kazimierzu"] != "BO.D1.2/25" || numbers["Rowery miejskie"] != "BO.OM.1/25" {
				t.Fatalf("numbers: %v", numbers)
			}

			if shots != "" && name == "bolt" {
				s.screenshots(anna, benches, shots)
			}
			_, list := s.get(s.client, "/proposals?lang=pl&d=d01&s=upheld")
			if !strings.Contains(list, "Plac zabaw") || strings.Contains(list, "Ławki") {
				t.Fatalf("filtered list:\n%.3000s", list)
			}
			// the district's verification results, to print at the venues
			if _, list := s.get(s.client, "/proposals?lang=pl&d=d01"); !strings.Contains(list, `href="/proposals/results.pdf?d=d01&amp;lang=pl"`) {
				t.Fatalf("no results PDF on the district's list:\n%.3000s", list)
			}
			if code, res := s.get(s.client, "/proposals/results.pdf?d=d01&lang=pl"); code != http.StatusOK {
				t.Fatalf("results pdf: %d", code)
			} else if text := strings.Join(strings.Fields(pdfText(t, []byte(res))), " "); !strings.Contains(text, "Wyniki weryfikacji wniosków – Dzielnica I Stare Miasto") ||
				!strings.Contains(text, "Rada: koszt utrzymania potwierdzony.") || !strings.Contains(text, "Odrzucenie utrzymane") || strings.Contains(text, "Rowery miejskie") ||
				strings.Contains(text, "makota") || strings.Contains(text, "anna") {
				t.Fatalf("the results PDF:\n%s", text)
			}
			_, csv := s.get(s.client, "/proposals/export.csv")
			if !strings.Contains(csv, "BO.D1.1/25") || !strings.Contains(csv, "Rada: koszt utrzymania potwierdzony.") || strings.Contains(csv, "Brak mapki") || !strings.Contains(csv, "withdrawn") {
				t.Fatalf("csv:\n%s", csv)
			}
			_, js := s.get(s.client, "/proposals/export.json?s=on-ballot")
			var open []proposals.Open
			if err := json.Unmarshal([]byte(js), &open); err != nil || len(open) != 3 {
				t.Fatalf("json: %v %s", err, js)
			}

			code, pdf := s.post(s.client, "/proposals/pdf?lang=pl", url.Values{"tracker": {benches.tracker}, "secret": {benches.secret}})
			if code != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
				t.Fatalf("pdf: %d %.200s", code, pdf)
			}
			checkPDF(t, []byte(pdf), benches, shots)

			// nothing holds the contact in the clear: files, database, log
			if strings.Contains(s.log.String(), secretContact) || strings.Contains(s.log.String(), "makota") {
				t.Fatal("the contact reached the log")
			}
			for _, dir := range s.files {
				filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return nil
					}
					raw, _ := os.ReadFile(path)
					if bytes.Contains(raw, []byte(secretContact)) || bytes.Contains(raw, []byte("makota")) {
						t.Errorf("the contact is in %s", path)
					}
					return nil
				})
			}
		})
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	pdftotext := needs.Tool(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(path, pdf, 0o644)
	out, err := exec.Command(pdftotext, path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func checkPDF(t *testing.T, pdf []byte, r receipt, shots string) {
	path := filepath.Join(t.TempDir(), "confirmation.pdf")
	os.WriteFile(path, pdf, 0o644)
	text := pdfText(t, pdf)
	for _, want := range []string{"Wniosek został złożony", r.tracker, r.secret, "Lista poparcia wniosku", "Ławki przy Wiśle", "Podpis", "15"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, secretContact) {
		t.Error("the contact is printed on the PDF")
	}
	if shots != "" {
		pdftoppm := needs.Tool(t, "pdftoppm", "poppler-utils")
		exec.Command(pdftoppm, "-png", "-r", "60", path, filepath.Join(shots, "confirmation")).Run()
	}
}

// screenshots saves the public list in English, the status page in
// Ukrainian and a staff member's proposal page, at a phone's width.
func (s *site) screenshots(staffClient *http.Client, r receipt, shots string) {
	b := browser.StartWith(s.t, "--window-size=420,1000")
	b.Go(s.srv.URL + "/proposals?lang=en")
	b.Wait("/proposals", "Residents")
	b.Screenshot(filepath.Join(shots, "proposals-list-en.png"))
	b.Go(s.srv.URL + "/proposals/status?lang=uk")
	b.Wait("/proposals/status", "Стан")
	b.Type(b.Find("#tracker"), r.tracker)
	b.Type(b.Find("#secret"), r.secret)
	b.Click(b.Find("form button"))
	b.Wait("/proposals/status", "id=\"status\"")
	b.Screenshot(filepath.Join(shots, "proposals-status-uk.png"))
	b.Go(s.srv.URL + "/login")
	b.Type(b.Find("input[name=user]"), "anna")
	b.Type(b.Find("input[name=password]"), password)
	b.Click(b.Find("form button"))
	b.Wait("/dashboard", "")
	b.Go(s.srv.URL + "/dashboard/proposals?lang=pl")
	b.Wait("/dashboard/proposals", "W-")
	b.Screenshot(filepath.Join(shots, "staff-list.png"))
	b.Close()
}
