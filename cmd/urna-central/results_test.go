package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/needs"
	"github.com/urna-kiosk/urna/internal/pbcheck"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/pabulib"
	"github.com/urna-kiosk/urna/sync/wire"
)

// openDataEdition is a small Kraków-like edition: a city pool of six
// projects, two districts of five, 3-2-1 everywhere.
func openDataEdition() *election.Edition {
	ed := &election.Edition{Schema: election.SchemaVersion, ID: "krk-2025", Version: 1, Name: election.Text{"pl": "Budżet Obywatelski Krakowa 2025"},
		Zone: "Europe/Warsaw", Admission: election.StaffActivation, TieRule: election.TieCatalogOrder,
		Opens:  time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Closes: time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC),
		Rules: map[election.PoolKind]election.BallotRule{
			election.CityWide: {Kind: election.Points, Points: []int{3, 2, 1}},
			election.District: {Kind: election.Points, Points: []int{3, 2, 1}},
		},
		Allocation:  election.Allocation{Rule: "greedy"},
		Eligibility: election.Eligibility{GuardianAge: 13, CodePrefix: "KRK"},
		Pools: []election.Pool{
			{ID: "city", Kind: election.CityWide, Name: election.Text{"pl": "Ogólnomiejskie"}, Budget: 1_000_000_00},
			{ID: "d1", Kind: election.District, Number: "I", Name: election.Text{"pl": "Stare Miasto"}, Budget: 100_000_00},
			{ID: "d2", Kind: election.District, Number: "II", Name: election.Text{"pl": "Grzegórzki"}, Budget: 100_000_00},
		},
		Venues: []election.Venue{{ID: "v1", Name: "Biblioteka", District: "d1"}, {ID: "v2", Name: "Dom Kultury", District: "d2"}},
	}
	for i := range 6 {
		ed.Projects = append(ed.Projects, election.Project{ID: fmt.Sprintf("c%d", i+1), Number: fmt.Sprint(i + 1), Pool: "city",
			Title: election.Text{"pl": fmt.Sprintf("Zieleń nr %d – ławki, drzewa", i+1)}, Cost: int64(200_000_00 + 50_000_00*i)})
	}
	for _, d := range []string{"d1", "d2"} {
		for i := range 5 {
			ed.Projects = append(ed.Projects, election.Project{ID: fmt.Sprintf("%sp%d", d, i+1), Number: fmt.Sprintf("%s.%d", d, i+1), Pool: d,
				Title: election.Text{"pl": fmt.Sprintf("Żłobek %d", i+1)}, Cost: int64(20_000_00 + 10_000_00*i)})
		}
	}
	return ed
}

// permutations returns the ordered choices of three of n projects.
func permutations(ids []string) [][]string {
	var out [][]string
	for _, a := range ids {
		for _, b := range ids {
			for _, c := range ids {
				if a != b && b != c && a != c {
					out = append(out, []string{a, b, c})
				}
			}
		}
	}
	return out
}

// castBallot is one ballot as the central stores it, and what a linker
// would know of it.
type castBallot struct {
	b       wire.SealedBallot
	tracker string
}

