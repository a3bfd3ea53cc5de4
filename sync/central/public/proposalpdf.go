package public

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/image/font/sfnt"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
)

// pdfFamily is chosen, as in kiosk/poster, so that fpdf's subset font names
// can be replaced by tagged ones of the same length.
const pdfFamily = "dejavusansreg"

var pdfSubsetNames = [][2]string{
	{"/utf8dejavusansregB", "/URNAAB+DejaVuSansB"},
	{"/utf8dejavusansreg", "/URNAAA+DejaVuSans"},
}

// pdfFonts are the PDF's fonts, parsed once to ask which characters they draw.
var pdfFonts = sync.OnceValue(func() []*sfnt.Font {
	var out []*sfnt.Font
	for _, b := range [][]byte{assets.FontSans(), assets.FontSansBold()} {
		if f, err := sfnt.Parse(b); err == nil {
			out = append(out, f)
		}
	}
	return out
})

// fontSafe replaces each character the PDF's fonts cannot draw (emoji,
// mostly) with "?", and drops the invisible ones that only modify another
// (variation selectors, skin tones, joiners): fpdf fails on a character
// beyond the first plane or one its font lacks.
func fontSafe(s string) string {
	var buf sfnt.Buffer
	var b strings.Builder
	for _, r := range s {
		if r == '\n' || r == '\t' {
			b.WriteRune(r)
			continue
		}
		drawn := r <= 0xFFFF // fpdf's UTF-8 fonts reach the first plane only
		for _, f := range pdfFonts() {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				drawn = false
			}
		}
		switch {
		case drawn:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) || (r >= 0x1F3FB && r <= 0x1F3FF):
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// ConfirmationPDF is an applicant's A4 confirmation: the proposal, its
// tracker and secret (with a QR of the status page's address, without the
// secret), and, where the edition asks for supporters, the support list to
// collect their signatures on paper, with the proposal printed on it.
func ConfirmationPDF(ed *election.Edition, m assets.Messages, lang string, p civic.Proposal, tracker, secret string, now time.Time) ([]byte, error) {
	t := func(k string, a ...any) string { return m.T(lang, k, a...) }
	// what the applicant typed may hold characters the font lacks
	p.Title, p.Summary, p.Location = fontSafe(p.Title), fontSafe(p.Summary), fontSafe(p.Location)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(pdfFamily, "", assets.FontSans())
	pdf.AddUTF8FontFromBytes(pdfFamily, "B", assets.FontSansBold())
	pdf.SetTitle(t("proposals.done.title")+" – "+p.Title, true)
	pdf.SetAuthor("Urna", true)
	pdf.SetCreator("Urna", true)
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	pool := p.Pool
	if pl := ed.Pool(p.Pool); pl != nil {
		pool = pl.Name.In(lang)
	}
	heading := func(s string) {
		pdf.SetFont(pdfFamily, "B", 16)
		pdf.SetTextColor(26, 79, 139)
		pdf.MultiCell(0, 8, s, "", "L", false)
		pdf.SetTextColor(20, 24, 31)
		pdf.Ln(2)
	}
	line := func(label, value string) {
		pdf.SetFont(pdfFamily, "B", 11)
		pdf.CellFormat(74, 6, label, "", 0, "L", false, 0, "")
		pdf.SetFont(pdfFamily, "", 11)
		pdf.MultiCell(0, 6, value, "", "L", false)
	}
	proposal := func() {
		line(t("proposals.f.title"), p.Title)
		line(t("proposals.f.pool"), pool)
		if p.Location != "" {
			line(t("proposals.f.location"), p.Location)
		}
		line(t("proposals.f.cost"), Money(lang, p.Cost, false))
		line(t("proposals.id"), p.ID)
		pdf.Ln(2)
		pdf.SetFont(pdfFamily, "", 10)
		pdf.MultiCell(0, 5, p.Summary, "", "L", false)
	}

	pdf.AddPage()
	pdf.SetFont(pdfFamily, "", 10)
	pdf.CellFormat(0, 5, ed.Name.In(lang), "", 1, "L", false, 0, "")
	heading(t("proposals.done.title"))
	proposal()
	pdf.Ln(3)
	line(t("proposals.f.status"), t("proposals.st."+string(p.Status)))
	// the history confirms each step: the submission, a fix, a protest
	pdf.SetFont(pdfFamily, "", 9)
	for _, ev := range p.History {
		if ev.Kind == "held" || ev.Kind == "released" {
			continue
		}
		s := ev.At.In(ed.Location()).Format("2006-01-02 15:04") + " · " + t("proposals.ev."+string(ev.Kind))
		if ev.Reason != "" {
			s += ": " + fontSafe(ev.Reason)
		}
		pdf.MultiCell(0, 4.5, s, "", "L", false)
	}
	pdf.Ln(4)
	pdf.SetFont(pdfFamily, "B", 12)
	pdf.CellFormat(0, 7, t("proposals.tracker")+": "+tracker, "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 7, t("proposals.secret_label")+": "+secret, "", 1, "L", false, 0, "")
	pdf.SetFont(pdfFamily, "", 10)
	pdf.MultiCell(0, 5, t("proposals.secret_note"), "", "L", false)
	pdf.Ln(3)
	pdf.MultiCell(0, 5, t("proposals.pdf.how"), "", "L", false)
	if ed.CheckURL != "" {
		if png, err := qrcode.Encode(statusURL(ed.CheckURL, tracker), qrcode.Medium, 256); err == nil {
			opt := fpdf.ImageOptions{ImageType: "PNG"}
			pdf.RegisterImageOptionsReader("qr", opt, bytes.NewReader(png))
			pdf.ImageOptions("qr", 18, pdf.GetY()+3, 35, 35, false, opt, 0, "")
		}
	}
	if n := supporters(ed); n > 0 {
		pdf.AddPage()
		pdf.SetFont(pdfFamily, "", 10)
		pdf.CellFormat(0, 5, ed.Name.In(lang), "", 1, "L", false, 0, "")
		heading(t("proposals.support.title"))
		proposal()
		pdf.Ln(3)
		pdf.SetFont(pdfFamily, "", 9)
		pdf.MultiCell(0, 4.5, t("proposals.support.intro", "n", n), "", "L", false)
		pdf.Ln(3)
		w := []float64{10, 62, 70, 32}
		pdf.SetFont(pdfFamily, "B", 9)
		for i, h := range []string{"#", t("proposals.support.name"), t("proposals.support.address"), t("proposals.support.signature")} {
			pdf.CellFormat(w[i], 7, h, "1", 0, "C", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont(pdfFamily, "", 9)
		for i := range n {
			pdf.CellFormat(w[0], 9, fmt.Sprint(i+1), "1", 0, "C", false, 0, "")
			for _, x := range w[1:] {
				pdf.CellFormat(x, 9, "", "1", 0, "", false, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.Ln(4)
		pdf.MultiCell(0, 4.5, t("proposals.support.venue"), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	for _, n := range pdfSubsetNames {
		out = bytes.ReplaceAll(out, []byte(n[0]), []byte(n[1]))
	}
	return out, nil
}

func supporters(ed *election.Edition) int {
	if ed.Proposals == nil {
		return 0
	}
	return min(ed.Proposals.Supporters, 40)
}

// statusURL is the status page's address on the site of the edition's
// check page (the secret is never in it).
func statusURL(checkURL, tracker string) string {
	base := checkURL
	if i := indexPath(base); i >= 0 {
		base = base[:i]
	}
	return base + "/proposals/status?t=" + tracker
}

// indexPath finds where the path starts in an absolute URL.
func indexPath(u string) int {
	start := 0
	if i := bytes.Index([]byte(u), []byte("://")); i >= 0 {
		start = i + 3
	}
	if j := bytes.IndexByte([]byte(u[start:]), '/'); j >= 0 {
		return start + j
	}
	return -1
}
