package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	klayout "github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/sync/election"
)

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// shade dims what is behind an overlay.
func shade() fyne.CanvasObject {
	return canvas.NewRectangle(color.NRGBA{0, 0, 0, 0xa0})
}

// panel is a card on the background colour.
func panel(o fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	bg.CornerRadius = 12
	bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	bg.StrokeWidth = 3
	return container.NewStack(bg, container.NewPadded(container.NewPadded(o)))
}

func (u *UI) nav(back, next fyne.CanvasObject) fyne.CanvasObject {
	return container.NewGridWithColumns(2, back, next)
}

func (u *UI) attractScreen() fyne.CanvasObject {
	ed := u.s.Edition()
	now := u.o.Clock().In(ed.Location())
	days := int(ed.Closes.Sub(now).Hours()/24) + 1
	left := u.t("ui.days_left", "days", days)
	if days <= 1 {
		left = u.t("ui.last_day")
	}
	start := primary(u.t("ui.touch_to_start"), u.act(func() { u.resetBrowser(); u.s.Start() }))
	venue := ""
	if v := u.s.Venue(); v != nil {
		venue = v.Name
	}
	title := heading(ed.Name.In(u.s.Lang()))
	title.Alignment = fyne.TextAlignCenter
	info := para(poster.Dates(ed, u.o.Messages, u.s.Lang()) + " · " + left)
	info.Alignment = fyne.TextAlignCenter
	place := para(venue)
	place.Alignment = fyne.TextAlignCenter
	big := container.NewGridWrap(fyne.NewSize(520, 220), start)
	return container.NewVBox(layout.NewSpacer(), title, info, place, container.NewCenter(big), layout.NewSpacer())
}

func (u *UI) closedScreen() fyne.CanvasObject {
	ed := u.s.Edition()
	items := []fyne.CanvasObject{layout.NewSpacer(), heading(u.t("ui.closed")),
		para(u.t("ui.closed_window", "dates", poster.Dates(ed, u.o.Messages, u.s.Lang())))}
	if v := u.s.Venue(); v != nil && len(v.Hours) > 0 {
		items = append(items, para(u.t("ui.closed_hours")))
		for _, h := range poster.Hours(v, u.o.Messages, u.s.Lang()) {
			items = append(items, para(h))
		}
	}
	return container.NewVBox(append(items, layout.NewSpacer())...)
}

func (u *UI) pausedScreen() fyne.CanvasObject {
	return container.NewVBox(layout.NewSpacer(), heading(u.t("ui.paused")), para(u.t("ui.paused_help")), layout.NewSpacer())
}

func (u *UI) identityScreen() fyne.CanvasObject {
	byCode := u.s.Method() == election.ByCode
	field, other := u.t("ui.pesel"), u.t("ui.no_pesel")
	var keys fyne.CanvasObject
	if byCode {
		field, other = u.t("ui.code"), u.t("ui.have_pesel")
		keys = keyboard(codeRows, func(r rune) { u.act(func() { u.s.Type(r) })() }, u.act(u.s.Backspace))
	} else {
		keys = keypad(func(r rune) { u.act(func() { u.s.Type(r) })() }, u.act(u.s.Backspace),
			u.act(u.s.ClearTyped), u.t("ui.back"), u.t("ui.clear"))
	}
	switchMethod := newButton(other, u.act(func() {
		if byCode {
			u.s.UseMethod(election.ByPESEL)
		} else {
			u.s.UseMethod(election.ByCode)
		}
	}))
	typed := u.s.Typed(!byCode)
	if typed == "" {
		typed = " "
	}
	shown := canvas.NewText(typed, theme.Color(theme.ColorNameForeground))
	shown.TextSize = theme.TextSize() * 1.8
	shown.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	box := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	box.StrokeColor, box.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	mark := "☐ "
	if u.s.Resident() {
		mark = "☑ "
	}
	declare := newButton(mark+u.t("ui.declaration"), u.act(func() { u.s.SetResident(!u.s.Resident()) }))
	key, args := u.s.Problem()
	top := container.NewVBox(
		heading(u.t("ui.identity_title")),
		widget.NewLabel(field),
		container.NewStack(box, container.NewPadded(shown)),
		problemLabel(u.problem(key, args)),
		para(u.t("ui.privacy")),
	)
	bottom := container.NewVBox(declare, switchMethod,
		u.nav(newButton(u.t("ui.cancel"), u.act(u.s.Reset)),
			primary(u.t("ui.next"), u.act(func() { u.s.SubmitIdentity(context.Background()) }))))
	return container.NewBorder(top, bottom, nil, nil, keys)
}

