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
	"github.com/urna-kiosk/urna/kiosk/session"
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

// heightAt is o's height when laid out width wide (wrapped text needs its
// width to know its height).
func heightAt(o fyne.CanvasObject, width float32) float32 {
	for range 2 {
		o.Resize(fyne.NewSize(width, o.MinSize().Height))
	}
	return o.MinSize().Height
}

// fitLabel is a button's label in at most two lines of width.
func fitLabel(text string, width float32) string {
	return clampLines(text, width-4*theme.InnerPadding(), theme.TextSize(), fyne.TextStyle{Bold: true}, 2)
}

// landscape reports whether an area is wider than tall.
func landscape(area fyne.Size) bool { return area.Width > area.Height }

// cancelButton asks before a resident's choices are thrown away.
func (u *UI) cancelButton() *touchButton {
	return newButton(u.t("ui.cancel"), u.act(func() {
		u.confirming = &confirmation{title: u.t("ui.cancel_title"), text: u.t("ui.cancel_text"),
			yes: u.t("ui.cancel_yes"), no: u.t("ui.cancel_no"), onYes: u.s.Reset}
	}))
}

// start is the flow's one entry: from the attract screen to identity.
func (u *UI) start() { u.s.Start() }

// voteAttract is the attract screen while voting is on, with the phase's
// other offers (phase.go) under the ballot's own button.
func (u *UI) voteAttract(area fyne.Size, others ...fyne.CanvasObject) fyne.CanvasObject {
	ed := u.s.Edition()
	now := u.o.Clock().In(ed.Location())
	days := int(ed.Closes.Sub(now).Hours()/24) + 1
	left := u.t("ui.days_left", "days", days)
	if days <= 1 {
		left = u.t("ui.last_day")
	}
	startButton := primary(u.t("ui.touch_to_start"), u.act(u.start))
	venue := ""
	if v := u.s.Venue(); v != nil {
		venue = v.Name
	}
	title := headingIn(ed.Name.In(u.s.Lang()), area.Width)
	title.Alignment = fyne.TextAlignCenter
	info := paraIn(poster.Dates(ed, u.o.Messages, u.s.Lang())+" · "+left, area.Width)
	info.Alignment = fyne.TextAlignCenter
	place := paraIn(venue, area.Width)
	place.Alignment = fyne.TextAlignCenter
	w := min(520, area.Width*0.8)
	h := min(220, max(touchSize()*1.5, area.Height*0.3))
	big := container.NewGridWrap(fyne.NewSize(max(w, startButton.MinSize().Width), h), startButton)
	items := []fyne.CanvasObject{layout.NewSpacer(), title, info, place, container.NewCenter(big)}
	if len(others) > 0 {
		items = append(items, container.NewCenter(container.NewVBox(others...)))
	}
	if v := u.voiceButton(); v != nil {
		items = append(items, v)
	}
	content := container.NewVBox(append(items, layout.NewSpacer())...)
	return container.NewStack(newTapArea(u.act(u.start)), content)
}

func (u *UI) closedScreen(area fyne.Size) fyne.CanvasObject {
	ed := u.s.Edition()
	items := []fyne.CanvasObject{layout.NewSpacer(), headingIn(u.t("ui.closed"), area.Width),
		paraIn(u.t("ui.closed_window", "dates", poster.Dates(ed, u.o.Messages, u.s.Lang())), area.Width)}
	if v := u.s.Venue(); v != nil && len(v.Hours) > 0 {
		items = append(items, para(u.t("ui.closed_hours")))
		for _, h := range poster.Hours(v, u.o.Messages, u.s.Lang()) {
			items = append(items, para(h))
		}
	}
	return container.NewVBox(append(items, layout.NewSpacer())...)
}

func (u *UI) pausedScreen(area fyne.Size) fyne.CanvasObject {
	return container.NewVBox(layout.NewSpacer(), headingIn(u.t("ui.paused"), area.Width), paraIn(u.t("ui.paused_help"), area.Width), layout.NewSpacer())
}

