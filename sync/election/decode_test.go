package election

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func encoded(t testing.TB, e *Edition) []byte {
	var b bytes.Buffer
	if err := EncodeEdition(&b, e); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEditionRoundTrip(t *testing.T) {
	e := testEdition()
	back, err := DecodeEdition(bytes.NewReader(encoded(t, e)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encoded(t, back), encoded(t, e)) {
		t.Fatal("edition changed in a round trip")
	}
}

// lineOf finds the 1-based line of the n-th occurrence of s.
func lineOf(doc, s string, n int) int {
	off := -1
	for i := 0; i <= n; i++ {
		j := strings.Index(doc[off+1:], s)
		if j < 0 {
			return -1
		}
		off += j + 1
	}
	return strings.Count(doc[:off], "\n") + 1
}

func TestDecodeEditionErrors(t *testing.T) {
	good := string(encoded(t, testEdition()))
	tests := map[string]struct {
		doc   string
		key   string
		field string
		line  func(doc string) int
	}{
		"syntax error": {doc: strings.Replace(good, `"id": "a1",`, `"id": "a1",,`, 1), key: KeyFileSyntax,
			line: func(d string) int { return lineOf(d, ",,", 0) }},
		"cost as text": {doc: strings.Replace(good, `"cost": 600000`, `"cost": "600000"`, 1), key: KeyFileType, field: "projects[4].cost",
			line: func(d string) int { return lineOf(d, `"cost": "600000"`, 0) }},
		"unknown field in project": {doc: strings.Replace(good, `"cost": 300000`, `"costs": 300000`, 1), key: KeyFileField},
		"unknown top-level field": {doc: strings.Replace(good, `"zone"`, `"zona"`, 1), key: KeyFileField,
			line: func(d string) int { return lineOf(d, `"zona"`, 0) }},
		"project in unknown pool": {doc: strings.Replace(good, `"pool": "d2"`, `"pool": "d7"`, 1), key: KeyFileUnknown, field: "projects[7].pool",
			line: func(d string) int { return lineOf(d, `"id": "b1"`, 0) - 1 }},
		"duplicate project id": {doc: strings.Replace(good, `"id": "c2"`, `"id": "c1"`, 1), key: KeyFileDuplicate, field: "projects[1].id",
			line: func(d string) int { return lineOf(d, `"id": "c1"`, 1) - 1 }},
		"negative cost":             {doc: strings.Replace(good, `"cost": 200000`, `"cost": -5`, 1), key: KeyFileInvalid, field: "projects[6].cost"},
		"bad zone":                  {doc: strings.Replace(good, `"Europe/Warsaw"`, `"Europe/Kraków"`, 1), key: KeyFileInvalid, field: "zone"},
		"truncated":                 {doc: good[:len(good)/2], key: KeyFileSyntax},
		"not an object":             {doc: `[1,2]`, key: KeyFileSyntax},
		"trailing data":             {doc: good + "{}", key: KeyFileSyntax},
		"venue in unknown district": {doc: strings.Replace(good, `"district": "d1"`, `"district": "dX"`, 1), key: KeyFileUnknown, field: "venues[0].district"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.doc == good {
				t.Fatal("the test did not change the document")
			}
			_, err := DecodeEdition(strings.NewReader(tc.doc))
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("got %v, want problems", err)
			}
			p := ps[0]
			if p.Key != tc.key {
				t.Fatalf("key %s, want %s (%v)", p.Key, tc.key, err)
			}
			if tc.field != "" && p.Field != tc.field {
				t.Errorf("field %q, want %q", p.Field, tc.field)
			}
			if p.Line <= 0 {
				t.Errorf("no line number in %v", p)
			}
			if tc.line != nil && p.Line != tc.line(tc.doc) {
				t.Errorf("line %d, want %d (%v)", p.Line, tc.line(tc.doc), p)
			}
		})
	}
}

