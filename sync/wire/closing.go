package wire

// PathClosing is where a kiosk sends its signed closing report
// (ClosingReport); the answer is 200 once the central keeps it.
const PathClosing = "/api/v1/closing"

// ExportLine is a line of the USB export that is not a sealed ballot: the
// kiosk's signed closing report, beside its ballots.
type ExportLine struct {
	ClosingReport *ClosingReport `json:"closingReport,omitempty"`
}