// openDataStore fills a store: 60 residents at 3 kiosks over two days,
// each with choices no one else made, and one resident voting twice.
func openDataStore(t *testing.T) (string, *election.Edition, []castBallot) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := openDataEdition()
	raw, _ := json.Marshal(ed)
	if _, err := election.DecodeEdition(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCatalog(ctx, wire.Catalog{Version: 1, Edition: raw}); err != nil {
		t.Fatal(err)
	}
	ids := func(pool string) []string {
		var out []string
		for _, p := range ed.ProjectsIn(pool) {
			out = append(out, p.ID)
		}
		return out
	}
	city, districts := permutations(ids("city")), map[string][][]string{"d1": permutations(ids("d1")), "d2": permutations(ids("d2"))}
	sel := func(pool string, choice []string) election.Selection {
		s := election.Selection{Pool: pool}
		for j, id := range choice {
			s.Choices = append(s.Choices, election.Choice{Project: id, Points: 3 - j})
		}
		return s
	}
	var cast []castBallot
	seq := map[string]uint64{}
	start := time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)
	for i := range 61 {
		voter := i
		if i == 60 {
			voter = 7 // votes again later: not counted
		}
		district := []string{"d1", "d2"}[voter%2]
		kiosk := fmt.Sprintf("k-%02d", i%3)
		seq[kiosk]++
		id := sha256.Sum256(fmt.Appendf(nil, "ballot %d", i))
		b := wire.SealedBallot{ID: hex.EncodeToString(id[:]), Kiosk: kiosk, Seq: seq[kiosk], CastAt: start.Add(time.Duration(i) * 37 * time.Minute),
			Edition: ed.ID, Catalog: 1, District: district, VoterKey: election.VoterKey(sha256.Sum256(fmt.Appendf(nil, "voter %d", voter))),
			Selections: []election.Selection{sel("city", city[(i*2+i/60)%len(city)]), sel(district, districts[district][i/2])}}
		if _, err := st.AddBallots(ctx, []wire.SealedBallot{b}, nil, b.CastAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		cast = append(cast, castBallot{b, wire.TrackerOf(b.ID)})
	}
	return path, ed, cast
}

// TestOpenData publishes an edition's open data, has the official checker
// accept it, recounts it with replay to the central's winners, and finds
// every counted tracker listed and no other.
func TestOpenData(t *testing.T) {
	db, ed, cast := openDataStore(t)
	dir := t.TempDir()
	if _, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + db, "--format", "open-data", "--out", dir}) }); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenBolt(db)
	if err != nil {
		t.Fatal(err)
	}
	_, rs, err := central.Results(context.Background(), st, "")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range rs {
		path := filepath.Join(dir, ed.ID+"_"+r.Pool+".pb")
		files = append(files, path)
		text, err := capture(t, func() error { return cmdReplay([]string{path}) })
		if err != nil {
			t.Fatal(err)
		}
		var out replayed
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.Winners, r.Result.Winners) || len(out.ScoreChecks) > 0 {
			t.Errorf("pool %s: replay %v, central %v %v", r.Pool, out.Winners, r.Result.Winners, out.ScoreChecks)
		}
	}
	// one pool through results --format pabulib too
	one := filepath.Join(dir, "one.pb")
	if _, err := capture(t, func() error {
		return cmdResults([]string{"--db", "bolt:" + db, "--format", "pabulib", "--pool", "d2", "--out", one})
	}); err != nil {
		t.Fatal(err)
	}
	pbcheck.Valid(t, append(files, one)...)

	raw, err := os.ReadFile(filepath.Join(dir, ed.ID+"_trackers.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range cast[:60] {
		want = append(want, c.tracker)
	}
	slices.Sort(want)
	if got := strings.Fields(string(raw)); !slices.Equal(got, want) {
		t.Fatalf("trackers: %d listed, want the %d counted", len(got), len(want))
	}
	if strings.Contains(string(raw), cast[60].tracker) {
		t.Fatal("the uncounted second ballot's tracker is listed")
	}
}