func TestImportProjects(t *testing.T) {
	e := testEdition()
	csvText := "\ufeffid;number;pool;title_pl;title_uk;cost;category\r\n" +
		"n1;I.9;d1;Zielony skwer przy ul. Łokietka;Зелений сквер;\"1 200,50\";green\r\n" +
		"\r\n" +
		"n2;I.10;d1;\"Ławki; nowe\";;1 500 zł;society\r\n"
	ps, err := ImportProjects(strings.NewReader(csvText), e)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Cost != 120_050 || ps[1].Title.In("pl") != "Ławki; nowe" || ps[0].Title.In("uk") != "Зелений сквер" || ps[1].Cost != 150_000 {
		t.Fatalf("got %+v", ps)
	}
	tests := map[string]struct {
		csv   string
		key   string
		line  int
		field string
	}{
		"missing column":  {csv: "id,pool,title_pl\nx,d1,T\n", key: KeyFileMissing, line: 1, field: "cost"},
		"unknown column":  {csv: "id,pool,title_pl,cost,colour\nx,d1,T,1,red\n", key: KeyFileField, line: 1, field: "colour"},
		"bad cost":        {csv: "id,pool,title_pl,cost\nx,d1,T,1\ny,d1,T,12abc\n", key: KeyFileType, line: 3, field: "cost"},
		"unknown pool":    {csv: "id,pool,title_pl,cost\nx,d1,T,1\n\ny,d9,T,1\n", key: KeyFileUnknown, line: 4, field: "pool"},
		"duplicate id":    {csv: "id,pool,title_pl,cost\nc1,d1,T,1\n", key: KeyFileDuplicate, line: 2, field: "id"},
		"field count":     {csv: "id,pool,title_pl,cost\nx,d1,T\n", key: KeyFileInvalid, line: 2},
		"bad quote":       {csv: "id,pool,title_pl,cost\nx,d1,\"T\"x,1\n", key: KeyFileSyntax, line: 2},
		"no title":        {csv: "id,pool,title_pl,cost\nx,d1,,1\n", key: KeyFileMissing, line: 2, field: "title"},
		"over pool money": {csv: "id,pool,title_pl,cost\nx,d1,T,10000000\n", key: KeyFileInvalid, line: 2, field: "cost"},
		"empty":           {csv: "", key: KeyFileMissing, line: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ImportProjects(strings.NewReader(tc.csv), testEdition())
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("got %v, want problems", err)
			}
			if p := ps[0]; p.Key != tc.key || p.Line != tc.line || p.Field != tc.field {
				t.Errorf("got %+v, want %s at line %d field %q", p, tc.key, tc.line, tc.field)
			}
		})
	}
}

func TestPLN(t *testing.T) {
	tests := map[string]int64{"1 234 567,89": 123456789, "1234567.89": 123456789, "10,5": 1050, "7": 700,
		"1,234,567": 123456700, "120 000 zł": 12000000, "3 PLN": 300}
	for in, want := range tests {
		if got, err := ParsePLN(in); err != nil || got != want {
			t.Errorf("ParsePLN(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "-5", "1,2,3.456"} {
		if _, err := ParsePLN(bad); err == nil {
			t.Errorf("ParsePLN(%q) accepted", bad)
		}
	}
	if got := FormatPLN(1020000000); got != "10\u00a0200\u00a0000\u00a0zł" {
		t.Errorf("FormatPLN = %q", got)
	}
}

func FuzzDecodeEdition(f *testing.F) {
	f.Add(encoded(f, testEdition()))
	f.Add([]byte(`{"id":"x","pools":[{"id":1}]}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEdition(bytes.NewReader(b))
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is not Problems: %v", err)
			}
			for _, p := range ps {
				if p.Key == "" {
					t.Fatalf("problem without key: %v", p)
				}
			}
			return
		}
		if len(e.Check()) != 0 {
			t.Fatal("decoded an edition that does not check")
		}
	})
}

func FuzzImportProjects(f *testing.F) {
	f.Add("id;pool;title_pl;cost\nx;d1;Park;\"1 000,50\"\n")
	f.Add("id,pool,title_pl,cost\n\"a\"\"b\",d1,T,1\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ImportProjects(strings.NewReader(s), testEdition())
		if err != nil {
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error is not Problems: %v", err)
			}
			for _, p := range probs {
				if p.Key == "" || p.Line <= 0 {
					t.Fatalf("problem without key or line: %+v", p)
				}
			}
			return
		}
		for _, p := range ps {
			if p.Cost <= 0 || p.Title.In("pl") == "" {
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}

func TestSchemaTwoFields(t *testing.T) {
	cases := map[string]struct {
		edit    func(*Edition)
		field   string // the problem's field, "" for none
		admit   Admission
		wantKey string
	}{
		"schema 1 reads as self-declared": {edit: func(e *Edition) { e.Schema = 0; e.Admission = ""; e.TieRule = "" }, admit: SelfDeclared},
		"schema 2 complete":               {edit: func(e *Edition) {}, admit: StaffActivation},
		"schema 2 without admission":      {edit: func(e *Edition) { e.Admission = "" }, field: "admission", wantKey: KeyFileMissing},
		"schema 2 without tie rule":       {edit: func(e *Edition) { e.TieRule = "" }, field: "tieRule", wantKey: KeyFileMissing},
		"unknown admission":               {edit: func(e *Edition) { e.Admission = "anyone" }, field: "admission", wantKey: KeyFileInvalid},
		"future schema":                   {edit: func(e *Edition) { e.Schema = SchemaVersion + 1 }, field: "schema", wantKey: KeyFileInvalid},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := testEdition()
			e.Schema, e.Admission, e.TieRule = SchemaVersion, StaffActivation, TieCatalogOrder
			c.edit(e)
			got, err := DecodeEdition(bytes.NewReader(encoded(t, e)))
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.AdmissionPolicy() != c.admit {
					t.Fatalf("admission %q, want %q", got.AdmissionPolicy(), c.admit)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != c.field || ps[0].Key != c.wantKey {
				t.Fatalf("got %v, want %s on %s", err, c.wantKey, c.field)
			}
		})
	}
}
