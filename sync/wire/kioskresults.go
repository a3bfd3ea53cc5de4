package wire

// API paths of the stages after the vote (kiosk-signed GETs like the
// timeline): the signed final results (a ResultsFile) and what the winning
// projects became (a SignedBuilt), both signed with the edition key.
const (
	PathResults = "/api/v1/results"
	PathBuilt   = "/api/v1/built"
)

// PathEvaluations takes a kiosk's batched answers to "how easy was it to
// vote?" (POST, an EvaluationBatch).
const PathEvaluations = "/api/v1/evaluations"

// EvaluationBatch is what a kiosk sends of the answers to "how easy was it
// to vote?": how many answered 1, 2, … 5 on one day, nothing else. It
// names no ballot and no time finer than the day; the central counts it
// for the kiosk's venue.
type EvaluationBatch struct {
	Day    string `json:"day"` // YYYY-MM-DD, the kiosk's local day
	Counts [5]int `json:"counts"`
}
