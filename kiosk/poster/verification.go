package poster

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// Outcome is one proposal on the verification results: what the city
// decided and why, as its public list shows it (no contact, no staff names).
type Outcome struct {
	ID, Title string
	Status    string // a civic.Status
	Reason    string // the outcome's reason, for a rejection, a fix or the council's decision
	Cost      int64  // the cost that would go on the ballot (the unit's estimate when it made one)
}

// Verification is a district's (or the city-wide pool's) verification
// results, to print and hang at the venues: how many passed, were rejected,
// withdrawn or merged, every proposal with its outcome and reason, and
// until when a protest may be filed.
type Verification struct {
	Edition   *election.Edition
	Pool      string // the pool's id
	Lang      string
	Outcomes  []Outcome
	Generated time.Time
}

// verificationCounts are the statuses the summary counts, in its order.
var verificationCounts = []string{"accepted", "formally-ok", "rejected", "protested", "restored", "upheld", "withdrawn", "merged", "on-ballot"}

// WriteVerification writes the results as an A4 PDF over as many pages as
// they need, the header repeated on each, "page N of M" below.
func WriteVerification(w io.Writer, m assets.Messages, v Verification) error {
	ed := v.Edition
	pool := ed.Pool(v.Pool)
	if pool == nil {
		return fmt.Errorf("poster: unknown pool %q", v.Pool)
	}
	t := func(k string, a ...any) string { return m.T(v.Lang, k, a...) }
	md := &Model{Edition: ed.Name.In(v.Lang), Venue: pool.Name.In(v.Lang), Generated: v.Generated}
	pdf := newPDF("P", "A4", md)
	pdf.SetTitle(t("verify.title", "pool", pool.Name.In(v.Lang))+" – "+md.Edition, true)
	pdf.AliasNbPages("{nb}")
	p := painter{pdf, 0, 0, 1}
	inner := pageW - 2*margin
	const idW, statusW, costW = 28.0, 42.0, 28.0
	titleW := inner - idW - statusW - costW
	pdf.SetHeaderFunc(func() {
		p.fill(blue)
		p.rect(0, 0, pageW, 22)
		p.color([3]int{255, 255, 255})
		p.font(true, 12)
		p.text(margin, 4, inner, 6, md.Edition, "L")
		p.font(true, 14)
		p.text(margin, 11, inner, 7, t("verify.title", "pool", pool.Name.In(v.Lang)), "L")
	})
	pdf.SetFooterFunc(func() {
		p.color(muted)
		p.font(false, 8.5)
		label := strings.NewReplacer("{page}", fmt.Sprint(pdf.PageNo()), "{pages}", "{nb}").Replace(t("poster.page"))
		when := ""
		if !v.Generated.IsZero() {
			when = t("verify.generated", "at", v.Generated.In(ed.Location()).Format("2006-01-02 15:04"))
		}
		p.text(margin, pageH-12, inner, 5, when, "L")
		p.text(margin, pageH-12, inner, 5, label, "R")
	})
	pdf.AddPage()

	// the summary: counts by outcome, and the protest window
	count := map[string]int{}
	for _, o := range v.Outcomes {
		count[o.Status]++
	}
	var parts []string
	for _, s := range verificationCounts {
		if count[s] > 0 {
			parts = append(parts, t("proposals.st."+s)+": "+fmt.Sprint(count[s]))
		}
	}
	y := 28.0
	p.color(ink)
	p.font(true, 11)
	y = p.text(margin, y, inner, 5.5, t("verify.total", "n", len(v.Outcomes)), "L")
	p.font(false, 10)
	if len(parts) > 0 {
		y = p.text(margin, y, inner, 5, strings.Join(parts, " · "), "L")
	}
	for _, ph := range ed.Timeline() {
		if ph.Kind == election.PhaseProtests {
			y = p.text(margin, y+1, inner, 5, t("verify.protests", "dates", SpanDates(ed, m, v.Lang, ph.Starts, ph.Ends)), "L")
		}
	}
	y += 3
	head := func(y float64) float64 {
		p.color(muted)
		p.font(true, 9)
		p.text(margin, y, idW, 5, t("poster.number"), "L")
		p.text(margin+idW, y, titleW, 5, t("proposals.f.title"), "L")
		p.text(margin+idW+titleW, y, statusW, 5, t("proposals.f.status"), "L")
		p.text(pageW-margin-costW, y, costW, 5, t("poster.cost"), "R")
		pdf.SetDrawColor(180, 186, 196)
		pdf.Line(margin, y+6, pageW-margin, y+6)
		return y + 8
	}
	y = head(y)
	const size, lineH = 9.5, 4.6
	for _, o := range v.Outcomes {
		p.font(false, size)
		status := t("proposals.st." + o.Status)
		n := max(p.lines(o.Title, titleW), p.lines(status, statusW))
		h := float64(n) * lineH
		if o.Reason != "" {
			p.font(false, size-1)
			h += float64(p.lines(o.Reason, inner-idW)) * (lineH - 0.4)
		}
		h += 2.5
		if y+h > pageH-18 {
			pdf.AddPage()
			y = head(28)
		}
		p.color(blue)
		p.font(true, size)
		p.text(margin, y, idW, lineH, o.ID, "L")
		p.color(ink)
		p.font(false, size)
		p.text(margin+idW, y, titleW, lineH, o.Title, "L")
		p.font(true, size)
		p.text(margin+idW+titleW, y, statusW, lineH, status, "L")
		p.font(false, size)
		p.text(pageW-margin-costW, y, costW, lineH, election.FormatMoney(v.Lang, o.Cost, false), "R")
		ry := y + float64(n)*lineH
		if o.Reason != "" {
			p.color(muted)
			p.font(false, size-1)
			p.text(margin+idW, ry, inner-idW, lineH-0.4, o.Reason, "L")
		}
		y += h
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return output(w, pdf)
}
