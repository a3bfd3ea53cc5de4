package public

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

func TestParseCost(t *testing.T) {
	for in, want := range map[string]int64{"150000": 150_000_00, "150 000": 150_000_00, "150 000 zł": 150_000_00, "150000,5": 150_000_50,
		"1.25": 125, "150\u00a0000,00 PLN": 150_000_00} {
		if got, ok := ParseCost(in); !ok || got != want {
			t.Errorf("ParseCost(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "+5", "1,234", "1e9", "1e5", "NaN", "0x10000", "400000.001", "10.000", "5.-"} {
		if _, ok := ParseCost(in); ok {
			t.Errorf("ParseCost(%q) accepted", in)
		}
	}
	for _, in := range []string{"99999999999999", "1 000 000 000 000 000 000 000"} {
		if got, ok := ParseCost(in); !ok || got < 99999999999999_00 {
			t.Errorf("ParseCost(%q) = %d %v, want a huge cost", in, got, ok)
		}
	}
}

// TestCostProblems: an unreadable cost asks for złoty, a huge one is too high.
func TestCostProblems(t *testing.T) {
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	for in, want := range map[string]string{"abc": civic.KeyCostText, "NaN": civic.KeyCostText, "1e5": civic.KeyCostText,
		"0x10000": civic.KeyCostText, "400000.001": civic.KeyCostText, "10.000": civic.KeyCostText, "": civic.KeyCostText,
		"1 000 000 000 000": civic.KeyCostHigh, "99999999999999999999": civic.KeyCostHigh, "5": civic.KeyCostLow} {
		d := draftOf(formData{Pool: "d01", Title: "Ławki", Summary: "Opis.", Category: "green", Cost: in}, "pl")
		ps := civic.Check(ed, d)
		if len(ps) != 1 || ps[0].Key != want {
			t.Errorf("cost %q: %v, want %s", in, ps, want)
		}
	}
	m := assets.MustMessages()
	for _, l := range assets.Languages {
		if s := m.T(l, civic.KeyCostText); !strings.Contains(s, "45 000") {
			t.Errorf("%s: %q", l, s)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	for name, c := range map[string]struct {
		headers map[string]string
		want    bool
	}{
		"fetch metadata same-origin": {map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		"fetch metadata cross-site":  {map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://urna.test"}, false},
		"fetch metadata same-site":   {map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		"origin of this host":        {map[string]string{"Origin": "http://urna.test"}, true},
		"origin of another host":     {map[string]string{"Origin": "http://evil.test"}, false},
		"null origin":                {map[string]string{"Origin": "null"}, false},
		"no header at all":           {nil, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "http://urna.test/proposals/new", nil)
		for k, v := range c.headers {
			r.Header.Set(k, v)
		}
		if got := SameOrigin(r); got != c.want {
			t.Errorf("%s: %v", name, got)
		}
	}
}

// TestProposalPagesTranslated: every proposal page reads in pl, en and uk
// with no translation key left showing, and the form is closed outside
// the submission phase.
func TestProposalPagesTranslated(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	desk := proposals.New(proposals.Config{Store: st, Clock: func() time.Time { return now },
		Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	mux := http.NewServeMux()
	(&Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	form := url.Values{"pool": {"d01"}, "title": {"Ławki"}, "summary": {"Ławki na bulwarach."}, "cost": {"50000"}, "category": {"green"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/proposals/new", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("submit: %v %v", resp, err)
	}
	words := map[string]string{"pl": "Złóż wniosek", "en": "Submit a proposal", "uk": "Подати пропозицію"}
	for _, lang := range assets.Languages {
		for _, path := range []string{"/proposals", "/proposals/new", "/proposals/status"} {
			code, page := get(t, srv.URL+path+"?lang="+lang)
			if code != 200 || strings.Contains(page, "proposals.") || !strings.Contains(page, words[lang]) {
				t.Errorf("%s %s: %d\n%.2000s", lang, path, code, page)
			}
		}
	}
	now = time.Date(2025, 3, 20, 12, 0, 0, 0, ed.Location())
	if _, page := get(t, srv.URL+"/proposals/new?lang=en"); !strings.Contains(page, "this stage of the civic budget is closed") || strings.Contains(page, `name="title"`) {
		t.Errorf("the form outside the submission phase:\n%.2000s", page)
	}
}

// FuzzParseCost: whatever is typed, a cost read is never negative, and
// what FormatPLN writes reads back as the same grosze.
func FuzzParseCost(f *testing.F) {
	for _, s := range []string{"150 000", "150000,50", "1.5", "zł", "-1", "99999999999,99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, ok := ParseCost(s)
		if !ok {
			return
		}
		if g < 0 {
			t.Fatalf("%q read as %d", s, g)
		}
		if back, ok := ParseCost(election.FormatPLN(g)); !ok || back != g {
			t.Fatalf("%q: %d written as %q reads back as %d %v", s, g, election.FormatPLN(g), back, ok)
		}
	})
}

// TestProposalListPages: a long list comes a hundred to a page, with the
// filters kept in the next page's address.
func TestProposalListPages(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	proposals.KrakowYear(ed)
	now := time.Date(2025, 2, 20, 12, 0, 0, 0, ed.Location())
	desk := proposals.New(proposals.Config{Store: st, Clock: func() time.Time { return now }, PerAddress: 1000,
		Edition: func(context.Context) (*election.Edition, error) { return ed, nil }})
	for i := range 105 {
		pool := "d01"
		if i >= 103 {
			pool = "d02"
		}
		if _, err := desk.Submit(context.Background(), civicDraft(pool, i), "", "a"); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	(&Proposals{Desk: desk, Msgs: assets.MustMessages()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	rows := func(page string) int { return strings.Count(page, `<tr><td><a href="/proposals/p/`) }
	_, first := get(t, srv.URL+"/proposals?lang=en")
	if rows(first) != 100 || !strings.Contains(first, "Proposals: 105") || !strings.Contains(first, `rel="next"`) {
		t.Fatalf("first page: %d rows", rows(first))
	}
	_, second := get(t, srv.URL+"/proposals?lang=en&page=2")
	if rows(second) != 5 || strings.Contains(second, `rel="next"`) || !strings.Contains(second, `rel="prev"`) {
		t.Fatalf("second page: %d rows", rows(second))
	}
	if _, d01 := get(t, srv.URL+"/proposals?lang=en&d=d01&page=2"); rows(d01) != 3 {
		t.Fatalf("d01's second page: %d rows", rows(d01))
	}
}

func civicDraft(pool string, i int) civic.Draft {
	return civic.Draft{Pool: pool, Lang: "pl", Title: "Projekt " + strconv.Itoa(i), Summary: "Opis.", Category: "green", Cost: 50_000_00}
}