func (u *UI) identityScreen(area fyne.Size) fyne.CanvasObject {
	byCode := u.s.Method() == election.ByCode
	field, other, privacy := u.t("ui.pesel"), u.t("ui.no_pesel"), u.t("ui.privacy")
	typeRune := func(r rune) { u.act(func() { u.s.Type(r) })() }
	var keys fyne.CanvasObject
	if byCode {
		field, other, privacy = u.t("ui.code"), u.t("ui.have_pesel"), u.t("ui.privacy_code")
		keys = newKeyboard(codeLayout, typeRune, newButton(u.t("ui.clear"), u.act(u.s.ClearTyped)),
			newButton("⌫ "+u.t("ui.delete"), u.act(u.s.Backspace)))
	} else {
		keys = keypad(typeRune, u.act(u.s.Backspace), u.act(u.s.ClearTyped), u.t("ui.delete"), u.t("ui.clear"))
	}
	col := area.Width
	if landscape(area) {
		col = (area.Width - theme.Padding()) / 2
	}
	switchMethod := newButton(fitLabel(other, col), u.act(func() {
		if byCode {
			u.s.UseMethod(election.ByPESEL)
		} else {
			u.s.UseMethod(election.ByCode)
		}
	}))
	key, args := u.s.Problem()
	// The digits show while a problem asks the resident to check them;
	// otherwise only the last two do, for whoever stands behind.
	typed := u.s.Typed(!byCode && key == "")
	if typed == "" {
		typed = " "
	}
	shown := canvas.NewText(typed, theme.Color(theme.ColorNameForeground))
	shown.TextSize = theme.TextSize() * 1.6
	shown.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	box := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	box.StrokeColor, box.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	mark := "☐ "
	if u.s.Resident() {
		mark = "☑ "
	}
	declare := newButton(fitLabel(mark+u.t("ui.declaration"), col), u.act(func() { u.s.SetResident(!u.s.Resident()) }))
	top := container.NewVBox(
		headingIn(u.t("ui.identity_title"), col),
		widget.NewLabel(field),
		container.NewStack(box, container.NewPadded(shown)),
		u.planLine(u.problem(key, args), 2),
		declare,
	)
	next := primary(u.t("ui.next"), u.act(func() { u.s.SubmitIdentity(context.Background()) }))
	nav := u.nav(newButton(u.t("ui.cancel"), u.act(u.s.Reset)), next)
	if landscape(area) {
		left := container.NewBorder(top, container.NewVBox(switchMethod, nav), nil, nil)
		return container.NewGridWithColumns(2, left, container.NewBorder(nil, paraIn(privacy, col), nil, nil, keys))
	}
	return container.NewBorder(top, container.NewVBox(paraIn(privacy, col), switchMethod, nav), nil, nil, keys)
}

func (u *UI) guardianScreen(area fyne.Size) fyne.CanvasObject {
	key, args := u.s.Problem()
	return container.NewVBox(
		headingIn(u.t("ui.guardian_title"), area.Width),
		paraIn(u.t("ui.guardian_text", "age", u.s.GuardianAge()), area.Width),
		primary(u.t("ui.guardian_yes"), u.act(func() { u.s.ConfirmGuardian(true) })),
		newButton(u.t("ui.guardian_no"), u.act(func() { u.s.ConfirmGuardian(false) })),
		messageLine(u.problem(key, args), false, 2),
		layout.NewSpacer(),
		newButton(u.t("ui.cancel"), u.act(u.s.Reset)),
	)
}