func (u *UI) guardianScreen() fyne.CanvasObject {
	key, args := u.s.Problem()
	return container.NewVBox(
		heading(u.t("ui.guardian_title")),
		para(u.t("ui.guardian_text", "age", u.s.GuardianAge())),
		primary(u.t("ui.guardian_yes"), u.act(func() { u.s.ConfirmGuardian(true) })),
		newButton(u.t("ui.guardian_no"), u.act(func() { u.s.ConfirmGuardian(false) })),
		problemLabel(u.problem(key, args)),
		layout.NewSpacer(),
		newButton(u.t("ui.cancel"), u.act(u.s.Reset)),
	)
}

func (u *UI) districtScreen() fyne.CanvasObject {
	var buttons []fyne.CanvasObject
	for _, d := range u.s.Edition().Districts() {
		b := newButton(d.Number+" "+districtName(d, u.s.Lang()), u.act(func() { u.s.ChooseDistrict(d.ID) }))
		if d.ID == u.s.District() {
			b.Importance = widget.HighImportance
		}
		buttons = append(buttons, b)
	}
	key, args := u.s.Problem()
	top := container.NewVBox(heading(u.t("ui.district_title")), para(u.t("ui.district_help")), problemLabel(u.problem(key, args)))
	next := primary(u.t("ui.next"), u.act(func() { u.resetBrowser(); u.s.ConfirmDistrict() }))
	return container.NewBorder(top, u.nav(newButton(u.t("ui.cancel"), u.act(u.s.Reset)), next), nil, nil,
		container.NewGridWithColumns(3, buttons...))
}

// districtName is a district's name without "Dzielnica XVI".
func districtName(d election.Pool, lang string) string {
	name := d.Name.In(lang)
	if i := strings.Index(name, d.Number+" "); i >= 0 && d.Number != "" {
		return name[i+len(d.Number)+1:]
	}
	return name
}

func (u *UI) chooseScreen() fyne.CanvasObject {
	pool, idx := u.s.Pool()
	if idx != u.poolSeen {
		u.category, u.query, u.page, u.detail, u.searching, u.poolSeen = "", "", 0, "", false, idx
	}
	rule := u.s.Rule(pool)
	name := pool.Name.In(u.s.Lang())
	var help, summary string
	switch rule.Kind {
	case election.Points:
		help = u.t("ui.points_help")
		if need, free := u.s.Remaining(pool); need > 0 {
			summary = u.t("ui.still_to_give", "points", joinInts(free))
		} else {
			summary = u.t("ui.pool_complete")
		}
	case election.Approval:
		help = u.t("ui.approval_help", "min", rule.Min, "max", rule.Max)
		summary = u.t("ui.chosen_of", "n", len(u.s.Choices(pool.ID)), "max", rule.Max)
	case election.Knapsack:
		help = u.t("ui.knapsack_help", "budget", election.FormatPLN(pool.Budget))
		summary = u.t("ui.spent", "spent", election.FormatPLN(u.s.Spent(pool.ID)), "budget", election.FormatPLN(pool.Budget))
	}
	status := widget.NewLabel(summary)
	status.TextStyle.Bold = true
	status.Importance = widget.HighImportance
	key, args := u.s.Problem()
	top := container.NewVBox(
		heading(u.t("ui.choose_title", "pool", name, "step", idx+1, "steps", len(u.s.Pools()))),
		para(help), status, problemLabel(u.problem(key, args)),
	)
	nav := u.nav(newButton(u.t("ui.back"), u.act(u.s.Back)), primary(u.t("ui.next"), u.act(u.s.NextPool)))
	var center fyne.CanvasObject
	switch {
	case u.searching:
		center = u.searchPanel()
	case u.detail != "":
		center = u.detailPanel(pool, rule)
	default:
		center = u.projectList(pool, rule)
	}
	return container.NewBorder(top, nav, nil, nil, center)
}

func joinInts(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, strconv.Itoa(n))
	}
	return strings.Join(parts, ", ")
}

