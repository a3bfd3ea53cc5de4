// Package printer drives ESC/POS thermal printers: an encoder with code
// pages, QR codes and rasters, printer profiles generated from the ESC/POS
// printer database, the status decoder (DLE EOT, GS r, automatic status
// back), and one transport over serial lines, USB printer-class devices
// and raw TCP (port 9100) whose one goroutine owns the connection.
package printer

//go:generate go run ./internal/gendb escposdb/capabilities.json dbprofiles.go

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Profile describes one printer model: what it can do and how it numbers
// its code pages. Profiles come from the ESC/POS printer database
// (dbprofiles.go) and override.go; Sources says which for each field.
type Profile struct {
	Name       string          // Urna's name, used in the configuration: epson-tm-t20iii
	Model      string          // vendor and model: Epson TM-T20III
	DBKey      string          // the model's key in the printer database
	WidthDots  int             // printable width in dots
	WidthMM    float64         // printable width in mm
	DPI        int             // dots per inch (paper length per dot)
	Columns    int             // characters per line in font A
	Pages      map[byte]string // every ESC t number the model has, by the database's page names
	CodePages  []CodePage      // the pages the encoder uses: the best for Polish, then for Ukrainian
	NativeQR   bool            // GS ( k QR codes; else a raster QR
	QRModule   int             // module size in dots for native QR
	Cutter     bool
	Status     bool // answers DLE EOT and GS r
	AutoStatus bool // supports GS a (automatic status back)
	BandRows   int  // rows per raster band (GS v 0)
	USB        []USBID
	SpeedMMs   int               // print speed in mm/s; 0 when not known
	Sources    map[string]string // field name → where its value came from
}

// USBID identifies a printer model (or its USB-serial bridge) on the bus.
type USBID struct{ VID, PID string }

// Where a profile's values come from.
const (
	SourceDB = "escpos-printer-db"
)

// pagePreference is the order in which code pages are chosen: for Polish,
// then for Ukrainian. A model's first page of each kind is the one used.
var pagePreference = [][]string{
	{"CP852", "CP1250", "ISO_8859-2"},
	{"CP1251", "CP866", "ISO_8859-5", "CP855"},
}

// charmaps are the database's page names Go can encode and decode.
var charmaps = map[string]*charmap.Charmap{
	"CP437": charmap.CodePage437, "CP850": charmap.CodePage850, "CP852": charmap.CodePage852,
	"CP855": charmap.CodePage855, "CP858": charmap.CodePage858, "CP860": charmap.CodePage860,
	"CP862": charmap.CodePage862, "CP863": charmap.CodePage863, "CP865": charmap.CodePage865,
	"CP866": charmap.CodePage866, "CP1250": charmap.Windows1250, "CP1251": charmap.Windows1251,
	"CP1252": charmap.Windows1252, "CP1253": charmap.Windows1253, "CP1254": charmap.Windows1254,
	"CP1255": charmap.Windows1255, "CP1256": charmap.Windows1256, "CP1257": charmap.Windows1257,
	"CP1258": charmap.Windows1258, "ISO_8859-1": charmap.ISO8859_1, "ISO_8859-2": charmap.ISO8859_2,
	"ISO_8859-3": charmap.ISO8859_3, "ISO_8859-4": charmap.ISO8859_4, "ISO_8859-5": charmap.ISO8859_5,
	"ISO_8859-6": charmap.ISO8859_6, "ISO_8859-7": charmap.ISO8859_7, "ISO_8859-8": charmap.ISO8859_8,
	"ISO_8859-9": charmap.ISO8859_9, "ISO_8859-15": charmap.ISO8859_15,
}

// Charmap returns the character set of a page name from the database, or
// nil when Go has none for it.
func Charmap(name string) *charmap.Charmap { return charmaps[name] }

// dbModel is one model as the printer database describes it.
type dbModel struct {
	Key, Name, Vendor string
	DPI               int
	WidthMM           float64
	WidthDots         int
	Columns           []int
	QR, Cut, PartCut  bool
	Raster, Star      bool
	Pages             map[byte]string
}

