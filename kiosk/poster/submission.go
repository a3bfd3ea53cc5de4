package poster

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// ErrNoSubmission says the edition's timeline has no submission phase to announce.
var ErrNoSubmission = errors.New("poster: the edition's timeline has no submission phase")

// SubmissionModel is the model of a venue's poster announcing the window
// for residents' proposals: the same formats as the voting poster (A4, A3,
// flyer, the thermal strip) with the submission's dates, who may submit,
// the steps (pool, description and cost within the limits, the support
// list, the tracker and secret), the venue where the kiosk takes them and
// a QR code of url, the web form.
func SubmissionModel(ed *election.Edition, m assets.Messages, venueID, lang, url string) (*Model, error) {
	md, err := NewModel(ed, m, venueID, lang, url, ByNumber)
	if err != nil {
		return nil, err
	}
	var sub *election.Phase
	for _, ph := range ed.Timeline() {
		if ph.Kind == election.PhaseSubmission {
			sub = &ph
			break
		}
	}
	if sub == nil {
		return nil, ErrNoSubmission
	}
	t := func(k string, a ...any) string { return m.T(lang, k, a...) }
	// the dates say what they are the dates of wherever they stand alone
	// (the thermal strip prints Dates without a label)
	md.Dates = t("poster.submit_dates", "dates", SpanDates(ed, m, lang, sub.Starts, sub.Ends))
	md.Headline = t("poster.submit_here")
	md.Others = md.Others[:0]
	for _, l := range assets.Languages {
		if l != lang {
			md.Others = append(md.Others, m.T(l, "poster.submit_here"))
		}
	}
	money := func(g int64) string { return election.FormatMoney(lang, g, false) }
	steps := []string{t("poster.submit.pool", "district", md.District)}
	if r := ed.Proposals; r != nil {
		d, okd := r.CostLimits[election.District]
		c, okc := r.CostLimits[election.CityWide]
		switch {
		case okd && okc:
			steps = append(steps, t("poster.submit.cost", "dmin", money(d.Min), "dmax", money(d.Max), "cmin", money(c.Min), "cmax", money(c.Max)))
		default:
			steps = append(steps, t("poster.submit.describe"))
		}
		if r.Supporters > 0 {
			steps = append(steps, t("poster.submit.support", "n", r.Supporters))
		}
	} else {
		steps = append(steps, t("poster.submit.describe"))
	}
	steps = append(steps, t("poster.submit.tracker"))
	md.Projects = md.Projects[:0]
	for i, s := range steps {
		md.Projects = append(md.Projects, Entry{Number: strconv.Itoa(i+1) + ".", Title: s})
	}
	md.CityCount = 0
	md.Lines["poster.dates"] = md.Dates
	md.Lines["poster.where"] = t("poster.submit.where")
	md.Lines["poster.hours"] = t("poster.submit.hours")
	md.Lines["poster.scan"] = t("poster.submit.scan")
	md.Lines["poster.projects"] = t("poster.submit.how")
	md.Lines["poster.city_projects"] = t("poster.submit.after")
	md.Lines["poster.who"] = t("poster.submit.who")
	md.Lines["poster.ballot"] = t("poster.submit.vote", "dates", Dates(ed, m, lang))
	md.Lines["poster.neutral"] = t("poster.submit.contact")
	return md, nil
}

// SpanDates writes the days from starts to ends (exclusive) as a reader says
// them: "7 lutego – 9 marca 2025".
func SpanDates(ed *election.Edition, m assets.Messages, lang string, starts, ends time.Time) string {
	loc := ed.Location()
	from := starts.In(loc)
	to := ends.In(loc).Add(-time.Nanosecond)
	month := func(t time.Time) string { return m.T(lang, fmt.Sprintf("month.%d", t.Month())) }
	switch {
	case from.Year() != to.Year():
		return fmt.Sprintf("%d %s %d – %d %s %d", from.Day(), month(from), from.Year(), to.Day(), month(to), to.Year())
	case from.Month() != to.Month():
		return fmt.Sprintf("%d %s – %d %s %d", from.Day(), month(from), to.Day(), month(to), to.Year())
	case from.Day() != to.Day():
		return fmt.Sprintf("%d–%d %s %d", from.Day(), to.Day(), month(to), to.Year())
	}
	return fmt.Sprintf("%d %s %d", to.Day(), month(to), to.Year())
}
