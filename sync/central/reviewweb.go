package central

import (
	"errors"
	"net/http"

	"github.com/urna-kiosk/urna/sync/central/store"
)

// setAsideKiosk sets a kiosk's ballots aside for review, or releases them
// (form field aside = 1 or 0), from the fleet page: what `urna-central
// kiosk set-aside` and `kiosk release` do, for a coordinator signed in to
// the dashboard. Like every dashboard form it is refused when posted from
// another site (sameOrigin).
func (w *Web) setAsideKiosk(rw http.ResponseWriter, r *http.Request, user string) {
	kiosk, aside := r.FormValue("kiosk"), r.FormValue("aside") == "1"
	if r.FormValue("confirm") != "1" {
		q, v := "dash.kiosk.release_confirm", "0"
		if aside {
			q, v = "dash.kiosk.set_aside_confirm", "1"
		}
		w.confirmKiosk(rw, r, user, "/dashboard/kiosk/setaside", q, map[string]string{"aside": v})
		return
	}
	err := w.srv.cfg.Store.SetAside(r.Context(), kiosk, aside, w.srv.cfg.Clock())
	p, _ := w.base(rw, r, user, "fleet")
	switch {
	case errors.Is(err, store.ErrNotFound):
		w.fail(rw, p, http.StatusBadRequest, "dash.err.unknown_kiosk")
		return
	case err != nil:
		w.srv.cfg.Log.Error("store-failed", "err", err)
		w.fail(rw, p, http.StatusServiceUnavailable, "dash.err.store")
		return
	}
	event := "kiosk-released"
	if aside {
		event = "kiosk-set-aside"
	}
	w.srv.cfg.Log.Info(event, "kiosk", kiosk, "by", user)
	http.Redirect(rw, r, backTo(r), http.StatusSeeOther)
}
