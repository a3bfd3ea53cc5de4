package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/civic"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// KioskCivic serves kiosks the stages before the vote: the edition's
// timeline signed with the edition key, and the proposal desk (submit,
// status, protest, hand a draft over to finish at home), each request
// signed by its kiosk like the rest of the API.
type KioskCivic struct {
	Desk *proposals.Desk
	// Key signs the timeline: the edition key, as for catalogs.
	Key ed25519.PrivateKey
	// PublicURL is where residents open the public pages
	// (https://budzet.krakow.pl); empty: the edition's check address's site.
	PublicURL string
	// Handoffs keeps drafts to finish at home (nil: not offered).
	Handoffs *proposals.Handoffs

	mu     sync.Mutex
	signed map[[32]byte]wire.Timeline // one signature per content
}

// UseCivic serves the civic API beside the ballot API.
func (s *Server) UseCivic(c *KioskCivic) { s.civic = c }

func (c *KioskCivic) routes(mux *http.ServeMux, s *Server) {
	mux.HandleFunc("GET "+wire.PathTimeline, s.kiosk(c.timeline(s)))
	mux.HandleFunc("POST "+wire.PathProposals, s.kiosk(c.submit(s)))
	mux.HandleFunc("POST "+wire.PathProposalStatus, s.kiosk(c.status(s)))
	mux.HandleFunc("POST "+wire.PathProposalProtest, s.kiosk(c.protest(s)))
	mux.HandleFunc("POST "+wire.PathProposalHandoff, s.kiosk(c.handoff(s)))
}

// Timeline returns the signed timeline of the edition in hand: the same
// content keeps its first signature (and time), so kiosks see no change
// until the edition changes.
func (c *KioskCivic) Timeline(ctx context.Context, s *Server) (wire.Timeline, error) {
	ed, err := c.Desk.Edition(ctx)
	if err != nil {
		return wire.Timeline{}, err
	}
	year := *ed
	year.Projects = []election.Project{}
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, &year); err != nil {
		return wire.Timeline{}, err
	}
	h := sha256.Sum256(b.Bytes())
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.signed[h]; ok {
		return t, nil
	}
	t := wire.Timeline{Edition: b.Bytes(), Signed: s.cfg.Clock().UTC()}
	t.Sign(c.Key)
	if c.signed == nil || len(c.signed) > 16 {
		c.signed = map[[32]byte]wire.Timeline{}
	}
	c.signed[h] = t
	return t, nil
}

func (c *KioskCivic) timeline(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, _ store.Kiosk, _ []byte) {
		t, err := c.Timeline(r.Context(), s)
		if err != nil {
			c.refuse(w, s, err)
			return
		}
		sum := sha256.Sum256(t.Sig)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		writeJSON(w, t)
	}
}

// refuse answers a refused civic request with its problem keys, so that
// the kiosk shows translated sentences.
func (c *KioskCivic) refuse(w http.ResponseWriter, s *Server, err error) {
	var ps election.Problems
	var p election.Problem
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &p):
		ps = election.Problems{p}
	default:
		s.cfg.Log.Error("kiosk-civic-failed", "err", err)
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	ref := wire.CivicRefusal{Error: "refused"}
	for _, p := range ps {
		ref.Problems = append(ref.Problems, wire.CivicProblem{Key: p.Key, Field: p.Field, Detail: p.Detail})
	}
	code := http.StatusUnprocessableEntity
	if ra := proposals.RetryAfter(err); ra != "" {
		w.Header().Set("Retry-After", ra)
		code = http.StatusTooManyRequests
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(ref)
}

func decodeCivic(w http.ResponseWriter, body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		apiError(w, http.StatusBadRequest, "malformed request")
		return false
	}
	return true
}

// draftOf is the desk's draft of what the kiosk sent.
func draftOf(d wire.ProposalDraft) civic.Draft {
	return civic.Draft{Pool: d.Pool, Lang: d.Lang, Title: d.Title, Summary: d.Summary, Description: d.Description,
		Location: d.Location, Category: election.Category(d.Category), Cost: d.Cost}
}

// kioskAddr is what the desk limits a kiosk's submissions and look-ups by.
func kioskAddr(k store.Kiosk) string { return "kiosk:" + k.ID }

// site is the public pages' base address.
func (c *KioskCivic) site(ed *election.Edition) string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	if u, err := url.Parse(ed.CheckURL); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return ""
}