func (u *UI) filters() fyne.CanvasObject {
	cats := []fyne.CanvasObject{}
	all := newButton(u.t("ui.all_categories"), u.act(func() { u.category, u.page = "", 0 }))
	if u.category == "" {
		all.Importance = widget.HighImportance
	}
	cats = append(cats, all)
	for _, c := range election.Categories {
		b := newButton(u.t("ui.cat."+string(c)), u.act(func() { u.category, u.page = c, 0 }))
		if u.category == c {
			b.Importance = widget.HighImportance
		}
		cats = append(cats, b)
	}
	search := "🔍 " + u.t("ui.search")
	if u.query != "" {
		search += ": " + u.query
	}
	cats = append(cats, newButton(search, u.act(func() { u.searching = true })))
	return container.NewGridWithColumns(3, cats...)
}

func (u *UI) projectList(pool election.Pool, rule election.BallotRule) fyne.CanvasObject {
	all := u.s.Projects(pool.ID, u.category, u.query)
	pages := max(1, (len(all)+u.o.PageSize-1)/u.o.PageSize)
	u.page = min(u.page, pages-1)
	var rows []fyne.CanvasObject
	for _, p := range all[u.page*u.o.PageSize : min(len(all), (u.page+1)*u.o.PageSize)] {
		rows = append(rows, u.projectRow(pool, rule, p))
	}
	if len(all) == 0 {
		rows = append(rows, para(u.t("ui.no_results")))
	}
	prev := newButton(u.t("ui.prev_page"), u.act(func() { u.page-- }))
	next := newButton(u.t("ui.next_page"), u.act(func() { u.page++ }))
	if u.page == 0 {
		prev.Disable()
	}
	if u.page >= pages-1 {
		next.Disable()
	}
	label := widget.NewLabel(u.t("ui.page", "page", u.page+1, "pages", pages))
	label.Alignment = fyne.TextAlignCenter
	pager := container.NewGridWithColumns(3, prev, label, next)
	return container.NewBorder(u.filters(), pager, nil, nil, container.NewVBox(rows...))
}

// choiceButtons are the buttons that pick a project under the pool's rule.
func (u *UI) choiceButtons(pool election.Pool, rule election.BallotRule, p election.Project) []fyne.CanvasObject {
	given, chosen := u.s.PointsOf(pool.ID, p.ID)
	var out []fyne.CanvasObject
	if rule.Kind == election.Points {
		for _, pts := range rule.Points {
			b := newButton(u.t("ui.points_button", "points", pts), u.act(func() { u.s.Give(p.ID, pts) }))
			if chosen && given == pts {
				b.Importance = widget.HighImportance
			}
			out = append(out, b)
		}
		return out
	}
	label := u.t("ui.choose")
	if chosen {
		label = u.t("ui.chosen")
	}
	b := newButton(label, u.act(func() { u.s.Toggle(p.ID) }))
	if chosen {
		b.Importance = widget.HighImportance
	}
	return append(out, b)
}

func (u *UI) projectRow(pool election.Pool, rule election.BallotRule, p election.Project) fyne.CanvasObject {
	title := widget.NewLabel(p.Number + "  " + p.Title.In(u.s.Lang()))
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	meta := widget.NewLabel(u.t("ui.cat."+string(p.Category)) + " · " + election.FormatPLN(p.Cost))
	buttons := append(u.choiceButtons(pool, rule, p), newButton(u.t("ui.details"), u.act(func() { u.detail = p.ID })))
	row := container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), container.NewVBox(title, meta))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = 8
	if _, chosen := u.s.PointsOf(pool.ID, p.ID); chosen {
		bg.StrokeColor, bg.StrokeWidth = theme.Color(theme.ColorNamePrimary), 3
	}
	return container.NewStack(bg, container.NewPadded(row))
}

func (u *UI) detailPanel(pool election.Pool, rule election.BallotRule) fyne.CanvasObject {
	p := u.s.Edition().Project(u.detail)
	if p == nil {
		u.detail = ""
		return u.projectList(pool, rule)
	}
	items := []fyne.CanvasObject{
		heading(p.Number + "  " + p.Title.In(u.s.Lang())),
		para(p.Summary.In(u.s.Lang())),
		para(u.t("ui.cost", "cost", election.FormatPLN(p.Cost))),
	}
	if loc := p.Location.In(u.s.Lang()); loc != "" {
		items = append(items, para(u.t("ui.location", "location", loc)))
	}
	items = append(items, container.NewHBox(u.choiceButtons(pool, rule, *p)...), layout.NewSpacer(),
		newButton(u.t("ui.close_details"), u.act(func() { u.detail = "" })))
	return container.NewVBox(items...)
}

