package central

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// KioskResults serves kiosks the stages after the vote: the signed final
// results kept at the central, and what the winning projects became
// (signed with the edition key as the catalog is), each request signed by
// its kiosk like the rest of the API.
type KioskResults struct {
	// Key signs the implementation records: the edition key.
	Key ed25519.PrivateKey
	// Evaluation takes the kiosks' batched answers to "how easy was it to
	// vote?" (off by default: refused as not found).
	Evaluation bool

	mu    sync.Mutex
	built map[[32]byte]wire.SignedBuilt // one signature per content
}

// UseResults serves the results API beside the ballot API.
func (s *Server) UseResults(k *KioskResults) { s.results = k }

func (k *KioskResults) routes(mux *http.ServeMux, s *Server) {
	mux.HandleFunc("GET "+wire.PathResults, s.kiosk(k.signedResults(s)))
	mux.HandleFunc("GET "+wire.PathBuilt, s.kiosk(k.signedBuilt(s)))
	mux.HandleFunc("POST "+wire.PathEvaluations, s.kiosk(k.evaluations(s)))
}

// signedResults serves the kept final results as they were signed (404
// while there are none).
func (k *KioskResults) signedResults(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, _ store.Kiosk, _ []byte) {
		kept, err := KeptResults(r.Context(), s.cfg.Store)
		if errors.Is(err, store.ErrNotFound) {
			apiError(w, http.StatusNotFound, "no final results")
			return
		}
		if err != nil {
			s.cfg.Log.Error("kiosk-results-failed", "err", err)
			apiError(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
		serveTagged(w, r, kept.File.Sig, kept.Raw)
	}
}

// Built returns the signed implementation records: the same content keeps
// its first signature (and time), so kiosks see no change until a record
// changes.
func (k *KioskResults) Built(r *http.Request, s *Server) (wire.SignedBuilt, error) {
	b, err := SignBuilt(r.Context(), s.cfg.Store, k.Key, s.cfg.Clock())
	if err != nil {
		return wire.SignedBuilt{}, err
	}
	h := sha256.Sum256(append([]byte(b.Edition+"\n"), b.Projects...))
	k.mu.Lock()
	defer k.mu.Unlock()
	if kept, ok := k.built[h]; ok {
		return kept, nil
	}
	if k.built == nil || len(k.built) > 16 {
		k.built = map[[32]byte]wire.SignedBuilt{}
	}
	k.built[h] = b
	return b, nil
}

func (k *KioskResults) signedBuilt(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, _ store.Kiosk, _ []byte) {
		b, err := k.Built(r, s)
		if errors.Is(err, store.ErrNotFound) {
			apiError(w, http.StatusNotFound, "no implementation records")
			return
		}
		if err != nil {
			s.cfg.Log.Error("kiosk-built-failed", "err", err)
			apiError(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
		raw, err := json.Marshal(b)
		if err != nil {
			apiError(w, http.StatusInternalServerError, "encoding failed")
			return
		}
		serveTagged(w, r, b.Sig, raw)
	}
}

// serveTagged writes a signed JSON document with an ETag of its signature.
func serveTagged(w http.ResponseWriter, r *http.Request, sig, raw []byte) {
	sum := sha256.Sum256(sig)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

// maxEvaluations bounds one batch: more answers than a voting point takes
// in a day are refused.
const maxEvaluations = 20000

// evaluations counts a kiosk's batch of answers for its venue: the counts
// alone (the day is checked, not kept), never joined to a ballot.
func (k *KioskResults) evaluations(s *Server) kioskHandler {
	return func(w http.ResponseWriter, r *http.Request, kiosk store.Kiosk, body []byte) {
		if !k.Evaluation {
			apiError(w, http.StatusNotFound, "evaluation is switched off")
			return
		}
		var b wire.EvaluationBatch
		if !decodeCivic(w, body, &b) {
			return
		}
		total := 0
		for _, n := range b.Counts {
			if n < 0 {
				total = -1
				break
			}
			total += n
		}
		if _, err := time.Parse(time.DateOnly, b.Day); err != nil || total <= 0 || total > maxEvaluations {
			apiError(w, http.StatusBadRequest, "malformed batch")
			return
		}
		for i, n := range b.Counts {
			for range n {
				if err := s.cfg.Store.AddEvaluation(r.Context(), kiosk.Venue, i+1); err != nil {
					s.cfg.Log.Error("kiosk-evaluations-failed", "err", err)
					apiError(w, http.StatusServiceUnavailable, "store unavailable")
					return
				}
			}
		}
		s.cfg.Log.Info("kiosk-evaluations", "venue", kiosk.Venue, "answers", total)
		writeJSON(w, struct{}{})
	}
}
