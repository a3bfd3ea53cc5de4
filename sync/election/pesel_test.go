package election

import (
	"errors"
	"testing"
	"time"
)

func TestParsePESEL(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	tests := map[string]struct {
		in    string
		birth time.Time
		key   string
	}{
		"classic example 1944":      {in: "44051401359", birth: day(1944, 5, 14)},
		"with spaces":               {in: " 440514 01359 ", birth: day(1944, 5, 14)},
		"1800s":                     {in: makePESEL(1885, 3, 7, 1234), birth: day(1885, 3, 7)},
		"1899 December":             {in: makePESEL(1899, 12, 31, 1), birth: day(1899, 12, 31)},
		"1900 January":              {in: makePESEL(1900, 1, 1, 9), birth: day(1900, 1, 1)},
		"2000s":                     {in: makePESEL(2005, 9, 30, 4321), birth: day(2005, 9, 30)},
		"born today":                {in: makePESEL(2026, 11, 24, 7), birth: day(2026, 11, 24)},
		"2100s in the future":       {in: makePESEL(2101, 1, 1, 1), key: KeyPESELFuture},
		"2200s in the future":       {in: makePESEL(2299, 12, 31, 1), key: KeyPESELFuture},
		"tomorrow":                  {in: makePESEL(2026, 11, 25, 7), key: KeyPESELFuture},
		"29 Feb leap 2000":          {in: makePESEL(2000, 2, 29, 55), birth: day(2000, 2, 29)},
		"29 Feb leap 1996":          {in: makePESEL(1996, 2, 29, 55), birth: day(1996, 2, 29)},
		"29 Feb leap 2024":          {in: makePESEL(2024, 2, 29, 55), birth: day(2024, 2, 29)},
		"29 Feb common 1900":        {in: makePESEL(1900, 2, 29, 55), key: KeyPESELDate},
		"29 Feb common 2023":        {in: makePESEL(2023, 2, 29, 55), key: KeyPESELDate},
		"29 Feb common 1800":        {in: makePESEL(1800, 2, 29, 55), key: KeyPESELDate},
		"30 Feb":                    {in: makePESEL(2004, 2, 30, 55), key: KeyPESELDate},
		"31 April":                  {in: makePESEL(1990, 4, 31, 55), key: KeyPESELDate},
		"day zero":                  {in: makePESEL(1990, 4, 0, 55), key: KeyPESELDate},
		"month 13":                  {in: "44131401350", key: KeyPESELDate},
		"month 00":                  {in: fixCheck("4400140135"), key: KeyPESELDate},
		"month 93 (no century)":     {in: fixCheck("4493140135"), key: KeyPESELDate},
		"month 35 (between ranges)": {in: fixCheck("4435140135"), key: KeyPESELDate},
		"wrong checksum":            {in: "44051401358", key: KeyPESELChecksum},
		"swapped digits":            {in: "44051410359", key: KeyPESELChecksum},
		"too short":                 {in: "4405140135", key: KeyPESELLength},
		"too long":                  {in: "440514013590", key: KeyPESELLength},
		"letters":                   {in: "4405140135X", key: KeyPESELDigits},
		"empty":                     {in: "", key: KeyPESELLength},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePESEL(tc.in, now)
			if tc.key != "" {
				var pr Problem
				if !errors.As(err, &pr) || pr.Key != tc.key {
					t.Fatalf("ParsePESEL(%q) = %v, want problem %s", tc.in, err, tc.key)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePESEL(%q): %v", tc.in, err)
			}
			if !p.Birth.Equal(tc.birth) {
				t.Errorf("birth %v, want %v", p.Birth, tc.birth)
			}
		})
	}
}

// fixCheck appends the right check digit to ten digits.
func fixCheck(ten string) string {
	sum := 0
	for i, w := range peselWeights {
		sum += int(ten[i]-'0') * w
	}
	return ten + string(rune('0'+(10-sum%10)%10))
}