// build makes the profile of o from its database entry and the override.
func build(o override) Profile {
	m, ok := dbModels[o.Key]
	if !ok {
		panic("printer: override for a model not in the database: " + o.Key)
	}
	src := map[string]string{}
	pick := func(field string, db, local int, why string) int {
		if local != 0 {
			src[field] = why
			return local
		}
		src[field] = SourceDB
		return db
	}
	p := Profile{Name: o.Name, Model: m.Vendor + " " + m.Key, DBKey: m.Key, Pages: m.Pages,
		NativeQR: m.QR, Cutter: m.Cut, QRModule: 6, BandRows: 64,
		Status: o.Status, AutoStatus: o.AutoStatus, USB: o.USB, SpeedMMs: o.SpeedMMs}
	if m.Key == "default" {
		p.Model = "ESC/POS (database default)"
	}
	cols := 0
	if len(m.Columns) > 0 {
		cols = m.Columns[0]
	}
	p.WidthDots = pick("WidthDots", m.WidthDots, o.WidthDots, o.Why["WidthDots"])
	p.DPI = pick("DPI", m.DPI, o.DPI, o.Why["DPI"])
	p.Columns = pick("Columns", cols, o.Columns, o.Why["Columns"])
	p.WidthMM = m.WidthMM
	src["WidthMM"] = SourceDB
	if o.WidthMM != 0 {
		p.WidthMM, src["WidthMM"] = o.WidthMM, o.Why["WidthMM"]
	}
	for _, f := range []string{"Pages", "NativeQR", "Cutter"} {
		src[f] = SourceDB
	}
	if o.BandRows != 0 {
		p.BandRows = o.BandRows
	}
	for _, f := range []string{"Status", "AutoStatus", "USB", "SpeedMMs", "BandRows", "QRModule"} {
		src[f] = o.Why[f]
		if src[f] == "" {
			src[f] = "override: Urna's default"
		}
	}
	p.CodePages = choosePages(m.Pages)
	p.Sources = src
	return p
}

// choosePages returns, for Polish and then Ukrainian, the first page in
// pagePreference that the model has (at its lowest number).
func choosePages(pages map[byte]string) []CodePage {
	nums := make([]int, 0, len(pages))
	for n := range pages {
		nums = append(nums, int(n))
	}
	sort.Ints(nums)
	var out []CodePage
	for _, kind := range pagePreference {
	kind:
		for _, name := range kind {
			for _, n := range nums {
				if pages[byte(n)] == name && charmaps[name] != nil {
					out = append(out, CodePage{Name: name, Number: byte(n), Map: charmaps[name]})
					break kind
				}
			}
		}
	}
	return out
}

// Profiles is the table of supported printer models, built from the
// database and the overrides.
var Profiles = buildProfiles()

func buildProfiles() []Profile {
	out := make([]Profile, len(overrides))
	for i, o := range overrides {
		out[i] = build(o)
	}
	return out
}

// ProfileNames lists the profile names.
func ProfileNames() []string {
	var names []string
	for _, p := range Profiles {
		names = append(names, p.Name)
	}
	return names
}

// LookupProfile returns the profile called name (or by an older name).
func LookupProfile(name string) (*Profile, error) {
	if n, ok := aliases[name]; ok {
		name = n
	}
	ps := Profiles
	for i := range ps {
		if ps[i].Name == name {
			return &ps[i], nil
		}
	}
	return nil, fmt.Errorf("unknown printer profile %q (known: %s)", name, strings.Join(ProfileNames(), ", "))
}

// MatchUSB returns the profiles whose USB ids match, for discovery.
func MatchUSB(vid, pid string) []string {
	var out []string
	for _, p := range Profiles {
		if slices.ContainsFunc(p.USB, func(u USBID) bool {
			return strings.EqualFold(u.VID, vid) && strings.EqualFold(u.PID, pid)
		}) {
			out = append(out, p.Name)
		}
	}
	return out
}

// GuessProfile picks a profile for a USB device: by its ids, and where one
// id is shared by 58 and 80 mm clones (0416:5011), by the product name.
func GuessProfile(vid, pid, product string) string {
	names := MatchUSB(vid, pid)
	if len(names) == 0 {
		return "default"
	}
	if len(names) > 1 {
		narrow := strings.Contains(product, "58")
		for _, n := range names {
			p, _ := LookupProfile(n)
			if (p.WidthDots <= 384) == narrow {
				return n
			}
		}
	}
	return names[0]
}
