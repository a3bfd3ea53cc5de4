// Package layout composes the documents of the thermal printer: the ballot
// receipt, the opening and closing reports, and the printer test page, in
// Polish, English and Ukrainian.
package layout

import (
	"fmt"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/sync/election"
)

// dateTime formats t the way Polish receipts do, in the edition's zone.
func dateTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("02.01.2006 15:04")
}

// header prints the edition's name and the venue, centred.
func header(e *printer.Encoder, ed *election.Edition, v *election.Venue, lang string) {
	e.Align(printer.Center)
	e.Bold(true)
	e.Size(1, 2)
	e.Wrap(ed.Name.In(lang), 1)
	e.Size(1, 1)
	e.Bold(false)
	if v != nil {
		e.Wrap(v.Name, 1)
		e.Wrap(v.Address, 1)
	}
}

// Receipt is what the ballot receipt shows.
type Receipt struct {
	Edition *election.Edition
	Venue   *election.Venue
	Tracker string
	CastAt  time.Time
	Lang    string
	// Choices are printed only when the edition asks for them (ShowChoices).
	Choices []election.Selection
}

// CheckURL is the address the receipt's QR code holds.
func CheckURL(ed *election.Edition, tracker string) string {
	base := ed.CheckURL
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + tracker
}

// BuildReceipt composes the ballot receipt: tracker code and QR, never the
// choices unless the edition asks for them.
func BuildReceipt(p *printer.Profile, m assets.Messages, r Receipt) (printer.Doc, error) {
	e := printer.NewEncoder(p)
	header(e, r.Edition, r.Venue, r.Lang)
	e.Line(dateTime(r.CastAt, r.Edition.Location()))
	e.Rule()
	e.Bold(true)
	e.Wrap(m.T(r.Lang, "receipt.recorded"), 1)
	e.Bold(false)
	e.Feed(1)
	e.Line(m.T(r.Lang, "receipt.tracker"))
	e.Bold(true)
	e.Size(1, 2)
	e.Line(r.Tracker)
	e.Size(1, 1)
	e.Bold(false)
	if err := e.QR(CheckURL(r.Edition, r.Tracker)); err != nil {
		return printer.Doc{}, err
	}
	e.Align(printer.Left)
	url := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(r.Edition.CheckURL, "https://"), "http://"), "/")
	e.Wrap(m.T(r.Lang, "receipt.how_to_check", "url", url), 1)
	if r.Edition.ChoicesOnReceipt() && len(r.Choices) > 0 {
		e.Rule()
		e.Line(m.T(r.Lang, "receipt.choices"))
		for _, s := range r.Choices {
			if pool := r.Edition.Pool(s.Pool); pool != nil {
				e.Bold(true)
				e.Wrap(pool.Name.In(r.Lang), 1)
				e.Bold(false)
			}
			for _, c := range s.Choices {
				title := c.Project
				if pr := r.Edition.Project(c.Project); pr != nil {
					title = pr.Number + " " + pr.Title.In(r.Lang)
				}
				if c.Points > 0 {
					title += " – " + m.T(r.Lang, "receipt.points", "points", c.Points)
				}
				e.Wrap(title, 1)
			}
		}
	}
	e.Cut(true)
	return e.Doc(), nil
}

// Report is what the opening and closing reports show. The caller fills it
// from the queue's own counts.
type Report struct {
	Closing        bool
	Edition        *election.Edition
	Venue          *election.Venue
	KioskID        string
	CatalogVersion int
	CatalogHash    string
	Today, Total   int
	// Since is the ballots since the last closing (opening report) or the
	// last opening (closing report).
	Since   int
	Synced  int
	Pending int
	LastSeq uint64
	Head    string
	At      time.Time
	Lang    string
	// KeyFingerprint is the edition key's fingerprint (wire.KeyFingerprint),
	// printed where the server cannot change it afterwards, so that anyone
	// can check the signed results against it.
	KeyFingerprint string
}

