package store

import (
	"context"
	"errors"
	"testing"

	"github.com/urna-kiosk/urna/sync/civic"
)

func rec(id, edition, tracker string) ProposalRecord {
	return ProposalRecord{Proposal: civic.Proposal{ID: id, Edition: edition, Pool: "d01", Title: "Ławki " + id, Status: civic.Submitted,
		History: []civic.Event{{At: t0, Kind: civic.EvSubmit, Actor: "applicant"}}},
		Tracker: tracker, SecretHash: []byte("hash-" + id), Contact: []byte("sealed-" + id)}
}

// TestConformanceProposals: proposals are stored once by id and tracker,
// changed atomically (a failing change leaves nothing), listed per edition,
// and their sealed contacts forgotten per edition.
func TestConformanceProposals(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		ps, ok := s.(Proposals)
		if !ok {
			t.Fatal("store does not keep proposals")
		}
		if _, err := ps.ProposalRecord(ctx, "W1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("empty store: %v", err)
		}
		for _, r := range []ProposalRecord{rec("W2", "bo2025", "TR2"), rec("W1", "bo2025", "TR1"), rec("X1", "bo2026", "TR3")} {
			if err := ps.AddProposal(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := ps.AddProposal(ctx, rec("W1", "bo2025", "TR9")); !errors.Is(err, ErrProposalExists) {
			t.Fatalf("same id twice: %v", err)
		}
		if err := ps.AddProposal(ctx, rec("W9", "bo2025", "TR1")); !errors.Is(err, ErrProposalExists) {
			t.Fatalf("same tracker twice: %v", err)
		}
		r, err := ps.ProposalByTracker(ctx, "TR2")
		if err != nil || r.Proposal.ID != "W2" || string(r.SecretHash) != "hash-W2" || string(r.Contact) != "sealed-W2" || r.Proposal.Title != "Ławki W2" {
			t.Fatalf("by tracker: %+v %v", r, err)
		}
		if _, err := ps.ProposalByTracker(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown tracker: %v", err)
		}
		err = ps.UpdateProposal(ctx, "W1", func(r *ProposalRecord) error {
			r.Proposal.Status = civic.NeedsFix
			r.Held = "spam"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := ps.UpdateProposal(ctx, "W1", func(r *ProposalRecord) error { r.Proposal.Status = civic.Rejected; return boom }); !errors.Is(err, boom) {
			t.Fatalf("failing update: %v", err)
		}
		if err := ps.UpdateProposal(ctx, "W404", func(*ProposalRecord) error { return nil }); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update unknown: %v", err)
		}
		r, _ = ps.ProposalRecord(ctx, "W1")
		if r.Proposal.Status != civic.NeedsFix || r.Held != "spam" {
			t.Fatalf("after updates: %+v", r)
		}
		list, err := ps.ProposalsOf(ctx, "bo2025")
		if err != nil || len(list) != 2 || list[0].Proposal.ID != "W1" || list[1].Proposal.ID != "W2" {
			t.Fatalf("list: %+v %v", list, err)
		}
		if err := ps.UpdateEdition(ctx, "bo2025", func(rs []*ProposalRecord) error {
			rs[0].Proposal.Number = "BO.1"
			rs[1].Proposal.Number = "BO.2"
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("failing edition update: %v", err)
		}
		if err := ps.UpdateEdition(ctx, "bo2025", func(rs []*ProposalRecord) error {
			for _, r := range rs {
				r.Proposal.Number = "N-" + r.Proposal.ID
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		list, _ = ps.ProposalsOf(ctx, "bo2025")
		if list[0].Proposal.Number != "N-W1" || list[1].Proposal.Number != "N-W2" {
			t.Fatalf("edition update: %+v", list)
		}
		if n, err := ps.ForgetContacts(ctx, "bo2025"); err != nil || n != 2 {
			t.Fatalf("forget: %d %v", n, err)
		}
		r, _ = ps.ProposalRecord(ctx, "W2")
		other, _ := ps.ProposalRecord(ctx, "X1")
		if r.Contact != nil || string(other.Contact) != "sealed-X1" {
			t.Fatalf("contacts after forgetting bo2025: %q %q", r.Contact, other.Contact)
		}
	})
}
