package ui

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/urna-kiosk/urna/kiosk/session"
)

// EvaluationTime is how long the question after a ballot waits for an
// answer: well under the time the next resident needs to reach the
// screen and begin, so that it is gone before they vote.
const EvaluationTime = 15 * time.Second

// evaluation is the question "how easy was it to vote?" after a ballot:
// asked only once the resident has left the thank-you screen (its tracker
// is never covered), in their language and text size, until it is
// answered, skipped or times out. It holds no ballot: the session was
// reset before it shows, and is reset again after it (every resident
// starts clean).
type evaluation struct {
	until time.Time
}

// finishBallot ends the thank-you screen; with the evaluation switched on
// (Options.Evaluate) the question follows.
func (u *UI) finishBallot() {
	asked := u.o.Evaluate != nil && u.s.Step() == session.Done
	lang, large, contrast := u.s.Lang(), u.s.Large(), u.s.Contrast()
	u.s.Reset()
	if asked && u.s.Step() == session.Attract {
		u.eval = evaluation{until: u.o.Clock().Add(EvaluationTime)}
		u.s.SetLang(lang)
		u.s.SetAccessibility(large, contrast)
	}
}

// endEvaluation ends the question and resets what the resident chose.
func (u *UI) endEvaluation() {
	u.eval = evaluation{}
	u.s.Reset()
}

// evaluationName is "evaluation" while the question is asked, else "".
func (u *UI) evaluationName() string {
	if u.eval.until.IsZero() {
		return ""
	}
	if u.staff != staffOff || u.s.Step() != session.Attract || !u.o.Clock().Before(u.eval.until) {
		u.endEvaluation()
		return ""
	}
	return "evaluation"
}

// evaluationTick ends the question when its time is up; true when the
// screen must be redrawn.
func (u *UI) evaluationTick() bool {
	if u.eval.until.IsZero() || u.o.Clock().Before(u.eval.until) {
		return false
	}
	u.endEvaluation()
	return true
}

// answer counts one answer (0: skipped) and ends the question.
func (u *UI) answer(score int) {
	if score > 0 && u.o.Evaluate != nil {
		u.o.Evaluate(score)
	}
	u.endEvaluation()
}

// evaluationScreen asks the question: five large answers and "skip".
func (u *UI) evaluationScreen(area fyne.Size) fyne.CanvasObject {
	t := func(key string) string { return u.t(key) }
	title := headingIn(t("eval.question"), area.Width)
	title.Alignment = fyne.TextAlignCenter
	note := paraIn(t("eval.anonymous"), area.Width)
	note.Alignment = fyne.TextAlignCenter
	var answers []fyne.CanvasObject
	for i := 1; i <= 5; i++ {
		answers = append(answers, newButton(strconv.Itoa(i)+"\n"+t("eval.score."+strconv.Itoa(i)), u.act(func() { u.answer(i) })))
	}
	cols := 5
	if !landscape(area) && area.Width < 900 {
		cols = 1
	}
	skip := newButton(t("eval.skip"), u.act(func() { u.answer(0) }))
	return container.NewVBox(layout.NewSpacer(), title, note, container.NewGridWithColumns(cols, answers...), container.NewCenter(skip), layout.NewSpacer())
}