func (u *UI) districtScreen(area fyne.Size) fyne.CanvasObject {
	districts := u.s.Edition().Districts()
	key, args := u.s.Problem()
	top := container.NewVBox(headingIn(u.t("ui.district_title"), area.Width), paraIn(u.t("ui.district_help"), area.Width), u.planLine(u.problem(key, args), 1), u.planButton(area.Width))
	next := primary(u.t("ui.next"), u.act(func() { u.s.ConfirmDistrict() }))
	nav := u.nav(newButton(u.t("ui.cancel"), u.act(u.s.Reset)), next)
	pad := theme.Padding()
	room := fyne.NewSize(area.Width, area.Height-heightAt(top, area.Width)-nav.MinSize().Height-2*pad)
	// as few columns as let every district fit: the largest buttons, a
	// name in two lines where one is too narrow
	label := func(d election.Pool) string { return d.Number + " " + districtName(d, u.s.Lang()) }
	var buttons []fyne.CanvasObject
	cols := 1
	for ; cols <= len(districts); cols++ {
		cellW := (room.Width - float32(cols-1)*pad) / float32(cols)
		buttons = buttons[:0]
		h := float32(0)
		for _, d := range districts {
			b := newButton(fitLabel(label(d), cellW), u.act(func() { u.s.ChooseDistrict(d.ID) }))
			if d.ID == u.s.District() {
				b.Importance = widget.HighImportance
			}
			buttons = append(buttons, b)
			h = max(h, b.MinSize().Height)
		}
		rows := (len(districts) + cols - 1) / cols
		if float32(rows)*(h+pad)-pad <= room.Height && (cols >= 3 || landscape(area) && cols >= 2 || cols == len(districts)) {
			break
		}
	}
	return container.NewBorder(top, nav, nil, nil, container.NewGridWithColumns(min(cols, len(districts)), buttons...))
}

// districtName is a district's name without "Dzielnica XVI".
func districtName(d election.Pool, lang string) string {
	name := d.Name.In(lang)
	if i := strings.Index(name, d.Number+" "); i >= 0 && d.Number != "" {
		return name[i+len(d.Number)+1:]
	}
	return name
}

// points is "3 pkt", with the singular where the language has one.
func (u *UI) points(n int) string {
	if n == 1 {
		return u.t("ui.points_button_1")
	}
	return u.t("ui.points_button", "points", n)
}

func (u *UI) chooseScreen(area fyne.Size) fyne.CanvasObject {
	pool, idx := u.s.Pool()
	if idx != u.poolSeen {
		u.category, u.query, u.page, u.detail, u.searching, u.picking, u.poolSeen = "", "", 0, "", false, false, idx
	}
	rule := u.s.Rule(pool)
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
	status.Wrapping = fyne.TextWrapWord
	msg, notice := u.problem(u.s.Problem()), false
	if msg == "" {
		msg, notice = u.problem(u.s.Notice()), true
	}
	msg, notice = u.withPlan(msg, notice)
	pad := theme.Padding()
	infoW := area.Width
	leftW := max(area.Width*0.3, 260)
	if landscape(area) {
		infoW = leftW
	}
	status.Text = clampLines(summary, infoW-2*theme.InnerPadding(), theme.TextSize(), status.TextStyle, 3)
	status.Wrapping = fyne.TextWrapOff
	info := container.NewVBox(headingIn(pool.Name.In(u.s.Lang()), infoW), paraIn(help, infoW), status, messageLine(msg, notice, 2))
	back := newButton(u.t("ui.back"), u.act(u.s.Back))
	next := primary(u.t("ui.next"), u.act(u.s.NextPool))
	if !landscape(area) {
		nav := container.NewGridWithColumns(3, u.cancelButton(), back, next)
		room := fyne.NewSize(area.Width, area.Height-heightAt(info, area.Width)-nav.MinSize().Height-2*pad)
		return container.NewBorder(info, nav, nil, nil, u.browser(pool, rule, room))
	}
	nav := container.NewVBox(next, container.NewGridWithColumns(2, back, u.cancelButton()))
	left := container.NewBorder(info, nav, nil, nil)
	room := fyne.NewSize(area.Width-leftW-pad, area.Height)
	right := u.browser(pool, rule, room)
	return container.New(&split{left: leftW}, left, right)
}

// split lays out two objects side by side, the first left wide.
type split struct{ left float32 }

func (s *split) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(s.left+theme.Padding()+b.Width, max(a.Height, b.Height))
}

