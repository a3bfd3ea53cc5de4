// Package station is a voting point: it owns the kiosk's ballot store and
// printer, seals ballots and prints their receipts for the session, and
// does staff's work (opening and closing reports, test page, posters).
package station

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/sync/election"
)

// Station is one voting point's kiosk.
type Station struct {
	Edition     *election.Edition
	CatalogHash string
	Venue       *election.Venue
	Queue       *queue.Queue
	Printer     printer.Printer
	Messages    assets.Messages
	Clock       func() time.Time
	Log         *slog.Logger
	// ProjectsURL is the address posters' QR codes hold.
	ProjectsURL string
	// Baud is the printer's line speed, shown on the test page.
	Baud int
	// Synced, when set, reports the sync agent's last contact with the central.
	Synced func() time.Time
	// Revoked, when set, reports whether the central refused this kiosk as
	// revoked by the city office (stolen or lost).
	Revoked func() bool
	// OfficePrinter is the venue's CUPS queue for posters ("" for the
	// kiosk's default CUPS destination); USBRoot is where removable drives
	// are mounted (/media by default).
	OfficePrinter, USBRoot string
	// Mounts is the mount table USB sticks are found in (/proc/self/mounts).
	Mounts string
	// EditionKey is the edition's public key from enrollment: its
	// fingerprint is printed on the reports and posters.
	EditionKey ed25519.PublicKey
	// Version is this kiosk's software version, held against the
	// edition's minKioskVersion when staff open the point.
	Version string

	polls    *queue.Polls // read from the store on first use
	unlocked string       // the staff id that unlocked the next ballot
	inUse    bool         // the unlocked ballot's resident has begun
}

// New returns a station for an edition loaded from its JSON.
func New(editionJSON []byte, venueID string, q *queue.Queue, p printer.Printer, m assets.Messages, log *slog.Logger) (*Station, error) {
	ed, v, hash, err := load(editionJSON, venueID)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Station{Edition: ed, CatalogHash: hash, Venue: v, Queue: q, Printer: p,
		Messages: m, Clock: time.Now, Log: log, Baud: 19200}, nil
}

// load decodes an edition and finds the venue in it.
func load(editionJSON []byte, venueID string) (*election.Edition, *election.Venue, string, error) {
	ed, err := election.DecodeEdition(bytes.NewReader(editionJSON))
	if err != nil {
		return nil, nil, "", err
	}
	v := ed.Venue(venueID)
	if v == nil {
		return nil, nil, "", fmt.Errorf("venue %q is not in edition %s (catalog %d)", venueID, ed.ID, ed.Version)
	}
	sum := sha256.Sum256(editionJSON)
	return ed, v, hex.EncodeToString(sum[:]), nil
}

// ErrNotNewer: the catalog offered is not newer than the one in use.
var ErrNotNewer = errors.New("catalog is not newer than the one in use")

// UseCatalog switches the station to a newer catalog's edition (JSON the
// sync agent verified and installed). Call it between residents; the
// venue must be in the new catalog.
func (s *Station) UseCatalog(editionJSON []byte) error {
	ed, v, hash, err := load(editionJSON, s.Venue.ID)
	if err != nil {
		return err
	}
	if ed.Version <= s.Edition.Version {
		return ErrNotNewer
	}
	s.Edition, s.Venue, s.CatalogHash = ed, v, hash
	s.Log.Info("catalog-in-use", "version", ed.Version)
	return s.Queue.Log(queue.Event{Name: queue.EventCatalogInUse, OK: true, Detail: fmt.Sprint(ed.Version)})
}

// Seen implements session.Store.
func (s *Station) Seen(v election.VoterKey) (bool, error) { return s.Queue.Seen(v) }

// Append implements session.Store: the ballot is sealed and on disk when it returns.
func (s *Station) Append(b election.Ballot, v election.VoterKey, catalog int) (session.Sealed, error) {
	if err := s.mayCast(); err != nil {
		return session.Sealed{}, err
	}
	sb, err := s.Queue.Append(b, v, catalog)
	if err != nil {
		return session.Sealed{}, err
	}
	s.consumed()
	s.Log.Info("ballot-sealed", "seq", sb.Seq)
	return session.Sealed{Seq: sb.Seq, Tracker: sb.Tracker(), CastAt: sb.CastAt}, nil
}

// PrintReceipt implements session.Receipts.
func (s *Station) PrintReceipt(ctx context.Context, sb session.Sealed, lang string, choices []election.Selection) error {
	doc, err := layout.BuildReceipt(s.Printer.Profile(), s.Messages, layout.Receipt{
		Edition: s.Edition, Venue: s.Venue, Tracker: sb.Tracker, CastAt: sb.CastAt, Lang: lang, Choices: choices})
	if err == nil {
		err = s.Printer.Print(ctx, doc)
	}
	ev := queue.Event{Name: queue.EventReceiptPrinted, OK: err == nil, Seq: sb.Seq}
	if err != nil {
		ev.Detail = printer.ErrorKey(err)
		s.Log.Warn("receipt-not-printed", "seq", sb.Seq, "reason", ev.Detail)
	}
	s.Queue.Log(ev)
	return err
}

// Pause records staff pausing or resuming the voting point.
func (s *Station) Pause(on bool) {
	ev := queue.EventVotingResumed
	if on {
		ev = queue.EventVotingPaused
	}
	s.Queue.Log(queue.Event{Name: ev, OK: true})
	s.Log.Info(string(ev))
}

// PrinterStatus asks the printer.
func (s *Station) PrinterStatus(ctx context.Context) (printer.Status, error) {
	return s.Printer.Status(ctx)
}

// PrintTestPage prints the printer test page.
func (s *Station) PrintTestPage(ctx context.Context, lang string) error {
	doc, err := layout.BuildTestPage(s.Printer.Profile(), s.Messages, layout.TestPage{Baud: s.Baud, Lang: lang})
	if err != nil {
		return err
	}
	return s.Printer.Print(ctx, doc)
}

// SyncState is what staff see of sync.
type SyncState struct {
	Pending       int
	OldestPending time.Time
	LastSync      time.Time
	Revoked       bool // the central refuses this kiosk: nothing it takes is counted
}

// Sync reports the queue depth and the last contact with the central.
func (s *Station) Sync() (SyncState, error) {
	st, err := s.Queue.Stats(time.Time{})
	if err != nil {
		return SyncState{}, err
	}
	out := SyncState{Pending: st.Pending, OldestPending: st.OldestPending}
	if s.Synced != nil {
		out.LastSync = s.Synced()
	}
	out.Revoked = s.Revoked != nil && s.Revoked()
	return out, nil
}
