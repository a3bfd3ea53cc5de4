package central_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/urna-kiosk/urna/sync/central"
)

// TestEvaluationOnTheWeb: "how easy was it to vote?" is not served unless
// switched on; on, an answer (1–5 and where, or not said) is counted per
// venue and nothing else is kept, wrong answers are refused with a
// translated sentence (main had no evaluation).
func TestEvaluationOnTheWeb(t *testing.T) {
	r := newRig(t, bolt(t))
	off := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{}).Handler())
	t.Cleanup(off.Close)
	if code, _ := get(t, off.URL+"/evaluate"); code != http.StatusNotFound {
		t.Fatalf("off by default, yet /evaluate answers %d", code)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("urzednik-2025!"), bcrypt.MinCost)
	on := httptest.NewServer(central.NewWeb(r.srv, central.WebConfig{Evaluation: true, Users: map[string]string{"anna": string(hash)}}).Handler())
	t.Cleanup(on.Close)
	code, page := get(t, on.URL+"/evaluate?lang=uk")
	if code != http.StatusOK || !strings.Contains(page, "Наскільки легко було голосувати?") || !strings.Contains(page, "дуже легко") || strings.Contains(page, "<script") {
		t.Fatalf("the question: %d", code)
	}
	post := func(v url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, on.URL+"/evaluate?lang=pl", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", on.URL)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, a := range []url.Values{{"score": {"5"}, "venue": {"nck"}}, {"score": {"4"}, "venue": {"nck"}}, {"score": {"2"}, "venue": {""}}} {
		if code, page := post(a); code != http.StatusOK || !strings.Contains(page, "Dziękujemy za odpowiedź!") {
			t.Fatalf("answer %v: %d", a, code)
		}
	}
	if code, page := post(url.Values{"score": {"9"}, "venue": {"nck"}}); code != http.StatusBadRequest || !strings.Contains(page, "Wybierz ocenę od 1 do 5.") {
		t.Fatalf("score 9: %d", code)
	}
	if code, page := post(url.Values{"score": {"3"}, "venue": {"nowhere"}}); code != http.StatusBadRequest || !strings.Contains(page, "Nie ma takiego punktu głosowania.") {
		t.Fatalf("unknown venue: %d", code)
	}
	// one address cannot fill the counts: after a burst it is refused
	refused := 0
	for range 25 {
		if code, page := post(url.Values{"score": {"1"}, "venue": {"nck"}}); code == http.StatusTooManyRequests && strings.Contains(page, "Spróbuj ponownie za kilka minut.") {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("25 answers in a row from one address were all counted")
	}
	ones := 25 - refused
	counts, err := r.st.EvaluationCounts(t.Context())
	if err != nil || counts["nck"] != [5]int{ones, 0, 0, 1, 1} || counts[""] != [5]int{0, 1, 0, 0, 0} || len(counts) != 2 {
		t.Fatalf("counts %v %v", counts, err)
	}
	// the dashboard counts them per point
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(on.URL+"/login", url.Values{"user": {"anna"}, "password": {"urzednik-2025!"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %v %v", resp, err)
	}
	req, _ := http.NewRequest(http.MethodGet, on.URL+"/dashboard/reconcile?lang=en", nil)
	req.AddCookie(resp.Cookies()[0])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	dash, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mean := strconv.FormatFloat(float64(ones+4+5)/float64(ones+2), 'f', 1, 64)
	for _, w := range []string{`id="evaluations"`, "How easy was it to vote?", "Online or not said", "<td class=\"num\">" + mean + "</td>"} {
		if !strings.Contains(string(dash), w) {
			t.Errorf("the dashboard lacks %q", w)
		}
	}
}