func (u *UI) searchPanel() fyne.CanvasObject {
	shown := widget.NewLabel(u.query + "▏")
	shown.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	typeRune := func(r rune) {
		u.act(func() { u.query += strings.ToLower(string(r)); u.page = 0 })()
	}
	back := u.act(func() {
		if r := []rune(u.query); len(r) > 0 {
			u.query = string(r[:len(r)-1])
		}
	})
	space := newButton(u.t("ui.space"), u.act(func() { u.query += " " }))
	clear := newButton(u.t("ui.clear"), u.act(func() { u.query = "" }))
	done := primary(u.t("ui.ok"), u.act(func() { u.searching = false }))
	n := len(u.s.Projects(u.poolID(), u.category, u.query))
	return container.NewVBox(widget.NewLabel(u.t("ui.search_hint")), shown,
		widget.NewLabel(u.t("ui.page", "page", 1, "pages", max(1, (n+u.o.PageSize-1)/u.o.PageSize))),
		keyboard(searchRows, typeRune, back, space, clear, done))
}

func (u *UI) poolID() string {
	p, _ := u.s.Pool()
	return p.ID
}

func (u *UI) reviewScreen() fyne.CanvasObject {
	items := []fyne.CanvasObject{heading(u.t("ui.review_title")), para(u.t("ui.review_help"))}
	for i, pool := range u.s.Pools() {
		items = append(items, widget.NewSeparator())
		name := widget.NewLabel(pool.Name.In(u.s.Lang()))
		name.TextStyle.Bold = true
		items = append(items, container.NewBorder(nil, nil, nil, newButton(u.t("ui.change"), u.act(func() { u.s.EditPool(i) })), name))
		for _, c := range u.s.Choices(pool.ID) {
			p := u.s.Edition().Project(c.Project)
			line := p.Number + "  " + p.Title.In(u.s.Lang())
			if c.Points > 0 {
				line = u.t("ui.points_button", "points", c.Points) + " – " + line
			}
			items = append(items, para(line))
		}
	}
	key, args := u.s.Problem()
	items = append(items, problemLabel(u.problem(key, args)))
	confirm := primary(u.t("ui.confirm"), u.act(func() { u.s.Confirm(context.Background()) }))
	return container.NewBorder(nil, u.nav(newButton(u.t("ui.back"), u.act(u.s.Back)), confirm), nil, nil, container.NewVBox(items...))
}

func (u *UI) doneScreen() fyne.CanvasObject {
	sealed, _ := u.s.Sealed()
	tracker := canvas.NewText(sealed.Tracker, theme.Color(theme.ColorNameForeground))
	tracker.TextSize = theme.TextSize() * 1.6
	tracker.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	tracker.Alignment = fyne.TextAlignCenter
	items := []fyne.CanvasObject{layout.NewSpacer(), heading(u.t("ui.thanks"))}
	if key := u.s.PrintProblem(); key != "" {
		u.alert = true
		items = append(items, problemLabel(u.t(key)), para(u.t("ui.no_receipt")))
		if img := qrImage(klayout.CheckURL(u.s.Edition(), sealed.Tracker)); img != nil {
			qr := canvas.NewImageFromImage(img)
			qr.FillMode = canvas.ImageFillContain
			qr.ScaleMode = canvas.ImageScalePixels
			qr.SetMinSize(fyne.NewSize(320, 320))
			items = append(items, container.NewCenter(qr))
		}
	} else {
		items = append(items, para(u.t("ui.take_receipt")))
	}
	items = append(items, tracker, layout.NewSpacer(), primary(u.t("ui.finish"), u.act(func() { u.resetBrowser(); u.s.Reset() })))
	return container.NewVBox(items...)
}

func qrImage(url string) image.Image {
	b, err := qrcode.Encode(url, qrcode.Medium, 512)
	if err != nil {
		return nil
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	return img
}
