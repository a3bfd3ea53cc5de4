package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvaluationAfterBallot: with the evaluation switched on, "how easy
// was it to vote?" follows the thank-you screen only once the resident
// leaves it (the tracker is never covered), in their language, holding no
// ballot (the session was reset: nothing joins the answer to it); an
// answer is counted once, and unanswered it is gone after EvaluationTime,
// before a next resident could begin. Off (the default) it never shows.
// (Main asked nothing.)
func TestEvaluationAfterBallot(t *testing.T) {
	r := newRig(t, portrait)
	var answers []int
	var sealedAtAnswer []bool
	r.u.o.Evaluate = func(score int) {
		_, held := r.s.Sealed()
		answers, sealedAtAnswer = append(answers, score), append(sealedAtAnswer, held)
	}
	r.tap("Українська")
	r.tap("Торкніться")
	r.keys("44051401359")
	r.tap("☐ Заявляю")
	r.tap("Далі")
	r.toReview("uk")
	r.tap("Підтверджую")
	r.want("done")
	sealed, _ := r.s.Sealed()
	if strings.Contains(r.text(), "Наскільки легко") {
		t.Fatal("the question covers the thank-you screen")
	}
	// the thank-you screen's own timeout: the resident left, no question
	r.tap("Завершити")
	r.want("evaluation")
	text := r.text()
	if !strings.Contains(text, "Наскільки легко було голосувати?") || !strings.Contains(text, "дуже легко") || strings.Contains(text, sealed.Tracker) {
		t.Fatalf("the question: %s", text)
	}
	if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		f, _ := os.Create(filepath.Join(dir, "kiosk-evaluation-uk.png"))
		png.Encode(f, r.w.Canvas().Capture())
		f.Close()
	}
	if r.s.Lang() != "uk" {
		t.Fatal("the question is not in the resident's language")
	}
	r.tap("4")
	if len(answers) != 1 || answers[0] != 4 || sealedAtAnswer[0] {
		t.Fatalf("answers %v, a ballot held when answering: %v", answers, sealedAtAnswer)
	}
	r.want("attract")
	if r.s.Lang() != "pl" {
		t.Fatalf("the next resident starts in %s", r.s.Lang())
	}

	// unanswered, it times out before a next resident could vote
	r.identify("80011510017")
	r.toReview("pl")
	r.tap("Zatwierdzam")
	r.tap("Zakończ")
	r.want("evaluation")
	r.c.t = r.c.t.Add(EvaluationTime)
	r.u.Tick()
	r.want("attract")
	if len(answers) != 1 {
		t.Fatalf("a timed-out question counted an answer: %v", answers)
	}
	// skipped: nothing counted
	r.identify("80011510024")
	r.toReview("pl")
	r.tap("Zatwierdzam")
	r.tap("Zakończ")
	r.tap("Pomiń")
	r.want("attract")
	if len(answers) != 1 {
		t.Fatalf("a skipped question counted an answer: %v", answers)
	}

	// off by default
	r.u.o.Evaluate = nil
	r.identify("80011510031")
	r.toReview("pl")
	r.tap("Zatwierdzam")
	r.tap("Zakończ")
	r.want("attract")
}
