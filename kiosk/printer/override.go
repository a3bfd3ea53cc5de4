package printer

// override is what Urna adds to a database model: values the database
// lacks (it has no USB ids, status capabilities or print speeds, and some
// widths are "Unknown"), each with where it came from in Why.
type override struct {
	Name       string // Urna's profile name
	Key        string // the database key
	WidthDots  int    // 0: the database's
	WidthMM    float64
	DPI        int
	Columns    int
	Status     bool
	AutoStatus bool
	BandRows   int
	USB        []USBID
	SpeedMMs   int
	Why        map[string]string
}

const (
	epsonManual = "override: Epson ESC/POS command reference (DLE EOT, GS r, GS a)"
	earlierUSB  = "override: Urna's earlier hand-written table (not in the database)"
	escposBasic = "override: DLE EOT and GS r are basic ESC/POS; without answers it prints with state unknown"
)

// overrides lists the supported models, in the order `urnactl` shows them.
// TSP600 is left out: the database describes it in Star mode (Star code
// page numbers and commands), which this ESC/POS encoder does not speak; a
// Star printer set to ESC/POS emulation works with the default profile.
var overrides = []override{
	{Name: "epson-tm-t20ii", Key: "TM-T20II", Status: true, AutoStatus: true, BandRows: 128,
		USB: []USBID{{"04b8", "0e15"}}, SpeedMMs: 200,
		Why: map[string]string{"Status": epsonManual, "AutoStatus": epsonManual, "BandRows": "override: Epson receive buffer",
			"USB": earlierUSB, "SpeedMMs": "override: Epson TM-T20II specification (200 mm/s)"}},
	{Name: "epson-tm-t20iii", Key: "TM-T20III", Status: true, AutoStatus: true, BandRows: 128,
		USB: []USBID{{"04b8", "0e28"}}, SpeedMMs: 250,
		Why: map[string]string{"Status": epsonManual, "AutoStatus": epsonManual, "BandRows": "override: Epson receive buffer",
			"USB": earlierUSB, "SpeedMMs": "override: Epson TM-T20III specification (250 mm/s)"}},
	{Name: "epson-tm-t88iv", Key: "TM-T88IV", Status: true, AutoStatus: true, BandRows: 128,
		USB: []USBID{{"04b8", "0202"}}, SpeedMMs: 200,
		Why: map[string]string{"Status": epsonManual, "AutoStatus": epsonManual, "BandRows": "override: Epson receive buffer",
			"USB": earlierUSB, "SpeedMMs": "override: Epson TM-T88IV specification (200 mm/s)"}},
	{Name: "epson-tm-t88v", Key: "TM-T88V", Status: true, AutoStatus: true, BandRows: 128,
		USB: []USBID{{"04b8", "0202"}}, SpeedMMs: 300,
		Why: map[string]string{"Status": epsonManual, "AutoStatus": epsonManual, "BandRows": "override: Epson receive buffer",
			"USB": earlierUSB, "SpeedMMs": "override: Epson TM-T88V specification (300 mm/s)"}},
	{Name: "epson-tm-m30iii", Key: "TM-m30III", Status: true, AutoStatus: true, BandRows: 128, SpeedMMs: 300,
		Why: map[string]string{"Status": epsonManual, "AutoStatus": epsonManual, "BandRows": "override: Epson receive buffer",
			"USB": "override: not known (find it with urnactl ports)", "SpeedMMs": "override: Epson TM-m30III specification (300 mm/s)"}},
	{Name: "rongta-rp326", Key: "RP326", WidthDots: 576, WidthMM: 72, Status: true,
		USB: []USBID{{"0fe6", "811e"}}, SpeedMMs: 250,
		Why: map[string]string{"WidthDots": "override: Rongta RP326 specification (80 mm paper, 72 mm = 576 dots printable); the database says Unknown",
			"WidthMM": "override: Rongta RP326 specification", "Status": escposBasic, "USB": earlierUSB,
			"SpeedMMs": "override: Rongta RP326 specification (250 mm/s)"}},
	{Name: "pos-5890", Key: "POS-5890", Status: true, BandRows: 24,
		USB: []USBID{{"0416", "5011"}}, SpeedMMs: 90,
		Why: map[string]string{"Status": escposBasic, "BandRows": "override: small receive buffer of 58 mm clones",
			"USB": earlierUSB + "; the id is shared by 58 and 80 mm clones", "SpeedMMs": "override: POS-5890 seller specifications (90 mm/s)"}},
	{Name: "zj-5870", Key: "ZJ-5870", Status: true, BandRows: 24,
		USB: []USBID{{"0416", "5011"}},
		Why: map[string]string{"Status": escposBasic, "BandRows": "override: small receive buffer of 58 mm clones",
			"USB": earlierUSB + "; the id is shared by 58 and 80 mm clones", "SpeedMMs": "override: not known"}},
	{Name: "default", Key: "default", WidthDots: 512, WidthMM: 64, DPI: 203, Status: true,
		USB: []USBID{{"0416", "5011"}, {"1a86", "7523"}},
		Why: map[string]string{"WidthDots": "override: 42 columns of 12 dots, fits 64 and 72 mm print widths; the database says Unknown",
			"WidthMM": "override: as WidthDots", "DPI": "override: 203 dpi, the usual thermal head; the database says Unknown",
			"Status": escposBasic, "USB": earlierUSB, "SpeedMMs": "override: not known"}},
}

// aliases are the profile names of earlier Urna versions, still read from
// configuration files.
var aliases = map[string]string{
	"epson-tm-t20": "epson-tm-t20ii",
	"epson-tm-t88": "epson-tm-t88v",
	"generic-80mm": "default",
	"generic-58mm": "pos-5890",
	"rongta":       "rongta-rp326",
	// Star in ESC/POS emulation speaks Epson's commands; the old profile
	// mixed in the Star-mode ESC GS t.
	"star-escpos": "default",
}
