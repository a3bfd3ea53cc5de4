package public

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"codeberg.org/go-pdf/fpdf"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// The paper planner is for residents without a phone: an A4 list of every
// project of the city-wide pool and of one district with a box per choice,
// to decide at home and bring to the kiosk. It is for deciding, not for
// scanning: the kiosk reads a handwritten list no better than a person.

func (p *Planner) paper(w http.ResponseWriter, r *http.Request) {
	ed, err := p.Edition(r.Context())
	lang := pageLang(r)
	if err != nil || ed == nil {
		http.Error(w, p.Msgs.T(lang, "plan.no_edition"), http.StatusServiceUnavailable)
		return
	}
	dist := ed.Pool(r.URL.Query().Get("d"))
	if dist == nil || dist.Kind != election.District {
		http.Error(w, p.Msgs.T(lang, "plan.unknown_district"), http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	if err := PaperPlanner(&buf, ed, dist.ID, lang, p.Msgs); err != nil {
		http.Error(w, "pdf", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="planner-%s-%s.pdf"`, dist.ID, lang))
	_, _ = w.Write(buf.Bytes())
}

// PaperPlanner writes the paper planner of district in lang as an A4 PDF.
func PaperPlanner(w *bytes.Buffer, ed *election.Edition, district, lang string, m assets.Messages) error {
	t := func(k string, a ...any) string { return m.T(lang, k, a...) }
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("dejavu", "", assets.FontSans())
	pdf.AddUTF8FontFromBytes("dejavu", "B", assets.FontSansBold())
	pdf.SetTitle(t("plan.paper_title")+" – "+ed.Name.In(lang), true)
	pdf.SetCreator("Urna", true)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 18)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-13)
		pdf.SetFont("dejavu", "", 8)
		pdf.SetTextColor(80, 88, 100)
		pdf.CellFormat(0, 5, t("plan.paper_footer")+"   "+strconv.Itoa(pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetTextColor(20, 24, 31)
	pdf.SetFont("dejavu", "B", 16)
	pdf.MultiCell(0, 8, t("plan.paper_title"), "", "L", false)
	pdf.SetFont("dejavu", "", 11)
	pdf.MultiCell(0, 6, ed.Name.In(lang), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("dejavu", "", 10)
	pdf.MultiCell(0, 5, t("plan.paper_intro"), "", "L", false)
	for _, pool := range ed.BallotPools(district) {
		rule, _ := ed.Rule(&pool)
		pdf.Ln(4)
		pdf.SetFont("dejavu", "B", 13)
		pdf.MultiCell(0, 7, pool.Name.In(lang), "", "L", false)
		pdf.SetFont("dejavu", "", 10)
		pdf.MultiCell(0, 5, ruleText(m, lang, rule)+" "+t("plan.budget", "budget", election.FormatPLN(pool.Budget)), "", "L", false)
		boxes := []string{"✓"}
		if rule.Kind == election.Points {
			boxes = nil
			for _, n := range rule.Points {
				boxes = append(boxes, strconv.Itoa(n))
			}
		}
		header := func() {
			pdf.SetFont("dejavu", "B", 9)
			pdf.SetFillColor(238, 241, 246)
			pdf.CellFormat(28, 6, t("plan.paper_number"), "B", 0, "L", true, 0, "")
			pdf.CellFormat(180-28-28-float64(len(boxes))*9, 6, t("plan.paper_project"), "B", 0, "L", true, 0, "")
			pdf.CellFormat(28, 6, t("plan.paper_cost"), "B", 0, "R", true, 0, "")
			for _, b := range boxes {
				pdf.CellFormat(9, 6, b, "B", 0, "C", true, 0, "")
			}
			pdf.Ln(-1)
		}
		header()
		pdf.SetFont("dejavu", "", 9)
		titleW := 180 - 28 - 28 - float64(len(boxes))*9
		for _, pr := range ed.ProjectsIn(pool.ID) {
			lines := pdf.SplitText(pr.Title.In(lang), titleW-1)
			h := float64(max(1, len(lines))) * 4.6
			if pdf.GetY()+h > 297-20 {
				pdf.AddPage()
				header()
				pdf.SetFont("dejavu", "", 9)
			}
			x, y := pdf.GetXY()
			pdf.CellFormat(28, h, pr.Number, "B", 0, "L", false, 0, "")
			pdf.MultiCell(titleW, 4.6, pr.Title.In(lang), "", "L", false)
			pdf.SetXY(x+28+titleW, y)
			pdf.CellFormat(28, h, election.FormatPLN(pr.Cost), "B", 0, "R", false, 0, "")
			for range boxes {
				bx := pdf.GetX()
				pdf.CellFormat(9, h, "", "B", 0, "C", false, 0, "")
				pdf.Rect(bx+2, y+h/2-2.5, 5, 5, "D")
			}
			pdf.Line(x, y+h, x+28+titleW, y+h)
			pdf.SetXY(x, y+h)
		}
	}
	return pdf.Output(w)
}
