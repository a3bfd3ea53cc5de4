package wire

// API paths of the stages after the vote (kiosk-signed GETs like the
// timeline): the signed final results (a ResultsFile) and what the winning
// projects became (a SignedBuilt), both signed with the edition key.
const (
	PathResults = "/api/v1/results"
	PathBuilt   = "/api/v1/built"
)
