package election

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestProjectLocationTranslated: a project's location is a translated text;
// the plain string of older files still reads, as Polish.
func TestProjectLocationTranslated(t *testing.T) {
	for name, c := range map[string]struct {
		json   string
		lang   string
		want   string
		native bool
	}{
		"plain string reads as Polish": {`{"location": "os. Kalinowe"}`, "pl", "os. Kalinowe", true},
		"plain string, uk falls back":  {`{"location": "os. Kalinowe"}`, "uk", "os. Kalinowe", false},
		"translated":                   {`{"location": {"pl": "cały Kraków", "uk": "увесь Краків"}}`, "uk", "увесь Краків", true},
		"empty":                        {`{"location": ""}`, "pl", "", false},
	} {
		t.Run(name, func(t *testing.T) {
			var p Project
			if err := json.Unmarshal([]byte(c.json), &p); err != nil {
				t.Fatal(err)
			}
			if got := p.Location.In(c.lang); got != c.want || p.Location.Has(c.lang) != c.native {
				t.Fatalf("location in %s: %q (native %v), want %q (native %v)", c.lang, got, p.Location.Has(c.lang), c.want, c.native)
			}
		})
	}
}

func TestImportProjectLocations(t *testing.T) {
	e := &Edition{Pools: []Pool{{ID: "city", Kind: CityWide, Budget: 100000000}}}
	csv := "id;pool;title_pl;cost;location;location_uk\nc1;city;Drzewa;1000;cały Kraków;увесь Краків\n"
	ps, err := ImportProjects(strings.NewReader(csv), e)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps[0].Location; got.In("pl") != "cały Kraków" || got.In("uk") != "увесь Краків" || got.Has("en") {
		t.Fatalf("location %v", got)
	}
}

// TestLocationWrittenAsOlderKiosksRead: a Polish-only location is written
// as the plain string it was; a translated one per language; both read back.
func TestLocationWrittenAsOlderKiosksRead(t *testing.T) {
	for name, c := range map[string]struct {
		loc  Text
		want string
	}{
		"Polish only": {Text{"pl": "os. Kalinowe & park"}, `"location":"os. Kalinowe & park"`},
		"translated":  {Text{"pl": "cały Kraków", "uk": "увесь Краків"}, `"location":{"pl":"cały Kraków","uk":"увесь Краків"}`},
		"none":        {nil, `"pool":"city","title":{"pl":"T"},"cost":1}`},
	} {
		t.Run(name, func(t *testing.T) {
			p := Project{ID: "c1", Pool: "city", Title: Text{"pl": "T"}, Cost: 1, Location: c.loc}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // as EncodeEdition
			if err := enc.Encode(p); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			if !strings.Contains(string(b), c.want) {
				t.Fatalf("encoded %s, want %s", b, c.want)
			}
			var back Project
			if err := json.Unmarshal(b, &back); err != nil || back.Location.In("uk") != c.loc.In("uk") || back.Title.In("pl") != "T" {
				t.Fatalf("read back %+v: %v", back, err)
			}
		})
	}
}
