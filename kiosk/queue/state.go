package queue

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Audit events of the voting point's state (the rest of the catalogue is in
// events.go).
const (
	EventBallotActivated EventName = "ballot-activated"  // a staff member unlocked one ballot (Detail: their staff id)
	EventActivationEnded EventName = "activation-ended"  // an unlocked ballot ended without a cast (Detail: why)
	EventStaffLockedOut  EventName = "staff-mode-locked" // staff mode locked itself (Detail: idle or left)
	EventReportPending   EventName = "report-pending"    // a report could not print and waits for the printer
	EventReportPrinted   EventName = "report-printed"    // a waiting report printed
	EventPosterMade      EventName = "poster-made"       // staff made a poster (Detail: format, language, where to)
)

// Settings names of the state kept here.
const (
	settingPolls     = "polls"
	settingPINLock   = "pin-lock/"
	settingReportDue = "report-due/"
)

// pinLock is a PIN checker's tries and lock.
type pinLock struct {
	Failures int       `json:"failures"`
	Until    time.Time `json:"until,omitzero"`
}

// PINLock returns a PIN checker's wrong tries and lock (session.LockStore).
func (q *Queue) PINLock(name string) (int, time.Time, error) {
	var l pinLock
	err := q.getJSON(settingPINLock+name, &l)
	return l.Failures, l.Until, err
}

// SetPINLock keeps a PIN checker's wrong tries and lock (session.LockStore).
func (q *Queue) SetPINLock(name string, failures int, until time.Time) error {
	return q.putJSON(settingPINLock+name, pinLock{Failures: failures, Until: until.UTC()})
}

// Polls is whether staff opened the voting point, when, and where the
// ballot chain stood at the last opening and closing.
type Polls struct {
	Open      bool      `json:"open"`
	OpenedAt  time.Time `json:"openedAt,omitzero"`
	ClosedAt  time.Time `json:"closedAt,omitzero"`
	OpenedSeq uint64    `json:"openedSeq"` // the last seq when the point opened
	ClosedSeq uint64    `json:"closedSeq"` // the last seq when the point last closed
}

// Polls returns the voting point's state (closed when never opened).
func (q *Queue) Polls() (Polls, error) {
	var p Polls
	err := q.getJSON(settingPolls, &p)
	return p, err
}

// SetPolls keeps the voting point's state.
func (q *Queue) SetPolls(p Polls) error { return q.putJSON(settingPolls, p) }

// AddReportDue keeps a report the printer could not print, to print when
// it can, and logs that it waits. The report is the printer's bytes: counts
// and the chain head, no personal data.
func (q *Queue) AddReportDue(doc []byte, at time.Time) error {
	return q.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		key := settingReportDue + at.UTC().Format("2006-01-02T15:04:05.000000000Z")
		if err := b.Put([]byte(key), doc); err != nil {
			return err
		}
		return appendEvent(tx, Event{Name: EventReportPending, At: at})
	})
}

// ReportDue is a report waiting for the printer.
type ReportDue struct {
	Key string
	Doc []byte
}

// ReportsDue returns the waiting reports, oldest first.
func (q *Queue) ReportsDue() ([]ReportDue, error) {
	var out []ReportDue
	err := q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSettings).Cursor()
		prefix := []byte(settingReportDue)
		for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == settingReportDue; k, v = c.Next() {
			out = append(out, ReportDue{Key: string(k), Doc: append([]byte(nil), v...)})
		}
		return nil
	})
	return out, err
}

// ReportPrinted drops a waiting report once it printed, and logs it.
func (q *Queue) ReportPrinted(key string) error {
	return q.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSettings).Delete([]byte(key)); err != nil {
			return err
		}
		return appendEvent(tx, Event{Name: EventReportPrinted, OK: true, At: q.clock()})
	})
}

func (q *Queue) getJSON(name string, v any) error {
	return q.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSettings).Get([]byte(name))
		if raw == nil {
			return nil
		}
		return json.Unmarshal(raw, v)
	})
}

func (q *Queue) putJSON(name string, v any) error {
	return q.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketSettings), []byte(name), v) })
}
