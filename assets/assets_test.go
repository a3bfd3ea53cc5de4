package assets

import (
	"bytes"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
)

func TestTranslationsComplete(t *testing.T) {
	m, err := LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	pl := slices.Sorted(maps.Keys(m["pl"]))
	for _, lang := range Languages[1:] {
		if got := slices.Sorted(maps.Keys(m[lang])); !slices.Equal(got, pl) {
			t.Errorf("%s has keys %v, pl has %v", lang, got, pl)
		}
	}
	for _, k := range pl {
		for _, lang := range Languages {
			if m[lang][k] == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
		}
	}
	if got := m.T("uk", "eligibility.too_young", "age", 16); got != "У цьому випуску голосують особи віком від 16 років." {
		t.Errorf("T = %q", got)
	}
}

func TestDemoEdition(t *testing.T) {
	e, err := election.DecodeEdition(bytes.NewReader(DemoEdition()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.Districts()); n != 18 {
		t.Errorf("%d districts, want 18", n)
	}
	var sum int64
	for _, d := range e.Districts() {
		sum += d.Budget
		if len(e.ProjectsIn(d.ID)) < 3 {
			t.Errorf("%s has fewer than 3 projects: the 3-2-1 ballot cannot be filled", d.Name.In("pl"))
		}
	}
	if sum != 40_800_000_00 || e.CityPool().Budget != 10_200_000_00 {
		t.Errorf("district pools add up to %d, city pool %d", sum, e.CityPool().Budget)
	}
	if len(e.Projects) < 60 || len(e.Venues) < 4 {
		t.Errorf("%d projects, %d venues", len(e.Projects), len(e.Venues))
	}
	for _, p := range e.Projects {
		if p.Title.In("en") == p.Title.In("pl") || p.Title["uk"] == "" {
			t.Errorf("%s lacks English or Ukrainian title", p.ID)
		}
	}
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	e.MoveWindow(now)
	if !e.Open(now) || e.Closes.Sub(e.Opens) != 14*24*time.Hour {
		t.Errorf("window %v – %v does not hold %v", e.Opens, e.Closes, now)
	}
}
