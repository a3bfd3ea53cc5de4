// Package printer drives ESC/POS thermal printers: an encoder with code
// pages, QR codes and rasters, a table of printer profiles, the status
// decoder (DLE EOT, automatic status back), and a serial transport whose one
// goroutine owns the port.
package printer

import (
	"fmt"
	"slices"
	"strings"
)

// Profile describes one printer model: what it can do and how it numbers
// its code pages.
type Profile struct {
	Name       string
	Model      string
	WidthDots  int // printable width in dots at 8 dots/mm
	Columns    int // characters per line in font A
	CodePages  []CodePage
	StarPages  bool // select code pages with ESC GS t (Star in ESC/POS mode) instead of ESC t
	NativeQR   bool // GS ( k QR codes
	QRModule   int  // module size in dots for native QR
	Cutter     bool
	Status     bool // answers DLE EOT
	AutoStatus bool // supports GS a (automatic status back)
	BandRows   int  // rows per raster band (GS v 0)
	USB        []USBID
}

// USBID identifies a printer model (or its USB-serial bridge) on the bus.
type USBID struct{ VID, PID string }

// Code page numbers, as each maker numbers them.
var (
	epsonPages = []CodePage{cp852(18), win1250(45), cp866(17), win1251(46)}
	rongta     = []CodePage{cp852(18), win1250(30), cp866(17), win1251(46)}
	zjiang     = []CodePage{cp852(18), win1250(72), cp866(17)}
	starPages  = []CodePage{cp852(5), cp866(10)}
)

// Profiles is the table of known printers, by name.
var Profiles = []Profile{
	{Name: "epson-tm-t20", Model: "Epson TM-T20", WidthDots: 576, Columns: 48, CodePages: epsonPages,
		NativeQR: true, QRModule: 6, Cutter: true, Status: true, AutoStatus: true, BandRows: 128,
		USB: []USBID{{"04b8", "0e15"}, {"04b8", "0e28"}}},
	{Name: "epson-tm-t88", Model: "Epson TM-T88", WidthDots: 512, Columns: 42, CodePages: epsonPages,
		NativeQR: true, QRModule: 6, Cutter: true, Status: true, AutoStatus: true, BandRows: 128,
		USB: []USBID{{"04b8", "0202"}, {"04b8", "0e27"}}},
	{Name: "generic-80mm", Model: "80 mm ESC/POS", WidthDots: 576, Columns: 48, CodePages: []CodePage{cp852(18), cp866(17)},
		NativeQR: true, QRModule: 6, Cutter: true, Status: true, BandRows: 64,
		USB: []USBID{{"0416", "5011"}, {"1a86", "7523"}}},
	{Name: "generic-58mm", Model: "58 mm ESC/POS (POS-58, Zjiang)", WidthDots: 384, Columns: 32, CodePages: zjiang,
		NativeQR: false, Cutter: false, Status: true, BandRows: 24,
		USB: []USBID{{"0416", "5011"}, {"067b", "2303"}}},
	{Name: "star-escpos", Model: "Star (ESC/POS mode)", WidthDots: 576, Columns: 48, CodePages: starPages, StarPages: true,
		NativeQR: true, QRModule: 6, Cutter: true, Status: true, BandRows: 64,
		USB: []USBID{{"0519", "0003"}}},
	{Name: "rongta", Model: "Rongta RP80", WidthDots: 576, Columns: 48, CodePages: rongta,
		NativeQR: true, QRModule: 6, Cutter: true, Status: true, BandRows: 64,
		USB: []USBID{{"0fe6", "811e"}}},
}

// ProfileNames lists the profile names.
func ProfileNames() []string {
	names := make([]string, len(Profiles))
	for i, p := range Profiles {
		names[i] = p.Name
	}
	return names
}

// LookupProfile returns the profile called name.
func LookupProfile(name string) (*Profile, error) {
	for i := range Profiles {
		if Profiles[i].Name == name {
			return &Profiles[i], nil
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
