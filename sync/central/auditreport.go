package central

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urna-kiosk/urna/assets"
)

// WriteAudit writes an audit's report for the city office: "text" (the
// summary, each kiosk with its counts and chain state, what disagrees) in
// lang, or "json".
func WriteAudit(w io.Writer, a *Audit, format, lang string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	}
	if format != "text" {
		return fmt.Errorf("format %q: text or json", format)
	}
	m := assets.MustMessages()
	t := func(key string, args ...any) string { return m.T(lang, key, args...) }
	fmt.Fprintln(w, t("audit.title", "at", a.At.Format("2006-01-02 15:04:05")))
	fmt.Fprintln(w, t("audit.summary", "stored", a.Stored, "verified", a.Verified, "bad", a.BadSignature,
		"held", a.Held, "voters", a.Voters, "index", a.IndexCounted, "mismatched", a.Mismatched))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, t("audit.head"))
	for _, k := range a.Kiosks {
		state := t("audit.chain.ok")
		if !k.ChainOK() {
			state = t("audit.chain.bad", "gaps", len(k.Chain.Gaps), "missing", k.Chain.Missing, "breaks", len(k.Chain.Breaks),
				"max", k.Chain.MaxSeq, "committed", k.Committed)
		}
		if k.Forged > 0 {
			state += " " + t("audit.chain.forged", "n", k.Forged)
		}
		if k.Revoked {
			state += " " + t("audit.revoked")
		}
		if k.SetAside {
			state += " " + t("audit.set_aside")
		}
		if k.SignedOff {
			state += " " + t("audit.signed_off")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", k.Kiosk, k.Venue, k.Stored, k.Counted, k.Held, k.BadSignature, state)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, d := range a.Differences {
		project := d.Project
		if project == "" {
			project = "–"
		}
		fmt.Fprintln(w, t("audit.difference", "pool", d.Pool, "project", project, "what", t("audit.what."+d.What), "fast", d.Fast, "recount", d.Recount))
	}
	for _, p := range a.Problems {
		fmt.Fprintln(w, "! "+t(p))
	}
	for _, k := range a.Findings {
		fmt.Fprintln(w, "• "+t("audit.finding.settled", "kiosk", k))
	}
	fmt.Fprintln(w, t(a.Verdict))
	return nil
}