func (s *split) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(s.left, size.Height))
	x := s.left + theme.Padding()
	objs[1].Move(fyne.NewPos(x, 0))
	objs[1].Resize(fyne.NewSize(size.Width-x, size.Height))
}

// browser is a pool's project list with its filters, search and details,
// in room.
func (u *UI) browser(pool election.Pool, rule election.BallotRule, room fyne.Size) fyne.CanvasObject {
	switch {
	case u.searching:
		return u.searchPanel(room)
	case u.picking:
		return u.categoryPanel(room)
	case u.detail != "":
		return u.detailPanel(pool, rule, room)
	}
	return u.projectList(pool, rule, room)
}

func joinInts(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, strconv.Itoa(n))
	}
	return strings.Join(parts, ", ")
}

func (u *UI) categoryName(c election.Category) string {
	if c == "" {
		return u.t("ui.all_categories")
	}
	return u.t("ui.cat." + string(c))
}

// toolbar is the category and search buttons over a list.
func (u *UI) toolbar() fyne.CanvasObject {
	category := newButton(u.t("ui.category", "category", u.categoryName(u.category))+" ▾", u.act(func() { u.picking = true }))
	if u.category != "" {
		category.Importance = widget.HighImportance
	}
	search := newButton("🔍 "+u.t("ui.search"), u.act(func() { u.searching = true }))
	if u.query != "" {
		search.Text += ": " + u.query
		search.Importance = widget.HighImportance
	}
	return container.NewGridWithColumns(2, category, search)
}

func (u *UI) categoryPanel(room fyne.Size) fyne.CanvasObject {
	cats := append([]election.Category{""}, election.Categories...)
	var buttons []fyne.CanvasObject
	for _, c := range cats {
		b := newButton(u.categoryName(c), u.act(func() { u.category, u.page, u.picking = c, 0, false }))
		if u.category == c {
			b.Importance = widget.HighImportance
		}
		buttons = append(buttons, b)
	}
	cols := 2
	if landscape(room) {
		cols = 3
	}
	return container.NewVBox(widget.NewLabel(u.t("ui.category", "category", "")), container.NewGridWithColumns(cols, buttons...))
}

// rowButtonsWidth is how wide a row's buttons are.
func (u *UI) rowButtons(pool election.Pool, rule election.BallotRule, p election.Project) fyne.CanvasObject {
	return container.NewHBox(append(u.choiceButtons(pool, rule, p), u.aboutChoice(newButton(u.t("ui.details"), u.act(func() { u.detail = p.ID })), p, false))...)
}

func (u *UI) projectList(pool election.Pool, rule election.BallotRule, room fyne.Size) fyne.CanvasObject {
	all := u.s.Projects(pool.ID, u.category, u.query)
	pad := theme.Padding()
	bar := u.toolbar()
	prev := newButton(u.t("ui.page_prev"), u.act(func() { u.page-- }))
	next := newButton(u.t("ui.page_next"), u.act(func() { u.page++ }))
	label := widget.NewLabel(u.t("ui.page", "page", 99, "pages", 99))
	label.Alignment = fyne.TextAlignCenter
	if prev.MinSize().Width+next.MinSize().Width+label.MinSize().Width+2*pad > room.Width {
		prev, next = newButton("◀", prev.OnTapped), newButton("▶", next.OnTapped)
	}
	pager := container.NewBorder(nil, nil, prev, next, label)
	head := container.NewVBox(bar, pager)
	listH := room.Height - heightAt(head, room.Width) - pad
	// pages hold as many rows as fit: a row is as tall as its title's
	// one or two lines make it
	var rowH [3]float32
	if len(all) > 0 {
		for n := 1; n <= 2; n++ {
			rowH[n] = heightAt(u.projectRow(pool, rule, all[0], room.Width, n), room.Width)
		}
	}
	starts, used := []int{0}, float32(0)
	for i, p := range all {
		h := rowH[u.titleLines(pool, rule, p, room.Width)]
		if used > 0 && used+h > listH {
			starts, used = append(starts, i), 0
		}
		used += h + pad
	}
	pages := len(starts)
	u.page = max(0, min(u.page, pages-1))
	end := len(all)
	if u.page+1 < pages {
		end = starts[u.page+1]
	}
	shown := all[starts[u.page]:end]
	u.pageSize, u.pages = len(shown), pages
	label.SetText(u.t("ui.page", "page", u.page+1, "pages", pages))
	var rows []fyne.CanvasObject
	for _, p := range shown {
		rows = append(rows, u.projectRow(pool, rule, p, room.Width, 0))
	}
	if len(all) == 0 {
		rows = append(rows, para(u.t("ui.no_results")))
	}
	if u.page == 0 {
		prev.Disable()
	}
	if u.page >= pages-1 {
		next.Disable()
	}
	return container.NewBorder(head, nil, nil, nil, container.NewVBox(rows...))
}

