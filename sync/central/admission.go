package central

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// EditionSecret is the voter-key secret of one edition, derived from the
// central's master secret (voter.secret): kiosks get it at enrollment, so a
// thief who reads it from a kiosk of one edition learns nothing of the
// voter keys of another, and every edition's keys are new.
func EditionSecret(master []byte, edition string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("urna-voter-secret-v1\n" + edition))
	return m.Sum(nil)
}

// IssueVoterCodes draws n fresh voter codes with the edition's code prefix
// and keeps only their voter keys (keyed hashes under secret, the ones
// kiosks derive): the central cannot print a code again, and nothing it
// stores lets anyone mint one. rnd is crypto/rand when nil.
func IssueVoterCodes(ctx context.Context, st store.Store, secret []byte, ed *election.Edition, n int, rnd io.Reader) ([]string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	codes := make([]string, 0, n)
	keys := make([]election.VoterKey, 0, n)
	for range n {
		code, err := election.NewVoterCode(ed.Eligibility.CodePrefix, rnd)
		if err != nil {
			return nil, err
		}
		canon, err := election.NormalizeVoterCode(ed.Eligibility.CodePrefix, code)
		if err != nil {
			return nil, err
		}
		codes = append(codes, code)
		keys = append(keys, election.NewVoterKey(secret, election.Identity{Kind: election.ByCode, Value: canon}))
	}
	if err := st.AddAdmitted(ctx, store.ListIssuedCodes, keys); err != nil {
		return nil, err
	}
	return codes, nil
}

// WriteCodeLetters writes one letter per code for the city office to
// print and post: "text" (a sheet, letters separated by form feeds) or
// "pdf" (one A4 page each).
func WriteCodeLetters(w io.Writer, ed *election.Edition, codes []string, format, lang string, at time.Time) error {
	m := assets.MustMessages()
	name := ed.Name.In(lang)
	window := ed.Opens.In(ed.Location()).Format("02.01.2006") + " – " + ed.Closes.In(ed.Location()).Format("02.01.2006")
	body := func() []string {
		return []string{m.T(lang, "letter.intro", "edition", name), m.T(lang, "letter.when", "dates", window),
			m.T(lang, "letter.secret")}
	}
	switch format {
	case "text":
		for i, c := range codes {
			if i > 0 {
				fmt.Fprint(w, "\f\n")
			}
			fmt.Fprintf(w, "%s\n\n%s\n\n    %s\n\n", name, m.T(lang, "letter.title"), c)
			for _, line := range body() {
				fmt.Fprintln(w, line)
			}
		}
		return nil
	case "pdf":
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("dejavu", "", assets.FontSans())
		pdf.AddUTF8FontFromBytes("dejavu", "B", assets.FontSansBold())
		pdf.SetTitle(m.T(lang, "letter.title"), true)
		pdf.SetCreationDate(at)
		for _, c := range codes {
			pdf.AddPage()
			pdf.SetFont("dejavu", "B", 16)
			pdf.MultiCell(0, 8, name, "", "L", false)
			pdf.Ln(4)
			pdf.SetFont("dejavu", "", 12)
			pdf.MultiCell(0, 6, m.T(lang, "letter.title"), "", "L", false)
			pdf.Ln(6)
			pdf.SetFont("dejavu", "B", 22)
			pdf.CellFormat(0, 14, c, "1", 1, "C", false, 0, "")
			pdf.Ln(6)
			pdf.SetFont("dejavu", "", 11)
			for _, line := range body() {
				pdf.MultiCell(0, 6, line, "", "L", false)
				pdf.Ln(2)
			}
		}
		if err := pdf.Error(); err != nil {
			return err
		}
		return pdf.Output(w)
	}
	return fmt.Errorf("format %q: text or pdf", format)
}

// RegisterResult is what an import of the city's register did.
type RegisterResult struct {
	Added   int `json:"added"`
	Skipped int `json:"skipped"` // lines that are not a valid PESEL
}

// ImportRegister reads the city's register, one PESEL a line, and keeps
// only each resident's voter key under secret (the edition's): ballots
// whose key is not among them are held for review (Register admission).
// No PESEL is written anywhere; a bad line is counted, never echoed.
func ImportRegister(ctx context.Context, st store.Store, secret []byte, r io.Reader) (RegisterResult, error) {
	var res RegisterResult
	var keys []election.VoterKey
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := st.AddAdmitted(ctx, store.ListRegister, keys)
		res.Added += len(keys)
		keys = keys[:0]
		return err
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := election.ParsePESEL(line, time.Now())
		if err != nil {
			res.Skipped++
			continue
		}
		keys = append(keys, election.NewVoterKey(secret, election.Identity{Kind: election.ByPESEL, Value: p.Digits}))
		if len(keys) == 10000 {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return res, err
	}
	return res, flush()
}
