package printer

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func profile(t testing.TB, name string) *Profile {
	t.Helper()
	p, err := LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEncoderGoldenBytes(t *testing.T) {
	epson := profile(t, "epson-tm-t20")
	star := profile(t, "star-escpos")
	zj := profile(t, "generic-58mm")
	init := []byte{0x1b, 0x40, 0x1b, 0x74, 18}
	tests := map[string]struct {
		p    *Profile
		do   func(e *Encoder)
		want []byte
	}{
		"init selects CP852":    {epson, func(*Encoder) {}, init},
		"star init (ESC t)":     {star, func(*Encoder) {}, []byte{0x1b, 0x40, 0x1b, 0x74, 18}},
		"align center":          {epson, func(e *Encoder) { e.Align(Center) }, []byte{0x1b, 0x61, 1}},
		"align right":           {epson, func(e *Encoder) { e.Align(Right) }, []byte{0x1b, 0x61, 2}},
		"bold on":               {epson, func(e *Encoder) { e.Bold(true) }, []byte{0x1b, 0x45, 1}},
		"bold off":              {epson, func(e *Encoder) { e.Bold(false) }, []byte{0x1b, 0x45, 0}},
		"size 2x2":              {epson, func(e *Encoder) { e.Size(2, 2) }, []byte{0x1d, 0x21, 0x11}},
		"size 1x2":              {epson, func(e *Encoder) { e.Size(1, 2) }, []byte{0x1d, 0x21, 0x01}},
		"size clamps to 8":      {epson, func(e *Encoder) { e.Size(9, 0) }, []byte{0x1d, 0x21, 0x70}},
		"feed 3":                {epson, func(e *Encoder) { e.Feed(3) }, []byte{0x1b, 0x64, 3}},
		"full cut with feed":    {epson, func(e *Encoder) { e.Cut(false) }, []byte{0x1d, 0x56, 65, 24}},
		"partial cut":           {epson, func(e *Encoder) { e.Cut(true) }, []byte{0x1d, 0x56, 66, 24}},
		"no cutter: feed":       {zj, func(e *Encoder) { e.Cut(false) }, []byte{0x1b, 0x64, 4}},
		"ascii line":            {epson, func(e *Encoder) { e.Line("Hi") }, []byte{'H', 'i', 0x0a}},
		"control chars dropped": {epson, func(e *Encoder) { e.Text("a\x1bb\x07") }, []byte{'a', 'b'}},
		"polish in CP852":       {epson, func(e *Encoder) { e.Text("Łó") }, []byte{0x9d, 0xa2}},
		"cyrillic switches to Windows-1251 and back": {epson, func(e *Encoder) { e.Text("ż ї ą") },
			[]byte{0xbe, ' ', 0x1b, 0x74, 46, 0xbf, ' ', 0x1b, 0x74, 18, 0xa5}},
		"star alias speaks ESC/POS only": {star, func(e *Encoder) { e.Text("я") }, []byte{0x1b, 0x74, 46, 0xff}},
		"en dash costs nothing":          {epson, func(e *Encoder) { e.Text("ó – ż") }, []byte{0xa2, ' ', 0x1b, 0x74, 46, 0x96, 0x1b, 0x74, 18, ' ', 0xbe}},
		"sign only in another page: back at once": {epson, func(e *Encoder) { e.Text("ó·ż") },
			[]byte{0xa2, 0x1b, 0x74, 46, 0xb7, 0x1b, 0x74, 18, 0xbe}},
		"native QR": {epson, func(e *Encoder) { e.QR("AB") }, []byte{
			0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0,
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, 6,
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31,
			0x1d, 0x28, 0x6b, 5, 0, 0x31, 0x50, 0x30, 'A', 'B',
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30, 0x0a}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := NewEncoder(tc.p)
			prefix := len(e.Bytes())
			tc.do(e)
			got := e.Bytes()
			if name == "init selects CP852" || name == "star init (ESC t)" {
				prefix = 0
			}
			if !bytes.Equal(got[prefix:], tc.want) {
				t.Errorf("got  % x\nwant % x", got[prefix:], tc.want)
			}
			if tc.p == epson && !bytes.HasPrefix(got, init) {
				t.Errorf("document does not start with ESC @ ESC t 18: % x", got[:5])
			}
		})
	}
}