func (c *KioskCivic) submit(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
		var req wire.ProposalSubmit
		if !decodeCivic(w, body, &req) {
			return
		}
		rc, err := c.Desk.Submit(r.Context(), draftOf(req.Draft), req.Contact, kioskAddr(k))
		if err != nil {
			c.refuse(w, s, err)
			return
		}
		ed, err := c.Desk.Edition(r.Context())
		if err != nil {
			c.refuse(w, s, err)
			return
		}
		p := rc.Proposal
		out := wire.ProposalReceipt{ID: p.ID, Title: p.Title, Pool: p.Pool, Tracker: proposals.Group(rc.Tracker),
			Secret: proposals.Group(rc.Secret), Submitted: s.cfg.Clock().UTC(), StatusURL: c.site(ed) + "/proposals/status"}
		if len(p.History) > 0 {
			out.Submitted = p.History[0].At.UTC()
		}
		for _, ev := range p.History {
			out.Held = out.Held || ev.Kind == proposals.EvHeld
		}
		if ed.Proposals != nil {
			out.Supporters = ed.Proposals.Supporters
		}
		s.cfg.Log.Info("kiosk-proposal-submitted", "kiosk", k.ID, "proposal", p.ID)
		writeJSON(w, out)
	}
}

// statusOf is a proposal as its applicant sees it (no staff names).
func (c *KioskCivic) statusOf(ctx context.Context, s *Server, p civic.Proposal, tracker string) wire.ProposalStatus {
	out := wire.ProposalStatus{ID: p.ID, Title: p.Title, Pool: p.Pool, Status: string(p.Status), Number: p.Number,
		Tracker: proposals.Group(tracker), Received: s.cfg.Clock().UTC()}
	if p.Status == civic.NeedsFix {
		out.FixBy = p.FixBy
	}
	for _, ev := range p.History {
		if ev.Kind == proposals.EvHeld || ev.Kind == proposals.EvReleased {
			continue
		}
		e := wire.ProposalEvent{At: ev.At, Kind: string(ev.Kind), Reason: ev.Reason}
		switch ev.Kind {
		case civic.EvUphold, civic.EvRestore, civic.EvMerge, civic.EvNumbered, civic.EvFixed:
			e.Detail = ev.Detail
		case civic.EvMeritPass:
			if n, err := strconv.ParseInt(ev.Detail, 10, 64); err == nil && n > 0 {
				e.Detail = ev.Detail
			}
		}
		out.History = append(out.History, e)
	}
	if ed, err := c.Desk.Edition(ctx); err == nil {
		out.Protest = p.Status == civic.Rejected && ed.Allows(election.ActProtest, s.cfg.Clock())
	}
	return out
}

func (c *KioskCivic) status(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
		var req wire.ProposalLookup
		if !decodeCivic(w, body, &req) {
			return
		}
		rec, err := c.Desk.Look(r.Context(), req.Tracker, req.Secret, kioskAddr(k))
		if err != nil {
			c.refuse(w, s, err)
			return
		}
		writeJSON(w, c.statusOf(r.Context(), s, rec.Proposal, rec.Tracker))
	}
}

func (c *KioskCivic) protest(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
		var req wire.ProposalLookup
		if !decodeCivic(w, body, &req) {
			return
		}
		if strings.TrimSpace(req.Reason) == "" {
			c.refuse(w, s, election.Problem{Key: civic.KeyReason, Field: "reason"})
			return
		}
		p, err := c.Desk.Applicant(r.Context(), req.Tracker, req.Secret, kioskAddr(k), civic.EvProtest, req.Reason, nil)
		if err != nil {
			c.refuse(w, s, err)
			return
		}
		s.cfg.Log.Info("kiosk-proposal-protest", "kiosk", k.ID, "proposal", p.ID)
		writeJSON(w, c.statusOf(r.Context(), s, p, req.Tracker))
	}
}

func (c *KioskCivic) handoff(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, k store.Kiosk, body []byte) {
		var req wire.ProposalDraft
		if !decodeCivic(w, body, &req) {
			return
		}
		ed, err := c.Desk.Edition(r.Context())
		if err != nil {
			c.refuse(w, s, err)
			return
		}
		if c.Handoffs == nil || !ed.Allows(election.ActSubmit, s.cfg.Clock()) {
			c.refuse(w, s, election.Problem{Key: civic.KeyPhase})
			return
		}
		d := draftOf(req)
		// texts beyond the form's limits are not kept; the other checks
		// are the web form's when the resident sends it
		for _, f := range []struct {
			text string
			max  int
			key  string
		}{{d.Title, civic.MaxTitle, civic.KeyTitle}, {d.Summary, civic.MaxSummary, civic.KeySummary},
			{d.Description, civic.MaxDescription, civic.KeyDescription}, {d.Location, civic.MaxLocation, civic.KeyDescription}} {
			if utf8.RuneCountInString(f.text) > f.max {
				c.refuse(w, s, election.Problem{Key: f.key})
				return
			}
		}
		code, exp := c.Handoffs.Put(d)
		s.cfg.Log.Info("kiosk-proposal-handoff", "kiosk", k.ID)
		writeJSON(w, wire.ProposalHandoff{Code: proposals.Group(code), URL: c.site(ed) + proposals.ResumePath(code), Expires: exp.UTC()})
	}
}
