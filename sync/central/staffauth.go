package central

import "net/http"

// Auth wraps a handler of another package's dashboard pages (the staff's
// proposal pages) so that it runs only for a signed-in staff member, with
// the same sign-in as the dashboard's own pages.
func (w *Web) Auth(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return w.auth(h)
}
