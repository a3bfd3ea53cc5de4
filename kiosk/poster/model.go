// Package poster makes the promotional material of a voting point: A4 and
// A3 posters, an A5 flyer printed two-up on A4, and a multi-page district
// project list, as PDF with embedded subset fonts. One content model feeds
// them and the thermal strip (kiosk/layout). The material stays neutral:
// projects in ballot order or by number, none highlighted.
package poster

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/election"
)

// Entry is one project as posters list it.
type Entry struct {
	Number string
	Title  string
	Cost   int64
}

// Model is what every format shows.
type Model struct {
	Lang      string
	Edition   string   // the edition's name
	Dates     string   // "1–14 czerwca 2025"
	Venue     string   // name
	Address   string   //
	Hours     []string // "pon.–pt. 9:00–19:00"
	District  string   // "XVI Bieńczyce"
	Projects  []Entry  // the district's projects
	CityCount int      // how many city-wide projects are on the ballot too
	URL       string   // for the QR code: the public project list / voting page
	Headline  string   // "Głosuj tutaj!" in Lang
	Others    []string // the headline in the other two languages
	Lines     map[string]string
	Generated time.Time
	// KeyFingerprint is the edition key's fingerprint, printed so that the
	// signed results can be checked against paper the server cannot change.
	KeyFingerprint string
}

// Order of the projects on posters.
type Order string

// Orders. Both are neutral: neither depends on anything but the catalog.
const (
	ByNumber Order = "number"
	ByBallot Order = "ballot"
)

// NewModel builds the model for a venue's posters.
func NewModel(ed *election.Edition, m assets.Messages, venueID, lang, url string, order Order) (*Model, error) {
	v := ed.Venue(venueID)
	if v == nil {
		ids := make([]string, len(ed.Venues))
		for i, x := range ed.Venues {
			ids[i] = x.ID
		}
		return nil, fmt.Errorf("unknown venue %q (known: %s)", venueID, strings.Join(ids, ", "))
	}
	if !slices.Contains(assets.Languages, lang) {
		return nil, fmt.Errorf("language %q: one of %s", lang, strings.Join(assets.Languages, ", "))
	}
	d := ed.Pool(v.District)
	if d == nil {
		return nil, fmt.Errorf("venue %s: unknown district %q", v.ID, v.District)
	}
	md := &Model{
		Lang: lang, Edition: ed.Name.In(lang), Dates: Dates(ed, m, lang),
		Venue: v.Name, Address: v.Address, Hours: Hours(v, m, lang),
		District: strings.TrimSpace(d.Number + " " + districtName(d)),
		URL:      url, Headline: m.T(lang, "poster.vote_here"), Lines: map[string]string{},
	}
	if c := ed.CityPool(); c != nil {
		md.CityCount = len(ed.ProjectsIn(c.ID))
	}
	for _, l := range assets.Languages {
		if l != lang {
			md.Others = append(md.Others, m.T(l, "poster.vote_here"))
		}
	}
	for _, p := range ed.ProjectsIn(d.ID) {
		md.Projects = append(md.Projects, Entry{Number: p.Number, Title: p.Title.In(lang), Cost: p.Cost})
	}
	if order == ByNumber {
		slices.SortStableFunc(md.Projects, func(a, b Entry) int { return compareNumbers(a.Number, b.Number) })
	}
	for _, k := range []string{"poster.where", "poster.hours", "poster.scan", "poster.who", "poster.neutral", "poster.ballot", "poster.number", "poster.title", "poster.cost", "poster.continued", "report.edition_key"} {
		md.Lines[k] = m.T(lang, k)
	}
	md.Lines["poster.dates"] = m.T(lang, "poster.dates", "dates", md.Dates)
	md.Lines["poster.projects"] = m.T(lang, "poster.projects", "district", md.District)
	md.Lines["poster.list_title"] = m.T(lang, "poster.list_title", "district", md.District)
	md.Lines["poster.city_projects"] = m.T(lang, "poster.city_projects", "n", md.CityCount)
	md.Lines["poster.page"] = m.T(lang, "poster.page") // {page} and {pages} filled per page
	return md, nil
}

// districtName drops the "Dzielnica XVI" prefix that pool names carry.
func districtName(d *election.Pool) string {
	name := d.Name.In("pl")
	if i := strings.Index(name, d.Number+" "); i >= 0 && d.Number != "" {
		return name[i+len(d.Number)+1:]
	}
	return name
}

// compareNumbers orders public numbers like "BO.XVI.2/25" < "BO.XVI.10/25":
// runs of digits compare as numbers.
func compareNumbers(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, _ := strconv.Atoi(a[:da])
			nb, _ := strconv.Atoi(b[:db])
			if na != nb {
				return na - nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// Dates writes the voting window as a reader says it: "1–14 czerwca 2025",
// "30 maja – 13 czerwca 2025".
func Dates(ed *election.Edition, m assets.Messages, lang string) string {
	loc := ed.Location()
	from := ed.Opens.In(loc)
	to := ed.Closes.In(loc).Add(-time.Nanosecond) // closes is exclusive
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

// Hours writes a venue's opening hours, grouping weekdays with the same
// hours: "pon.–pt. 9:00–19:00", "sob. 10:00–14:00".
func Hours(v *election.Venue, m assets.Messages, lang string) []string {
	span := map[time.Weekday]string{}
	for _, h := range v.Hours {
		span[h.Weekday] = strings.TrimPrefix(h.Open, "0") + "–" + strings.TrimPrefix(h.Close, "0")
	}
	order := []time.Weekday{1, 2, 3, 4, 5, 6, 0} // Monday first, as Polish calendars
	var out []string
	for i := 0; i < len(order); {
		s, ok := span[order[i]]
		if !ok {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && span[order[j+1]] == s {
			j++
		}
		day := func(d time.Weekday) string { return m.T(lang, fmt.Sprintf("day.%d", d)) }
		days := day(order[i])
		if j > i {
			days += "–" + day(order[j])
		}
		out = append(out, days+" "+s)
		i = j + 1
	}
	return out
}
