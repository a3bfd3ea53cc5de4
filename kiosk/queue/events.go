package queue

import "time"

// EventName is one entry of the audit catalogue. Every event a kiosk logs
// has a name here; the list is documentation too.
type EventName string

// The audit catalogue.
const (
	EventQueueOpened     EventName = "queue-opened"     // the store was opened and its chain verified
	EventVoteRefused     EventName = "vote-refused"     // a second vote at this kiosk was refused
	EventReceiptPrinted  EventName = "receipt-printed"  // OK false: the printer failed and the QR was shown on screen
	EventPollsOpened     EventName = "polls-opened"     // staff opened the voting point (opening report)
	EventPollsClosed     EventName = "polls-closed"     // staff closed the voting point (closing report)
	EventVotingPaused    EventName = "voting-paused"    // staff paused voting ("out of order")
	EventVotingResumed   EventName = "voting-resumed"   // staff resumed voting
	EventStaffLogin      EventName = "staff-login"      // OK false: a wrong PIN
	EventStaffLocked     EventName = "staff-locked"     // too many wrong PINs
	EventPrinterStatus   EventName = "printer-status"   // the printer's state changed (Detail: the state)
	EventBallotsSynced   EventName = "ballots-synced"   // the central acknowledged ballots (Detail: how many)
	EventBallotRejected  EventName = "ballot-rejected"  // the central rejected a ballot (Detail: the reason)
	EventCatalogUpdated  EventName = "catalog-updated"  // a newer signed catalog was installed
	EventCatalogInUse    EventName = "catalog-in-use"   // the kiosk shows residents a newer catalog (Detail: its version)
	EventBallotsExported EventName = "ballots-exported" // ballots written for a USB stick
	EventEnrolled        EventName = "kiosk-enrolled"   // the kiosk got its id from the central
	EventStoreSalvaged   EventName = "store-salvaged"   // this store was salvaged from a damaged one (Detail: counts)
)

// Event is one audit record. Detail never holds personal data: only
// counts, states, reasons and sequence numbers.
type Event struct {
	Name   EventName `json:"name"`
	At     time.Time `json:"at"`
	OK     bool      `json:"ok"`
	Seq    uint64    `json:"seq,omitempty"`
	Detail string    `json:"detail,omitempty"`
}
