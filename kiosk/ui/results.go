package ui

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// resultsModel is the results poster's model for this voting point (its
// district and the city-wide pool), from the signed results the kiosk
// holds, checked with the edition key it was given at enrollment; nil
// when it holds none that check.
func (u *UI) resultsModel() *poster.ResultsModel {
	if u.o.Results == nil || u.o.Station == nil {
		return nil
	}
	f := u.o.Results()
	if f == nil {
		return nil
	}
	ed := u.s.Edition()
	outcomes, state, err := poster.SignedOutcomes(f, u.o.Station.EditionKey, ed)
	if err != nil {
		return nil
	}
	venue := u.s.Venue()
	if venue == nil {
		return nil
	}
	rm, err := poster.NewResultsModel(ed, u.o.Messages, outcomes, state, poster.ResultsFor{Venue: venue.ID}, u.s.Lang(), resultsURL(ed.CheckURL))
	if err != nil {
		return nil
	}
	return rm
}

// resultsURL is the public results page beside the ballot check.
func resultsURL(checkURL string) string {
	return strings.TrimSuffix(strings.TrimSuffix(checkURL, "/"), "/check") + "/results"
}

// resultsScreen is the attract screen of the results phase: the winners of
// the venue's district and of the city-wide pool, the state the results
// were signed in first, and a QR code to every result. Nil when the kiosk
// holds no signed results (the phase's screen shows what it has instead).
func (u *UI) resultsScreen(area fyne.Size) fyne.CanvasObject {
	rm := u.resultsModel()
	if rm == nil {
		return nil
	}
	wide := landscape(area)
	colW := area.Width
	if wide {
		colW = area.Width / 2
	}
	title := headingIn(rm.Title, area.Width)
	title.Alignment = fyne.TextAlignCenter
	place := paraIn(rm.Place, area.Width)
	place.Alignment = fyne.TextAlignCenter
	state := paraIn(rm.State, area.Width)
	state.TextStyle.Bold = true
	state.Alignment = fyne.TextAlignCenter
	if !rm.Final {
		state.Importance = widget.WarningImportance
	}
	var pools []fyne.CanvasObject
	for _, p := range rm.Pools {
		items := []fyne.CanvasObject{headingIn(p.Name, colW), paraIn(p.Summary, colW)}
		if p.None != "" {
			items = append(items, paraIn(p.None, colW))
		}
		for _, w := range p.Winners {
			line := paraIn(w.Number+"  "+w.Title+" · "+w.Points, colW)
			items = append(items, line)
		}
		pools = append(pools, panel(container.NewVBox(items...)))
	}
	var body fyne.CanvasObject
	if wide {
		body = container.NewGridWithColumns(len(pools), pools...)
	} else {
		body = container.NewVBox(pools...)
	}
	foot := []fyne.CanvasObject{}
	if img := qrImage(rm.URL); img != nil {
		q := canvas.NewImageFromImage(img)
		q.FillMode = canvas.ImageFillContain
		q.ScaleMode = canvas.ImageScalePixels
		side := min(200, area.Height*0.16)
		q.SetMinSize(fyne.NewSize(side, side))
		foot = append(foot, q)
	}
	foot = append(foot, paraIn(rm.Lines["poster.results.scan"]+" "+strings.TrimPrefix(rm.URL, "https://"), area.Width*0.6))
	return container.NewVBox(title, place, state, body, layout.NewSpacer(), container.NewCenter(container.NewHBox(foot...)))
}

// builtNear is what the winning projects of the venue's district became,
// from the signed implementation records the kiosk holds, checked with
// the enrollment's edition key; nil when it holds none that check.
func (u *UI) builtNear() []wire.BuiltProject {
	if u.o.Built == nil || u.o.Station == nil || u.s.Venue() == nil {
		return nil
	}
	f := u.o.Built()
	if f == nil || f.Verify(u.o.Station.EditionKey) != nil {
		return nil
	}
	var all, near []wire.BuiltProject
	if json.Unmarshal(f.Projects, &all) != nil {
		return nil
	}
	for _, p := range all {
		if p.Pool == u.s.Venue().District {
			near = append(near, p)
		}
	}
	return near
}

// builtScreen is the attract screen of the promotion phase of a later
// edition: what the votes built near the venue, done first. Nil when the
// kiosk holds nothing for its district.
func (u *UI) builtScreen(area fyne.Size) fyne.CanvasObject {
	near := u.builtNear()
	if len(near) == 0 {
		return nil
	}
	rank := map[string]int{"done": 0, "in-progress": 1, "tendering": 2, "design": 3, "planned": 4, "not-feasible": 5}
	slices.SortStableFunc(near, func(a, b wire.BuiltProject) int { return cmp.Compare(rank[a.Stage], rank[b.Stage]) })
	ed := u.s.Edition()
	district := ""
	if d := ed.Pool(u.s.Venue().District); d != nil {
		district = d.Name.In(u.s.Lang())
	}
	title := headingIn(u.t("pub.built.near", "pool", district), area.Width)
	title.Alignment = fyne.TextAlignCenter
	items := []fyne.CanvasObject{title}
	loc := ed.Location()
	shown := 0
	for _, p := range near {
		if shown == 8 {
			break
		}
		shown++
		lines := []fyne.CanvasObject{paraIn(p.Number+"  "+u.inLang(p.Title), area.Width*0.9)}
		state := u.t("built.stage."+p.Stage) + " · " + election.Text(p.EditionName).In(u.s.Lang())
		if !p.Latest.IsZero() {
			state += " · " + p.Latest.In(loc).Format("02.01.2006")
		}
		l := paraIn(state, area.Width*0.9)
		l.TextStyle.Bold = true
		if p.Stage == "done" {
			l.Importance = widget.SuccessImportance
		}
		lines = append(lines, l)
		if p.Reason != "" {
			lines = append(lines, paraIn(u.t("pub.built.reason")+" "+p.Reason, area.Width*0.9))
		}
		items = append(items, panel(container.NewVBox(lines...)))
	}
	url := strings.TrimSuffix(resultsURL(ed.CheckURL), "/results") + "/built/" + u.s.Venue().District
	foot := []fyne.CanvasObject{}
	if img := qrImage(url); img != nil {
		q := canvas.NewImageFromImage(img)
		q.FillMode = canvas.ImageFillContain
		q.ScaleMode = canvas.ImageScalePixels
		side := min(180, area.Height*0.15)
		q.SetMinSize(fyne.NewSize(side, side))
		foot = append(foot, q)
	}
	foot = append(foot, paraIn(strings.TrimPrefix(url, "https://"), area.Width*0.6))
	items = append(items, layout.NewSpacer(), container.NewCenter(container.NewHBox(foot...)))
	return container.NewVBox(items...)
}
