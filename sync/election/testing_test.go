package election

import (
	"fmt"
	"time"
)

// makePESEL builds a valid PESEL for a birth date and a 4-digit serial.
func makePESEL(y, m, d, serial int) string {
	mm := m
	switch {
	case y < 1900:
		mm += 80
	case y >= 2200:
		mm += 60
	case y >= 2100:
		mm += 40
	case y >= 2000:
		mm += 20
	}
	s := fmt.Sprintf("%02d%02d%02d%04d", y%100, mm, d, serial)
	sum := 0
	for i, w := range peselWeights {
		sum += int(s[i]-'0') * w
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

// testEdition is a small edition: a city pool and two districts, 3-2-1 points.
func testEdition() *Edition {
	return &Edition{
		ID: "test-2025", Version: 1, Name: Text{"pl": "Test"}, Zone: "Europe/Warsaw",
		Opens:  time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Closes: time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC),
		Rules: map[PoolKind]BallotRule{
			CityWide: {Kind: Points, Points: []int{3, 2, 1}},
			District: {Kind: Points, Points: []int{3, 2, 1}},
		},
		Eligibility: Eligibility{GuardianAge: 13, CodePrefix: "KRK"},
		Pools: []Pool{
			{ID: "city", Kind: CityWide, Name: Text{"pl": "Ogólnomiejskie"}, Budget: 100_000_00},
			{ID: "d1", Kind: District, Number: "I", Name: Text{"pl": "Stare Miasto"}, Budget: 10_000_00},
			{ID: "d2", Kind: District, Number: "II", Name: Text{"pl": "Grzegórzki"}, Budget: 10_000_00},
		},
		Projects: []Project{
			{ID: "c1", Number: "1", Pool: "city", Title: Text{"pl": "Park"}, Cost: 50_000_00},
			{ID: "c2", Number: "2", Pool: "city", Title: Text{"pl": "Ścieżka"}, Cost: 40_000_00},
			{ID: "c3", Number: "3", Pool: "city", Title: Text{"pl": "Żłobek"}, Cost: 30_000_00},
			{ID: "c4", Number: "4", Pool: "city", Title: Text{"pl": "Ławki"}, Cost: 5_000_00},
			{ID: "a1", Number: "I.1", Pool: "d1", Title: Text{"pl": "Drzewa"}, Cost: 6_000_00},
			{ID: "a2", Number: "I.2", Pool: "d1", Title: Text{"pl": "Boisko"}, Cost: 3_000_00},
			{ID: "a3", Number: "I.3", Pool: "d1", Title: Text{"pl": "Książki"}, Cost: 2_000_00},
			{ID: "b1", Number: "II.1", Pool: "d2", Title: Text{"pl": "Plac"}, Cost: 2_000_00},
		},
		Venues: []Venue{{ID: "v1", Name: "Biblioteka", District: "d1"}},
	}
}
