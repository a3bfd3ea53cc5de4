package central

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// allowAddr takes a token for the request's client from l; when there is
// none it sets Retry-After and answers false. A limiter whose store is
// unreachable lets the request through (the store then fails it anyway).
func (s *Server) allowAddr(w http.ResponseWriter, r *http.Request, l limit.Limiter) bool {
	ok, err := l.Allow(r.Context(), clientKey(r, s.cfg.TrustedProxies))
	if err != nil {
		s.cfg.Log.Error("limit-failed", "err", err)
		return true
	}
	if !ok {
		w.Header().Set("Retry-After", "1")
	}
	return ok
}

// clientKey is the client a per-address limit counts: the TCP peer, or,
// when the peer is a trusted proxy (a load balancer in front of
// replicas), the last address in X-Forwarded-For that is not one; an IPv6
// address counts by its /64 (one subscriber gets a whole /64 and could
// otherwise take a new address for every request). Without trusted
// proxies X-Forwarded-For is ignored: anyone can write it.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if isTrusted(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a hop nobody trusted wrote: stop at the last good one
			}
			ip = a.Unmap()
			if !isTrusted(ip) {
				break
			}
		}
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// Bounds of a heartbeat's numbers: beyond them it is refused, as no kiosk
// honestly sends them (and a dashboard must not show them).
const (
	maxQueueDepth = 10_000_000
	maxLastSeq    = 1_000_000_000
	maxFreeDiskMB = 1 << 40
	maxWord       = 64
)

// heartbeatProblem names what makes a heartbeat unbelievable, or is "".
func heartbeatProblem(hb wire.Heartbeat) string {
	switch {
	case hb.QueueDepth < 0 || hb.QueueDepth > maxQueueDepth:
		return fmt.Sprintf("queueDepth %d is outside 0…%d", hb.QueueDepth, maxQueueDepth)
	case hb.Catalog < 0:
		return fmt.Sprintf("catalog %d is negative", hb.Catalog)
	case hb.LastSeq > maxLastSeq:
		return fmt.Sprintf("lastSeq %d is above %d", hb.LastSeq, maxLastSeq)
	case hb.FreeDiskMB < 0 || hb.FreeDiskMB > maxFreeDiskMB:
		return fmt.Sprintf("freeDiskMB %d is outside 0…%d", hb.FreeDiskMB, int64(maxFreeDiskMB))
	case len(hb.Version) > maxWord || len(hb.Printer) > maxWord:
		return fmt.Sprintf("version or printer longer than %d bytes", maxWord)
	}
	return ""
}

// hsts tells browsers that came over TLS to keep to it (a year): a
// dashboard session must not be downgraded to plain HTTP on a later visit.
func hsts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

// sameOrigin refuses state-changing requests a browser sent from another
// site (net/http's CrossOriginProtection: Sec-Fetch-Site, then Origin
// against Host), with a translated sentence.
func (w *Web) sameOrigin(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.srv.cfg.Log.Warn("cross-origin-refused", "path", r.URL.Path)
		http.Error(rw, w.msgs.T(lang(r), "dash.err.cross_origin"), http.StatusForbidden)
	}))
	return p.Handler(h)
}

// metricsAllowed checks the metrics token (Authorization: Bearer TOKEN).
func (w *Web) metricsAllowed(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && w.metricsToken != "" && subtle.ConstantTimeCompare([]byte(got), []byte(w.metricsToken)) == 1
}

// MetricsHandler serves /metrics alone, without a token: for a listener of
// its own that only the monitoring network reaches (serve --metrics-listen).
func (w *Web) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", w.metricsPage)
	return mux
}

// SeqSlack is how far beyond its human pace since enrollment a kiosk's
// number may be: the ballots of a test run before the point opens.
const SeqSlack = 100

// maxSeqSince is the highest number a kiosk enrolled at enrolled can have
// reached at now, casting HumanPerMinute a minute from CastSkew before its
// enrollment, plus SeqSlack: a commitment or a closing report beyond it
// names ballots that no human pace produced, so it is refused.
func (s *Server) maxSeqSince(enrolled, now time.Time) uint64 {
	minutes := math.Ceil(now.Sub(enrolled.Add(-s.cfg.CastSkew)).Minutes())
	if minutes < 0 {
		minutes = 0
	}
	return SeqSlack + uint64(minutes)*HumanPerMinute
}

// seqProblem names what makes a kiosk's claim to have reached number seq
// by now absurd, or is "": beyond maxSeqSince, counted from the first
// number the central holds of the kiosk (a kiosk enrolled again keeps
// numbering its old chain), read only when the bound is passed.
func (s *Server) seqProblem(ctx context.Context, k store.Kiosk, seq uint64, now time.Time) (string, error) {
	most := s.maxSeqSince(k.Enrolled, now)
	if seq <= most {
		return "", nil
	}
	ch, err := s.cfg.Store.Chain(ctx, k.ID)
	if err != nil {
		return "", err
	}
	if ch.Count > 0 && len(ch.Gaps) > 0 && ch.Gaps[0].From == 1 {
		most += ch.Gaps[0].To
	}
	if seq <= most {
		return "", nil
	}
	return fmt.Sprintf("lastSeq %d is beyond the %d ballots a kiosk enrolled at %s can have taken at a human pace",
		seq, most, k.Enrolled.UTC().Format(time.RFC3339)), nil
}

// commitment drops a heartbeat's commitment (the heartbeat itself is
// kept) when its number is absurd for the kiosk: such a commitment could
// only serve a thief, to claim ballots it never had.
func (s *Server) commitment(ctx context.Context, k store.Kiosk, hb *wire.Heartbeat, now time.Time) error {
	if hb.HeadID == "" {
		return nil
	}
	reason, err := s.seqProblem(ctx, k, hb.LastSeq, now)
	if err != nil || reason == "" {
		return err
	}
	s.cfg.Log.Warn("commitment-refused", "kiosk", k.ID, "reason", reason)
	hb.HeadID = ""
	return nil
}

// withhold keeps a batch from telling a stolen kiosk who voted: every
// answer about a ballot's voter (accepted, duplicate, contested because
// another ballot of the voter counts) takes a token of the kiosk's
// voter-lookup budget, and once none is left the answer is Withheld,
// alike for all three, so they cannot be told apart. The store keeps the
// mark, so that the public check does not tell it either (Web.Check). USB
// import does not go through here: the office runs it.
func (s *Server) withhold(ctx context.Context, k store.Kiosk, results []wire.Result) error {
	var ids []string
	for i := range results {
		r := &results[i]
		if r.Status != wire.Accepted && r.Status != wire.Duplicate && (r.Status != wire.Contested || r.Reason != string(store.HoldContested)) {
			continue
		}
		if ok, _ := s.lookups.Allow(ctx, k.ID); ok {
			continue
		}
		r.Status, r.Reason = wire.Withheld, ""
		ids = append(ids, r.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	s.cfg.Log.Warn("ballot-answers-withheld", "kiosk", k.ID, "n", len(ids))
	return s.cfg.Store.MarkWithheld(ctx, ids)
}
