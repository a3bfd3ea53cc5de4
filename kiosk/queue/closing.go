package queue

import (
	"time"

	"github.com/urna-kiosk/urna/sync/wire"
)

// Settings of the closing report.
const (
	settingClosing     = "closing-report"
	settingClosingSent = "closing-report-sent"
)

// KeepClosing signs a closing report with the kiosk key and keeps it as
// the latest, to send online and carry in the USB export.
func (q *Queue) KeepClosing(r *wire.ClosingReport) error {
	r.Kiosk = q.KioskID()
	r.Sign(q.key)
	return q.putJSON(settingClosing, r)
}

// Closing returns the latest signed closing report, nil when the point
// never closed.
func (q *Queue) Closing() (*wire.ClosingReport, error) {
	var r wire.ClosingReport
	if err := q.getJSON(settingClosing, &r); err != nil || r.Sig == nil {
		return nil, err
	}
	return &r, nil
}

// ClosingSent reports whether the latest closing report reached the central.
func (q *Queue) ClosingSent() (bool, error) {
	r, err := q.Closing()
	if err != nil || r == nil {
		return r == nil, err
	}
	var at time.Time
	if err := q.getJSON(settingClosingSent, &at); err != nil {
		return false, err
	}
	return at.Equal(r.ClosedAt), nil
}

// SetClosingSent records that the central keeps the report closed at at.
func (q *Queue) SetClosingSent(at time.Time) error { return q.putJSON(settingClosingSent, at) }