// BuildReport composes the opening ("zero") or closing report.
func BuildReport(p *printer.Profile, m assets.Messages, r Report) (printer.Doc, error) {
	if r.Synced+r.Pending > r.Total || r.Today > r.Total || r.Since > r.Total {
		return printer.Doc{}, fmt.Errorf("report counts do not add up: today %d, total %d, synced %d, pending %d",
			r.Today, r.Total, r.Synced, r.Pending)
	}
	e := printer.NewEncoder(p)
	header(e, r.Edition, r.Venue, r.Lang)
	e.Feed(1)
	e.Bold(true)
	e.Size(2, 2)
	title := "report.opening"
	if r.Closing {
		title = "report.closing"
	}
	e.Wrap(m.T(r.Lang, title), 2)
	e.Size(1, 1)
	e.Bold(false)
	e.Line(dateTime(r.At, r.Edition.Location()))
	e.Align(printer.Left)
	e.Rule()
	kiosk := r.KioskID
	if kiosk == "" {
		kiosk = m.T(r.Lang, "report.unenrolled")
	}
	e.Pair(m.T(r.Lang, "report.kiosk"), kiosk)
	e.Pair(m.T(r.Lang, "report.catalog"), fmt.Sprint(r.CatalogVersion))
	e.Line(m.T(r.Lang, "report.catalog_hash") + ":")
	e.Wrap(r.CatalogHash, 1)
	if r.KeyFingerprint != "" {
		e.Line(m.T(r.Lang, "report.edition_key") + ":")
		e.Wrap(r.KeyFingerprint, 1)
	}
	e.Rule()
	e.Bold(true)
	if r.Closing {
		e.Pair(m.T(r.Lang, "report.since_opening"), fmt.Sprint(r.Since))
		e.Bold(false)
		e.Pair(m.T(r.Lang, "report.today"), fmt.Sprint(r.Today))
	} else {
		e.Pair(m.T(r.Lang, "report.since_closing"), fmt.Sprint(r.Since))
		e.Bold(false)
	}
	e.Pair(m.T(r.Lang, "report.total"), fmt.Sprint(r.Total))
	if r.Closing {
		e.Pair(m.T(r.Lang, "report.synced"), fmt.Sprint(r.Synced))
		e.Pair(m.T(r.Lang, "report.pending"), fmt.Sprint(r.Pending))
	}
	e.Pair(m.T(r.Lang, "report.last_seq"), fmt.Sprint(r.LastSeq))
	e.Line(m.T(r.Lang, "report.chain_head") + ":")
	head := r.Head
	if head == "" {
		head = strings.Repeat("0", 64)
	}
	for _, l := range printer.Wrap(head, e.Columns(1)) {
		e.Line(l)
	}
	if !r.Closing && r.Since == 0 {
		e.Feed(1)
		e.Bold(true)
		e.Wrap(m.T(r.Lang, "report.zero"), 1)
		e.Bold(false)
	}
	e.Feed(3)
	e.Line(strings.Repeat(".", e.Columns(1)*2/3))
	e.Line(m.T(r.Lang, "report.signature"))
	e.Cut(false)
	return e.Doc(), nil
}

// TestPage is what the printer test page shows.
type TestPage struct {
	Baud int
	Lang string
	URL  string // for the QR code; empty: the QR holds the profile and its pages
}

// PolishLetters is the pangram with every Polish letter.
const PolishLetters = "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ"

// UkrainianLetters is a pangram with every Ukrainian letter.
const UkrainianLetters = "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів! ЄІЇҐ"

// BuildTestPage composes the printer test page: every Polish (and, where
// the profile can, Ukrainian) letter, sizes, a ruler, a QR code, the
// profile and the baud rate.
func BuildTestPage(p *printer.Profile, m assets.Messages, t TestPage) (printer.Doc, error) {
	e := printer.NewEncoder(p)
	e.Align(printer.Center)
	e.Bold(true)
	e.Size(1, 2)
	e.Wrap(m.T(t.Lang, "testpage.title"), 1)
	e.Size(1, 1)
	e.Bold(false)
	e.Align(printer.Left)
	e.Pair(m.T(t.Lang, "testpage.profile"), p.Name)
	e.Line(p.Model)
	if t.Baud > 0 {
		e.Pair(m.T(t.Lang, "testpage.baud"), fmt.Sprint(t.Baud))
	}
	var pages []string
	for _, cp := range p.CodePages {
		pages = append(pages, fmt.Sprintf("%s=%d", cp.Name, cp.Number))
	}
	e.Wrap(m.T(t.Lang, "testpage.codepages")+": "+strings.Join(pages, ", "), 1)
	e.Rule()
	e.Line(m.T(t.Lang, "testpage.polish"))
	e.Wrap(PolishLetters, 1)
	e.Line(m.T(t.Lang, "testpage.ukrainian"))
	e.Wrap(UkrainianLetters, 1)
	switch printed := e.Printable(UkrainianLetters); {
	case printed == UkrainianLetters:
	case strings.ContainsRune(printed, 'ї'): // Cyrillic, without і and ґ (CP866)
		e.Wrap(m.T(t.Lang, "testpage.translit_cp866"), 1)
	default:
		e.Wrap(m.T(t.Lang, "testpage.translit"), 1)
	}
	// Each page the documents use, selected by its number, with both
	// alphabets: a printer set up with another table shows wrong letters
	// on exactly that line.
	for i, cp := range p.CodePages {
		e.Rule()
		e.Line(fmt.Sprintf("ESC t %d = %s", cp.Number, cp.Name))
		e.WrapIn(i, PolishLetters, 1)
		e.WrapIn(i, UkrainianLetters, 1)
	}
	e.Rule()
	e.Line(m.T(t.Lang, "testpage.sizes"))
	e.Bold(true)
	e.Line("Bold ŁÓDŹ")
	e.Bold(false)
	e.Size(2, 2)
	e.Line("2×2 Żółw")
	e.Size(1, 1)
	e.Rule()
	e.Line(m.T(t.Lang, "testpage.ruler"))
	var ruler strings.Builder
	for i := 1; i <= e.Columns(1); i++ {
		ruler.WriteByte(byte('0' + i%10))
	}
	e.Line(ruler.String())
	e.Line(strings.Repeat("|''''", e.Columns(1)/5))
	e.Rule()
	e.Line(m.T(t.Lang, "testpage.qr"))
	e.Align(printer.Center)
	// No made-up address: a phone that reads the code shows the setup.
	qr := t.URL
	if qr == "" {
		qr = fmt.Sprintf("Urna test page: %s, %s", p.Name, strings.Join(pages, " "))
		if t.Baud > 0 {
			qr += fmt.Sprintf(", %d baud", t.Baud)
		}
	}
	if err := e.QR(qr); err != nil {
		return printer.Doc{}, err
	}
	e.Cut(false)
	return e.Doc(), nil
}
