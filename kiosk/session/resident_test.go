package session

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
)

// TestEveryResidentStartsClean: language, text size and contrast go back
// to the venue's defaults after a ballot, a cancel and a timeout.
func TestEveryResidentStartsClean(t *testing.T) {
	defaults := Defaults{Lang: "en", Large: false, Contrast: false}
	ends := map[string]func(r *rig){
		"ballot": func(r *rig) {
			r.identify(t, "44051401359")
			r.s.ConfirmDistrict()
			r.fill(t)
			r.fill(t)
			r.s.Confirm(context.Background())
			if r.s.Step() != Done {
				t.Fatalf("step %v", r.s.Step())
			}
			r.c.add(21 * time.Second)
			r.s.Tick()
		},
		"cancel":  func(r *rig) { r.identify(t, "44051401359"); r.s.Reset() },
		"timeout": func(r *rig) { r.identify(t, "44051401359"); r.c.add(91 * time.Second); r.s.Tick() },
	}
	for name, end := range ends {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, 1)
			e := assets.MustDemoEdition()
			r.s = New(Deps{Edition: e, Venue: e.Venue("bk-podgorze"), Secret: []byte("secret"), Store: r.st, Receipts: r.rc,
				Clock: r.c.now, Rand: rand.New(rand.NewPCG(1, 1)), Defaults: defaults})
			if r.s.Lang() != "en" {
				t.Fatalf("first resident starts in %s", r.s.Lang())
			}
			r.s.SetLang("uk")
			r.s.SetAccessibility(true, true)
			end(r)
			if r.s.Step() != Attract || r.s.Lang() != "en" || r.s.Large() || r.s.Contrast() {
				t.Fatalf("after %s: step %v, lang %s, large %v, contrast %v", name, r.s.Step(), r.s.Lang(), r.s.Large(), r.s.Contrast())
			}
		})
	}
}

// TestChangeFromReviewReturnsToReview: "change" on review opens one pool,
// and Next (or Back) there goes straight back to review.
func TestChangeFromReviewReturnsToReview(t *testing.T) {
	r := newRig(t, 1)
	r.identify(t, "44051401359")
	r.s.ConfirmDistrict()
	r.fill(t)
	r.fill(t)
	for _, leave := range []func(){r.s.NextPool, r.s.Back} {
		r.s.EditPool(0)
		if r.s.Step() != Choose {
			t.Fatalf("step %v", r.s.Step())
		}
		leave()
		if r.s.Step() != Review {
			t.Fatalf("after changing the city pool: step %v, want review", r.s.Step())
		}
	}
	// an ordinary pass still walks pool by pool
	r.s.Back()
	r.s.Back()
	if _, i := r.s.Pool(); r.s.Step() != Choose || i != 0 {
		t.Fatalf("back twice from review: %v pool %d", r.s.Step(), i)
	}
	r.s.NextPool()
	if _, i := r.s.Pool(); r.s.Step() != Choose || i != 1 {
		t.Fatalf("next from the first pool: %v pool %d", r.s.Step(), i)
	}
}

// TestMovedPointsAreSaid: giving a value another project has moves it,
// and the session says from which project.
func TestMovedPointsAreSaid(t *testing.T) {
	r := newRig(t, 1)
	r.identify(t, "44051401359")
	r.s.ConfirmDistrict()
	ps := r.s.Projects("city", "", "")
	r.s.Give(ps[0].ID, 3)
	if k, _ := r.s.Notice(); k != "" {
		t.Fatalf("notice %q for a first pick", k)
	}
	r.s.Give(ps[1].ID, 3)
	k, args := r.s.Notice()
	if k != KeyPointsMoved || args["from"] != ps[0].Number || args["points"] != 3 {
		t.Fatalf("notice %q %v, want %s from %s", k, args, KeyPointsMoved, ps[0].Number)
	}
	r.s.Give(ps[2].ID, 2)
	if k, _ := r.s.Notice(); k != "" {
		t.Fatalf("notice %q kept after the next touch", k)
	}
}

// TestProgressCountsEveryStep: identity, district, each pool and review.
func TestProgressCountsEveryStep(t *testing.T) {
	r := newRig(t, 1)
	var got [][2]int
	at := func() { n, of := r.s.Progress(); got = append(got, [2]int{n, of}) }
	r.s.Start()
	at()
	r.identify(t, "44051401359")
	at()
	r.s.ConfirmDistrict()
	at()
	r.fill(t)
	at()
	r.fill(t)
	at()
	want := [][2]int{{1, 5}, {2, 5}, {3, 5}, {4, 5}, {5, 5}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("progress %v, want %v", got, want)
		}
	}
}

// TestSearchInTheLanguageShown: a Ukrainian resident finds a project by
// its Ukrainian title and by its Polish one.
func TestSearchInTheLanguageShown(t *testing.T) {
	r := newRig(t, 1)
	r.s.SetLang("uk")
	for _, q := range []string{"фонтанчики", "ФОНТАН", "poidelka", "Poidełka"} {
		if got := r.s.Projects("city", "", q); len(got) != 1 || got[0].ID != "c04" {
			t.Errorf("search %q in Ukrainian: %d projects", q, len(got))
		}
	}
}