func TestAge(t *testing.T) {
	birth := time.Date(2012, 2, 29, 0, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		now  time.Time
		want int
	}{
		"day before 13th birthday in common year": {time.Date(2025, 2, 28, 23, 0, 0, 0, time.UTC), 12},
		"1 March of common year":                  {time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), 13},
		"leap birthday":                           {time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), 12},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Age(birth, tc.now); got != tc.want {
				t.Errorf("Age = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestEligible(t *testing.T) {
	e := testEdition()
	now := time.Date(2025, 6, 5, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		id       Identity
		guardian bool
		key      string
	}{
		"adult":                {id: Identity{Kind: ByPESEL, Birth: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), Resident: true}},
		"child needs guardian": {id: Identity{Kind: ByPESEL, Birth: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), Resident: true}, guardian: true},
		"13 today":             {id: Identity{Kind: ByPESEL, Birth: time.Date(2012, 6, 5, 0, 0, 0, 0, time.UTC), Resident: true}},
		"code holder":          {id: Identity{Kind: ByCode, Value: "KRK23456789X", Resident: true}},
		"no declaration":       {id: Identity{Kind: ByPESEL, Birth: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}, key: KeyNoDeclaration},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g, err := e.Eligible(tc.id, now)
			if tc.key != "" {
				var pr Problem
				if !errors.As(err, &pr) || pr.Key != tc.key {
					t.Fatalf("got %v, want %s", err, tc.key)
				}
				return
			}
			if err != nil || g != tc.guardian {
				t.Fatalf("Eligible = %v, %v; want guardian %v", g, err, tc.guardian)
			}
		})
	}
	e.Eligibility.MinAge = 16
	if _, err := e.Eligible(Identity{Kind: ByPESEL, Birth: time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), Resident: true}, now); err == nil {
		t.Error("a 13-year-old passed a minimum age of 16")
	}
}

func TestVoterCode(t *testing.T) {
	code, err := NewVoterCode("KRK", zeroReader{})
	if err != nil {
		t.Fatal(err)
	}
	canon, err := NormalizeVoterCode("KRK", code)
	if err != nil {
		t.Fatalf("fresh code %s refused: %v", code, err)
	}
	lower, err := NormalizeVoterCode("krk", " "+stringsToLower(code)+" ")
	if err != nil || lower != canon {
		t.Fatalf("lower-case %s → %q, %v", code, lower, err)
	}
	// Every single-character change is caught.
	body := []byte(canon)
	for i := 3; i < len(body); i++ {
		for _, c := range []byte(codeAlphabet) {
			if c == canon[i] {
				continue
			}
			mut := append([]byte(nil), body...)
			mut[i] = c
			if _, err := NormalizeVoterCode("KRK", string(mut)); err == nil {
				t.Fatalf("changed code %s accepted", mut)
			}
		}
	}
	for _, bad := range []string{"", "KRK", "XYZ-2345-6789-A", "KRK-2345-6789", "KRK-0000-0000-2"} {
		if _, err := NormalizeVoterCode("KRK", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i * 7)
	}
	return len(p), nil
}

func stringsToLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestVoterKey(t *testing.T) {
	a := NewVoterKey([]byte("secret"), Identity{Kind: ByPESEL, Value: "44051401359"})
	b := NewVoterKey([]byte("secret"), Identity{Kind: ByPESEL, Value: "44051401359"})
	c := NewVoterKey([]byte("other"), Identity{Kind: ByPESEL, Value: "44051401359"})
	d := NewVoterKey([]byte("secret"), Identity{Kind: ByCode, Value: "44051401359"})
	if a != b || a == c || a == d {
		t.Fatal("voter keys must depend on secret, kind and value, and only on them")
	}
	txt, _ := a.MarshalText()
	var back VoterKey
	if err := back.UnmarshalText(txt); err != nil || back != a {
		t.Fatalf("round trip: %v", err)
	}
	if contains([]string{string(txt)}, "44051401359") {
		t.Fatal("key shows the PESEL")
	}
}

func FuzzParsePESEL(f *testing.F) {
	for _, s := range []string{"44051401359", "02270803628", "", "00000000000", "9999999999999", "4405140135X"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePESEL(s, now)
		if err != nil {
			var pr Problem
			if !errors.As(err, &pr) || pr.Key == "" {
				t.Fatalf("error without a translation key: %v", err)
			}
			return
		}
		if len(p.Digits) != 11 || p.Birth.After(now) || p.Birth.Year() < 1800 {
			t.Fatalf("accepted %q as %+v", s, p)
		}
	})
}