// choiceButtons are the buttons that pick a project under the pool's rule.
func (u *UI) choiceButtons(pool election.Pool, rule election.BallotRule, p election.Project) []fyne.CanvasObject {
	given, chosen := u.s.PointsOf(pool.ID, p.ID)
	var out []fyne.CanvasObject
	if rule.Kind == election.Points {
		for _, pts := range rule.Points {
			b := newButton(u.points(pts), u.act(func() { u.s.Give(p.ID, pts) }))
			if chosen && given == pts {
				b.Importance = widget.HighImportance
			}
			out = append(out, u.aboutChoice(b, p, chosen && given == pts))
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
	return append(out, u.aboutChoice(b, p, chosen))
}

// inLang is a project's text in the resident's language, marked when it
// is the Polish fallback.
func (u *UI) inLang(t election.Text) string {
	lang := u.s.Lang()
	s := t.In(lang)
	if lang != "pl" && s != "" && !t.Has(lang) {
		s += " " + u.t("ui.in_polish")
	}
	return s
}

// rowTitle is how a row lays out at width: its buttons beside the title
// (side) or under it, and the title's text, wrapped.
func (u *UI) rowTitle(pool election.Pool, rule election.BallotRule, p election.Project, width float32) (buttons fyne.CanvasObject, side bool, title string) {
	buttons = u.rowButtons(pool, rule, p)
	inner := 4 * theme.InnerPadding()
	bw := buttons.MinSize().Width
	side = width-bw-inner > width*0.45
	titleW := width - inner
	if side {
		titleW -= bw + theme.Padding()
	}
	return buttons, side, clampLines(p.Number+"  "+u.inLang(p.Title), titleW, theme.TextSize(), fyne.TextStyle{Bold: true}, 2)
}

// titleLines is how many lines a project's title takes in its row.
func (u *UI) titleLines(pool election.Pool, rule election.BallotRule, p election.Project, width float32) int {
	_, _, title := u.rowTitle(pool, rule, p, width)
	return strings.Count(title, "\n") + 1
}

// projectRow is one project in the list; with lines > 0, a sample row
// whose title takes that many lines, to measure.
func (u *UI) projectRow(pool election.Pool, rule election.BallotRule, p election.Project, width float32, lines int) fyne.CanvasObject {
	buttons, side, text := u.rowTitle(pool, rule, p, width)
	if lines > 0 {
		text = strings.Repeat("Ąg\n", lines-1) + "Ąg"
	}
	inner := 4 * theme.InnerPadding()
	titleW := width - inner
	title := widget.NewLabel(text)
	title.TextStyle = fyne.TextStyle{Bold: true}
	meta := widget.NewLabel(clampLines(u.t("ui.cat."+string(p.Category))+" · "+election.FormatPLN(p.Cost), titleW/2, theme.TextSize(), fyne.TextStyle{}, 1))
	var row fyne.CanvasObject
	if side {
		row = container.NewBorder(nil, nil, nil, container.NewCenter(buttons), container.NewVBox(title, meta))
	} else {
		row = container.NewVBox(title, container.NewBorder(nil, nil, nil, buttons, meta))
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = 8
	bg.StrokeColor, bg.StrokeWidth = theme.Color(theme.ColorNameSeparator), 1
	if _, chosen := u.s.PointsOf(pool.ID, p.ID); chosen {
		bg.StrokeColor, bg.StrokeWidth = theme.Color(theme.ColorNamePrimary), 3
	}
	return container.NewStack(bg, container.NewPadded(row))
}

func (u *UI) detailPanel(pool election.Pool, rule election.BallotRule, room fyne.Size) fyne.CanvasObject {
	p := u.s.Edition().Project(u.detail)
	if p == nil {
		u.detail = ""
		return layout.NewSpacer()
	}
	items := []fyne.CanvasObject{
		headingIn(p.Number+"  "+u.inLang(p.Title), room.Width),
		paraIn(u.inLang(p.Summary), room.Width),
		paraIn(u.t("ui.cost", "cost", election.FormatPLN(p.Cost)), room.Width),
	}
	if loc := u.inLang(p.Location); loc != "" {
		items = append(items, paraIn(u.t("ui.location", "location", loc), room.Width))
	}
	items = append(items, container.NewHBox(u.choiceButtons(pool, rule, *p)...), layout.NewSpacer(),
		newButton(u.t("ui.close_details"), u.act(func() { u.detail = "" })))
	return container.NewVBox(items...)
}

func (u *UI) searchPanel(room fyne.Size) fyne.CanvasObject {
	shown := widget.NewLabel(u.query + "▏")
	shown.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	typeRune := func(r rune) {
		u.act(func() { u.query += strings.ToLower(string(r)); u.page = 0 })()
	}
	del := newButton("⌫", u.act(func() {
		if r := []rune(u.query); len(r) > 0 {
			u.query = string(r[:len(r)-1])
		}
	}))
	keys := u.keys
	if keys.name == "" {
		keys = textLayout(u.s.Lang())
	}
	other, otherLabel := ukrainianLayout, u.t("ui.keys_cyrillic")
	if keys.name == ukrainianLayout.name {
		other, otherLabel = polishLayout, u.t("ui.keys_latin")
	}
	swap := newButton(otherLabel, u.act(func() { u.keys = other }))
	space := newButton(u.t("ui.space"), u.act(func() { u.query += " " }))
	clear := newButton(u.t("ui.clear"), u.act(func() { u.query = "" }))
	done := primary(u.t("ui.ok"), u.act(func() { u.searching = false }))
	n := len(u.s.Projects(u.poolID(), u.category, u.query))
	head := container.NewVBox(widget.NewLabel(u.t("ui.search_hint")), shown, widget.NewLabel(u.t("ui.found", "n", n)))
	return container.NewBorder(head, nil, nil, nil, newKeyboard(keys, typeRune, del, swap, space, clear, done))
}

func (u *UI) poolID() string {
	p, _ := u.s.Pool()
	return p.ID
}

func (u *UI) reviewScreen(area fyne.Size) fyne.CanvasObject {
	pools := u.s.Pools()
	cols := 1
	if landscape(area) {
		cols = len(pools)
	}
	// a column's text: its width less the padding labels keep inside
	colW := (area.Width-float32(cols-1)*theme.Padding())/float32(cols) - 2*theme.InnerPadding() - theme.Padding()
	var columns []fyne.CanvasObject
	for i, pool := range pools {
		change := newButton(u.t("ui.change"), u.act(func() { u.s.EditPool(i) }))
		name := widget.NewLabel(clampLines(pool.Name.In(u.s.Lang()), colW-change.MinSize().Width, theme.TextSize(), fyne.TextStyle{Bold: true}, 2))
		name.TextStyle.Bold = true
		items := []fyne.CanvasObject{widget.NewSeparator(), container.NewBorder(nil, nil, nil, change, name)}
		for _, c := range u.s.Choices(pool.ID) {
			p := u.s.Edition().Project(c.Project)
			line := p.Number + "  " + u.inLang(p.Title)
			if c.Points > 0 {
				line = u.points(c.Points) + " – " + line
			}
			line = u.planMark(pool.ID, c) + line
			items = append(items, widget.NewLabel(clampLines(line, colW, theme.TextSize(), fyne.TextStyle{}, 2)))
		}
		columns = append(columns, container.NewVBox(items...))
	}
	key, args := u.s.Problem()
	items := []fyne.CanvasObject{headingIn(u.t("ui.review_title"), area.Width), paraIn(u.t("ui.review_help"), area.Width),
		container.NewGridWithColumns(cols, columns...), u.planLine(u.problem(key, args), 1)}
	confirm := primary(u.t("ui.confirm"), u.act(func() { u.s.Confirm(context.Background()) }))
	var nav fyne.CanvasObject = container.NewBorder(nil, nil, container.NewHBox(u.cancelButton(), newButton(u.t("ui.back"), u.act(u.s.Back))), nil, confirm)
	if nav.MinSize().Width > area.Width {
		nav = container.NewVBox(confirm, container.NewGridWithColumns(2, u.cancelButton(), newButton(u.t("ui.back"), u.act(u.s.Back))))
	}
	return container.NewBorder(nil, nav, nil, nil, container.NewVBox(items...))
}

func (u *UI) doneScreen(area fyne.Size) fyne.CanvasObject {
	sealed, _ := u.s.Sealed()
	tracker := canvas.NewText(sealed.Tracker, theme.Color(theme.ColorNameForeground))
	tracker.TextSize = theme.TextSize() * 1.6
	tracker.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	tracker.Alignment = fyne.TextAlignCenter
	finish := primary(u.t("ui.finish"), u.act(u.finishBallot))
	textW := area.Width
	if landscape(area) {
		textW = area.Width / 2
	}
	items := []fyne.CanvasObject{layout.NewSpacer(), headingIn(u.t("ui.thanks"), textW)}
	var qr fyne.CanvasObject
	if key := u.s.PrintProblem(); key != "" {
		u.alert = true
		items = append(items, problemLabel(u.t(key)), paraIn(u.t("ui.no_receipt"), textW))
		if img := qrImage(klayout.CheckURL(u.s.Edition(), sealed.Tracker)); img != nil {
			q := canvas.NewImageFromImage(img)
			q.FillMode = canvas.ImageFillContain
			q.ScaleMode = canvas.ImageScalePixels
			side := min(320, area.Height*0.4)
			if landscape(area) {
				side = min(320, area.Height*0.6, area.Width*0.35)
			}
			q.SetMinSize(fyne.NewSize(side, side))
			qr = container.NewCenter(q)
		}
	} else {
		items = append(items, paraIn(u.t("ui.take_receipt"), textW))
	}
	if qr != nil && landscape(area) {
		items = append(items, tracker, layout.NewSpacer(), finish)
		return container.NewGridWithColumns(2, container.NewVBox(items...), qr)
	}
	if qr != nil {
		items = append(items, qr)
	}
	items = append(items, tracker, layout.NewSpacer(), finish)
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

// residentScreen is the screen of the session's step.
func (u *UI) residentScreen() screen {
	if c := u.civicScreen(); c.build != nil {
		return c
	}
	s := screen{name: u.s.Step().String()}
	switch u.s.Step() {
	case session.Closed:
		s.build = u.closedScreen
		if u.year != nil {
			s.build = u.attractScreen // the year's other stages (phase.go)
		}
	case session.Paused:
		s.build = u.pausedScreen
	case session.Identity:
		s.build = u.identityScreen
	case session.Guardian:
		s.build = u.guardianScreen
	case session.District:
		s.build = u.districtScreen
	case session.Choose:
		s.build, s.reset = u.chooseScreen, u.resetBrowser
	case session.Review:
		s.build = u.reviewScreen
	case session.Done:
		s.build = u.doneScreen
	default:
		s.build = u.attractScreen
	}
	return s
}