func TestCodePageRoundTrip(t *testing.T) {
	const s = "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ"
	for _, cp := range []CodePage{cp852(18), win1250(45)} {
		t.Run(cp.Name, func(t *testing.T) {
			var b []byte
			for _, r := range s {
				c, ok := cp.Encode(r)
				if !ok {
					t.Fatalf("%c not in %s", r, cp.Name)
				}
				b = append(b, c)
			}
			var back strings.Builder
			for _, c := range b {
				back.WriteRune(cp.Map.DecodeByte(c))
			}
			if back.String() != s {
				t.Fatalf("round trip gave %q", back.String())
			}
		})
	}
	// Through the encoder, every profile: decode its stream with the page it selected.
	for _, p := range Profiles {
		e := NewEncoder(&p)
		start := len(e.Bytes())
		e.Text(s)
		var back strings.Builder
		for _, c := range e.Bytes()[start:] {
			back.WriteRune(p.CodePages[0].Map.DecodeByte(c))
		}
		if back.String() != s {
			t.Errorf("%s: %q", p.Name, back.String())
		}
	}
}

func TestTransliteration(t *testing.T) {
	// Star has CP866 but a printer with only CP852 must spell Ukrainian in Latin letters.
	only852 := &Profile{Name: "only852", Columns: 48, CodePages: []CodePage{cp852(18)}}
	tests := map[string]struct {
		in, want string
	}{
		"ukrainian":    {"Київ, Щастя, Ґанок", "Kyiv, Shchastia, Ganok"},
		"quotes":       {"„Zielony” – park…", "\"Zielony\" - park..."},
		"polish kept":  {"żółw", "\xbe\xa2\x88w"},
		"not in CP852": {"Señor 5€ ß", "Senor 5EUR \xe1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := NewEncoder(only852)
			start := len(e.Bytes())
			e.Text(tc.in)
			got := string(e.Bytes()[start:])
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// ß is in CP852; what's left as "?" must be only what has no spelling at all.
	if Transliterate('ß') != "?" || Transliterate('é') != "e" || Transliterate('я') != "ia" {
		t.Error("Transliterate table")
	}
	_ = charmap.CodePage852
}

func TestRasterBands(t *testing.T) {
	p := &Profile{Name: "t", WidthDots: 16, Columns: 10, CodePages: []CodePage{cp852(18)}, BandRows: 2}
	img := image.NewGray(image.Rect(0, 0, 10, 5))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.SetGray(0, 0, color.Gray{0}) // top left
	img.SetGray(9, 4, color.Gray{0}) // bottom right
	e := NewEncoder(p)
	start := len(e.Bytes())
	e.Raster(img)
	want := []byte{
		0x1d, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x00, 0x00, 0x00, // rows 0-1
		0x1d, 0x76, 0x30, 0, 2, 0, 2, 0, 0x00, 0x00, 0x00, 0x00, // rows 2-3
		0x1d, 0x76, 0x30, 0, 2, 0, 1, 0, 0x00, 0x40, // row 4
		0x1b, 0x74, 18, // code page selected again after the image
	}
	if got := e.Bytes()[start:]; !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
}

func TestRasterQRFallback(t *testing.T) {
	p := profile(t, "generic-58mm")
	e := NewEncoder(p)
	if err := e.QR("https://urna.example/check/ABCD-EFGH-JKLM-NPQR"); err != nil {
		t.Fatal(err)
	}
	b := e.Bytes()
	if bytes.Contains(b, []byte{0x1d, 0x28, 0x6b}) {
		t.Fatal("58 mm profile sent a native QR")
	}
	if len(b) > 2000 {
		t.Fatalf("raster QR takes %d bytes", len(b))
	}
	if n := bytes.Count(b, []byte{0x1d, 0x76, 0x30, 3}); n < 3 {
		t.Fatalf("%d raster bands, want the QR in bands of %d rows", n, p.BandRows)
	}
}

func TestStatusDecoding(t *testing.T) {
	tests := map[string]struct {
		p, o, r byte
		want    Status
		err     bool
	}{
		"all fine":              {0x12, 0x12, 0x12, Status{Online: true}, false},
		"offline":               {0x1a, 0x12, 0x12, Status{}, false},
		"cover open":            {0x1a, 0x16, 0x12, Status{CoverOpen: true}, false},
		"paper near end":        {0x12, 0x12, 0x1e, Status{Online: true, PaperNearEnd: true}, false},
		"paper out":             {0x1a, 0x32, 0x72, Status{PaperOut: true}, false},
		"paper out only sensor": {0x12, 0x12, 0x72, Status{Online: true, PaperOut: true}, false},
		"error":                 {0x1a, 0x52, 0x12, Status{Error: true}, false},
		"not status":            {0xff, 0x12, 0x12, Status{}, true},
		"bit 0 set":             {0x13, 0x12, 0x12, Status{}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := DecodeStatus(tc.p, tc.o, tc.r)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, s := range []Status{{Online: true}, {PaperOut: true}, {CoverOpen: true}, {Online: true, PaperNearEnd: true}, {Error: true}} {
		if got, _ := DecodeStatus(EncodeStatus(s)); got != s {
			t.Errorf("DLE EOT round trip %+v → %+v", s, got)
		}
		if got, err := DecodeAutoStatus(EncodeAutoStatus(s)); err != nil || got != s {
			t.Errorf("ASB round trip %+v → %+v %v", s, got, err)
		}
	}
	for st, want := range map[Status]error{{Online: true}: nil, {PaperOut: true}: ErrPaperOut, {CoverOpen: true}: ErrCoverOpen, {}: ErrOffline,
		{Error: true}: ErrPrinterError, {Unknown: true}: nil} {
		if err := st.Ready(); !errors.Is(err, want) {
			t.Errorf("%+v Ready = %v, want %v", st, err, want)
		}
	}
	if ErrorKey(&MidJobError{Err: ErrPaperOut}) != "printer.paper_out_mid_job" || ErrorKey(ErrCoverOpen) != "printer.cover_open" {
		t.Error("ErrorKey")
	}
}

func FuzzDecodeStatus(f *testing.F) {
	f.Add(byte(0x12), byte(0x12), byte(0x12), []byte{0x10, 0, 0, 0})
	f.Fuzz(func(t *testing.T, a, b, c byte, asb []byte) {
		s, err := DecodeStatus(a, b, c)
		if err == nil {
			if a2, b2, c2 := EncodeStatus(s); !IsStatusByte(a2) || !IsStatusByte(b2) || !IsStatusByte(c2) {
				t.Fatal("encoded status bytes lack their fixed bits")
			}
		} else if IsStatusByte(a) && IsStatusByte(b) && IsStatusByte(c) {
			t.Fatalf("valid bytes refused: %v", err)
		}
		if len(asb) >= 4 {
			DecodeAutoStatus([4]byte(asb[:4]))
		}
	})
}

func TestWrap(t *testing.T) {
	got := Wrap("Zielony skwer przy ulicy Kazimierza Wielkiego", 16)
	want := []string{"Zielony skwer", "przy ulicy", "Kazimierza", "Wielkiego"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Wrap = %q", got)
	}
	if got := Wrap("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10); len(got) != 3 || got[0] != "ABCDEFGHIJ" {
		t.Errorf("long word: %q", got)
	}
}

func TestConfigVerify(t *testing.T) {
	if err := (Config{Port: "/dev/x"}).WithDefaults().Verify(); err != nil {
		t.Fatal(err)
	}
	bad := Config{Port: "/dev/x", Profile: "nope", Baud: 1234, DataBits: 5, Parity: "mark", StopBits: 3, Flow: "dtr"}
	err := bad.Verify()
	for _, s := range []string{"profile", "baud", "data bits", "parity", "stop bits", "flow"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("Verify does not mention %s: %v", s, err)
		}
	}
}

func TestChunkEnd(t *testing.T) {
	tests := map[string]struct {
		breaks     []int
		off, total int
		want       int
	}{
		"last break within the chunk":   {[]int{100, 400, 600}, 0, 700, 400},
		"exactly at chunk size":         {[]int{100, 512, 600}, 0, 700, 512},
		"one command longer than chunk": {[]int{1200, 1300}, 0, 1300, 1200},
		"from an offset":                {[]int{100, 400, 700, 1000}, 400, 1000, 700},
		"no breaks: all":                {nil, 0, 900, 900},
		"past the last break: the rest": {[]int{100}, 100, 300, 300},
	}
	for name, tc := range tests {
		if got := chunkEnd(tc.breaks, tc.off, tc.total); got != tc.want {
			t.Errorf("%s: chunkEnd = %d, want %d", name, got, tc.want)
		}
	}
	// Every band of a raster is a break: no chunk ends inside image data.
	p := profile(t, "generic-58mm")
	e := NewEncoder(p)
	e.QR("https://urna.example/check/ABCD-EFGH-JKLM-NPQR")
	d := e.Doc()
	for i := 0; i < len(d.Data); i++ {
		if d.Data[i] == 0x1d && i+3 < len(d.Data) && d.Data[i+1] == 'v' && d.Data[i+2] == '0' && d.Data[i+3] == 3 {
			if !slices.Contains(d.Breaks, i) {
				t.Fatalf("raster band at %d does not start at a break", i)
			}
		}
	}
}
