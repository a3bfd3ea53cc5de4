package agent

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Enrollment is what a kiosk keeps from enrolling: where the central is,
// how to recognise it, and the edition's keys. It lives in the kiosk's
// store (a file only the kiosk user reads), never in a log.
type Enrollment struct {
	URL         string `json:"url"`
	Pin         string `json:"pin,omitempty"` // TLS fingerprint; "" for plain HTTP on loopback
	EditionKey  []byte `json:"editionKey"`
	VoterSecret []byte `json:"voterSecret"`
}

const (
	settingEnrollment = "enrollment"
	settingCatalog    = "catalog"
)

// ErrNotEnrolled says the kiosk has not enrolled yet.
var ErrNotEnrolled = errors.New("this kiosk is not enrolled (urnactl enroll)")

// SaveEnrollment records an enrollment in the kiosk's store.
func SaveEnrollment(q *queue.Queue, e Enrollment) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return q.SetSetting(settingEnrollment, hex.EncodeToString(b))
}

// LoadEnrollment reads the enrollment back.
func LoadEnrollment(q *queue.Queue) (Enrollment, error) {
	var e Enrollment
	raw, err := q.Setting(settingEnrollment)
	if err != nil {
		return e, err
	}
	if raw == "" || q.KioskID() == "" {
		return e, ErrNotEnrolled
	}
	b, err := hex.DecodeString(raw)
	if err != nil {
		return e, err
	}
	return e, json.Unmarshal(b, &e)
}

// InstalledCatalog returns the signed catalog the kiosk installed, checked
// against the edition key; ok is false when there is none.
func InstalledCatalog(q *queue.Queue, editionKey []byte) (c wire.Catalog, ok bool, err error) {
	raw, err := q.Setting(settingCatalog)
	if err != nil || raw == "" {
		return c, false, err
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return c, false, err
	}
	if err := c.Verify(editionKey, 0); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// CatalogVersion is the installed catalog's version (0 when none).
func CatalogVersion(q *queue.Queue) int {
	raw, _ := q.Setting(settingCatalog + ".version")
	v, _ := strconv.Atoi(raw)
	return v
}

// InstallCatalog stores a verified catalog; the kiosk uses it from its next start.
func InstallCatalog(q *queue.Queue, c wire.Catalog) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := q.SetSetting(settingCatalog, string(b)); err != nil {
		return err
	}
	return q.SetSetting(settingCatalog+".version", strconv.Itoa(c.Version))
}
