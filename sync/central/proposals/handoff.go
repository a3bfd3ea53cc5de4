package proposals

import (
	"strings"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/civic"
)

// Handoffs keeps drafts a resident handed over at a kiosk to finish at
// home: a code opens one on the public form until it expires. The
// drafts hold no contact (the kiosk does not hand it over) and live in
// this process only: a restart forgets them, and the printed slip says
// how long the code lasts.
type Handoffs struct {
	// TTL is how long a code lasts (7 days); Max how many drafts are kept
	// at once (10,000): beyond it the oldest go first.
	TTL   time.Duration
	Max   int
	Clock func() time.Time

	mu     sync.Mutex
	drafts map[string]handoff
}

type handoff struct {
	draft   civic.Draft
	expires time.Time
}

func (h *Handoffs) now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock()
}

// Put keeps a draft and returns its code and when it expires.
func (h *Handoffs) Put(d civic.Draft) (string, time.Time) {
	ttl, max := h.TTL, h.Max
	if ttl == 0 {
		ttl = 7 * 24 * time.Hour
	}
	if max == 0 {
		max = 10000
	}
	now := h.now()
	code := randomCode(10)[:16]
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.drafts == nil {
		h.drafts = map[string]handoff{}
	}
	for k, v := range h.drafts {
		if !now.Before(v.expires) {
			delete(h.drafts, k)
		}
	}
	for len(h.drafts) >= max {
		var oldest string
		for k, v := range h.drafts {
			if oldest == "" || v.expires.Before(h.drafts[oldest].expires) {
				oldest = k
			}
		}
		delete(h.drafts, oldest)
	}
	h.drafts[code] = handoff{draft: d, expires: now.Add(ttl)}
	return code, now.Add(ttl)
}

// Open returns the draft of code. It is not used up: a phone's link
// preview may open the address before the resident does.
func (h *Handoffs) Open(code string) (civic.Draft, bool) {
	code = normal(code)
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.drafts[code]
	if !ok || !h.now().Before(v.expires) {
		return civic.Draft{}, false
	}
	return v.draft, true
}

// ResumePath is the public form's address that opens a handed-over draft.
func ResumePath(code string) string { return "/proposals/resume/" + strings.ToUpper(code) }
