package layout_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/sync/wire"
)

// The proposal slips say, in each language and with its own letters, the
// proposal's number, title and pool, the tracker and the secret (the
// secret only on a new proposal's confirmation), where to check, and the
// support-list hint; the hand-over slip its QR, code and date. With
// URNA_SCREENSHOTS set their pages are rendered there (slips/).
func TestProposalSlips(t *testing.T) {
	p, _ := printer.LookupProfile("epson-tm-t20")
	m := assets.MustMessages()
	ed := assets.MustDemoEdition()
	at := time.Date(2025, 2, 20, 12, 0, 0, 0, time.UTC)
	rc := &wire.ProposalReceipt{ID: "W-2L73WWQA", Title: "Ławki nad Wisłą", Pool: "d13", Tracker: "IOKS-HD3S", Secret: "STAN-66TK-GBJJ-YVP4",
		Supporters: 15, StatusURL: "https://budzet.krakow.pl/proposals/status"}
	st := &wire.ProposalStatus{ID: rc.ID, Title: rc.Title, Pool: "d13", Tracker: rc.Tracker, Status: "protested"}
	h := &wire.ProposalHandoff{Code: "S4W3-BJND-ZNJ2-DHAN", URL: "https://budzet.krakow.pl/proposals/resume/S4W3BJNDZNJ2DHAN", Expires: at.Add(7 * 24 * time.Hour)}
	pool := map[string]string{"pl": "Dzielnica XIII Podgórze", "en": "District XIII Podgórze", "uk": "Район XIII Podgórze"}
	for _, lang := range assets.Languages {
		for name, c := range map[string]struct {
			slip       layout.ProposalSlip
			want, deny []string
		}{
			"receipt": {layout.ProposalSlip{Receipt: rc}, []string{rc.ID, "Ławki nad Wisłą", pool[lang], rc.Tracker, rc.Secret,
				"[QR] " + rc.StatusURL, "budzet.krakow.pl/proposals/status", "15", m.T(lang, "proposals.done.title")}, nil},
			"protest": {layout.ProposalSlip{Protest: st}, []string{rc.ID, "Ławki nad Wisłą", rc.Tracker, m.T(lang, "kp.protest_filed")}, []string{rc.Secret}},
			"handoff": {layout.ProposalSlip{Handoff: h}, []string{"[QR] " + h.URL, h.Code, "27.02.2025"}, []string{rc.Secret}},
		} {
			s := c.slip
			s.Edition, s.Venue, s.Lang, s.At = ed, ed.Venue("bk-podgorze"), lang, at
			doc, err := layout.BuildProposalSlip(p, m, s)
			if err != nil {
				t.Fatal(err)
			}
			ps := virtual.NewParser(p)
			var text string
			ps.OnPage = func(pg virtual.Page) { text += pg.Text() }
			ps.Feed(doc.Data)
			ps.Flush()
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s %s: no %q in\n%s", lang, name, w, text)
				}
			}
			for _, w := range c.deny {
				if strings.Contains(text, w) {
					t.Errorf("%s %s: %q printed", lang, name, w)
				}
			}
			if strings.Contains(text, "kp.") || strings.Contains(text, "proposals.") {
				t.Errorf("%s %s: a key left untranslated:\n%s", lang, name, text)
			}
			if dir := os.Getenv("URNA_SCREENSHOTS"); dir != "" {
				if _, err := virtual.RenderStream(p, doc.Data, filepath.Join(dir, "slips", fmt.Sprintf("%s-%s", name, lang))); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