// TestOpenDataLinking tries to link the published ballots back to a
// tracker, a kiosk or a time, and fails: the files hold no identifier,
// and the order of the ballots matches none of the orders a linker knows
// (by time, by tracker, by kiosk and number, as the store keeps them).
func TestOpenDataLinking(t *testing.T) {
	db, ed, cast := openDataStore(t)
	dir := t.TempDir()
	if _, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + db, "--format", "open-data", "--out", dir}) }); err != nil {
		t.Fatal(err)
	}
	counted := cast[:60]
	// what the store hands out, in its own order
	st, err := store.OpenBolt(db)
	if err != nil {
		t.Fatal(err)
	}
	var stored []castBallot
	st.Ballots(context.Background(), func(s store.Stored) error {
		if s.Counted {
			stored = append(stored, castBallot{s.Ballot, wire.TrackerOf(s.Ballot.ID)})
		}
		return nil
	})
	st.Close()
	orders := map[string][]castBallot{"as stored": stored}
	for name, less := range map[string]func(a, b castBallot) int{
		"by time":         func(a, b castBallot) int { return a.b.CastAt.Compare(b.b.CastAt) },
		"by tracker":      func(a, b castBallot) int { return strings.Compare(a.tracker, b.tracker) },
		"by kiosk and no": func(a, b castBallot) int { return cmpKioskSeq(a.b, b.b) },
		"by voter key":    func(a, b castBallot) int { return bytes.Compare(a.b.VoterKey[:], b.b.VoterKey[:]) },
	} {
		orders[name] = slices.SortedFunc(slices.Values(counted), less)
	}
	for _, pool := range ed.Pools {
		raw, err := os.ReadFile(filepath.Join(dir, ed.ID+"_"+pool.ID+".pb"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		for _, c := range cast {
			for what, s := range map[string]string{"tracker": c.tracker, "ballot id": c.b.ID[:12], "kiosk": c.b.Kiosk,
				"voter key": hex.EncodeToString(c.b.VoterKey[:6]), "time": c.b.CastAt.Format("15:04"), "date": c.b.CastAt.Format("2006-01-02")} {
				if strings.Contains(text, s) {
					t.Fatalf("%s: the %s %q is in the file", pool.ID, what, s)
				}
			}
		}
		f, err := pabulib.Read(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range f.Votes {
			if v.ID != fmt.Sprint(i+1) {
				t.Fatalf("voter ids say more than a count: %q at %d", v.ID, i)
			}
		}
		for name, order := range orders {
			var guesses [][]string
			for _, c := range order {
				for _, s := range c.b.Selections {
					if s.Pool == pool.ID {
						var ids []string
						for _, ch := range s.Choices {
							ids = append(ids, ch.Project)
						}
						guesses = append(guesses, ids)
					}
				}
			}
			if len(guesses) != len(f.Votes) {
				t.Fatalf("%s: %d ballots published, %d counted", pool.ID, len(f.Votes), len(guesses))
			}
			linked := 0
			for i, v := range f.Votes {
				if slices.Equal(v.Projects, guesses[i]) {
					linked++
				}
			}
			// A shuffle leaves about one ballot in place; a leaking order all of them.
			if linked >= 10 {
				t.Errorf("%s: %d of %d published ballots link to their ballot %s", pool.ID, linked, len(f.Votes), name)
			}
		}
	}
}

func cmpKioskSeq(a, b wire.SealedBallot) int {
	if c := strings.Compare(a.Kiosk, b.Kiosk); c != 0 {
		return c
	}
	return int(a.Seq) - int(b.Seq)
}

// tieStore is a store holding the small tie case (sync/pabulib/testdata/
// tie.pb) as district d1 of an edition with the given tie rule: d1p2 and
// d1p3 end with 7 points each and money for one; d1p3 has more voters.
func tieStore(t *testing.T, rule election.TieRule) string {
	t.Helper()
	ed := openDataEdition()
	ed.TieRule = rule
	if rule == "" {
		ed.Schema, ed.Admission = 1, "" // a schema-1 file, from before the field
	}
	ed.Pools[1].Budget = 1000_00
	for i, cost := range []int64{500_00, 400_00, 400_00, 100_00, 300_00} {
		ed.Project(fmt.Sprintf("d1p%d", i+1)).Cost = cost
	}
	raw, _ := json.Marshal(ed)
	if _, err := election.DecodeEdition(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "central.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.PutCatalog(ctx, wire.Catalog{Version: 1, Edition: raw}); err != nil {
		t.Fatal(err)
	}
	for i, votes := range [][]int{{1, 2, 4}, {1, 2, 4}, {1, 3, 4}, {2, 1, 3}, {3, 4, 1}, {4, 1, 3}} {
		s := election.Selection{Pool: "d1"}
		for j, p := range votes {
			s.Choices = append(s.Choices, election.Choice{Project: fmt.Sprintf("d1p%d", p), Points: 3 - j})
		}
		id := sha256.Sum256(fmt.Appendf(nil, "tie ballot %d", i))
		b := wire.SealedBallot{ID: hex.EncodeToString(id[:]), Kiosk: "k-1", Seq: uint64(i + 1), CastAt: ed.Opens.Add(time.Hour * time.Duration(i)),
			Edition: ed.ID, Catalog: 1, District: "d1", VoterKey: election.VoterKey(sha256.Sum256(id[:])), Selections: []election.Selection{s}}
		if _, err := st.AddBallots(ctx, []wire.SealedBallot{b}, nil, b.CastAt); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestResultsTies: the results apply the edition's tie rule and say, in
// JSON, CSV and the PDF, that a tie decided; an edition without a tie rule,
// or a lottery without its seed, gets a sentence staff can act on.
func TestResultsTies(t *testing.T) {
	d1 := func(t *testing.T, db string, args ...string) central.PoolResult {
		t.Helper()
		text, err := capture(t, func() error { return cmdResults(append([]string{"--db", "bolt:" + db}, args...)) })
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Pools []central.PoolResult }
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatal(err)
		}
		return out.Pools[1]
	}
	for rule, winner := range map[election.TieRule]string{election.TieCatalogOrder: "d1p2", election.TieMoreVoters: "d1p3"} {
		r := d1(t, tieStore(t, rule))
		if !slices.Equal(r.Result.Winners, []string{"d1p1", "d1p4", winner}) || len(r.Result.Ties) != 1 || r.Result.Ties[0].By != rule || r.Result.Ties[0].Left != 400_00 {
			t.Fatalf("%s: %+v", rule, r.Result)
		}
	}
	db := tieStore(t, election.TieCatalogOrder)
	csv, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + db, "--format", "csv"}) })
	csv = strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(csv) // money's spaces do not break
	if err != nil || !strings.Contains(csv, "d1,3,d1p2,d1.2,Żłobek 2,3,7,400 zł,true,1:catalog-order\n") ||
		!strings.Contains(csv, "d1,4,d1p3,d1.3,Żłobek 3,4,7,400 zł,false,1:catalog-order\n") || !strings.Contains(csv, "d1,1,d1p1,d1.1,Żłobek 1,6,14,500 zł,true,\n") {
		t.Fatalf("csv: %v\n%s", err, csv)
	}
	pdftotext := needs.Tool(t, "pdftotext", "poppler-utils")
	pdf := filepath.Join(t.TempDir(), "results.pdf")
	if _, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + db, "--format", "pdf", "--out", pdf}) }); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, want := range []string{"Remis zdecydował o wyborze (wygrywa projekt wyżej na liście, czyli z niższym numerem)",
		"zostawało wtedy 400 zł", "d1.2 „Żłobek 2”: 7 pkt, 3 głosujących", "d1.3 „Żłobek 3”: 7 pkt, 4 głosujących"} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the PDF does not say %q:\n%s", want, flat)
		}
	}

	m := assets.MustMessages()
	if _, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + tieStore(t, ""), "--lang", "uk"}) }); err == nil || err.Error() != m.T("uk", "results.no_tie_rule") {
		t.Fatalf("no tie rule: %v", err)
	}
	lottery := tieStore(t, election.TieLottery)
	if _, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + lottery}) }); err == nil || err.Error() != m.T("pl", "results.no_seed") {
		t.Fatalf("no seed: %v", err)
	}
	if r := d1(t, lottery, "--seed", "losowanie 2025-06-16"); r.Result.Seed != "losowanie 2025-06-16" || len(r.Result.Ties) != 1 || r.Result.Ties[0].By != election.TieLottery {
		t.Fatalf("lottery: %+v", r.Result)
	}
	if _, err := capture(t, func() error { return cmdResults([]string{"--db", "bolt:" + db, "--seed", "x"}) }); err == nil {
		t.Fatal("a seed for an edition that breaks ties by catalog order")
	}
}
