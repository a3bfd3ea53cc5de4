package store

import (
	"context"
	"encoding/json"
	"sort"

	bolt "go.etcd.io/bbolt"
)

var (
	bProposals = []byte("proposals")         // id -> ProposalRecord JSON
	bTrackers  = []byte("proposal-trackers") // tracker -> id
)

func proposalBuckets(tx *bolt.Tx) (recs, trackers *bolt.Bucket, err error) {
	if !tx.Writable() {
		return tx.Bucket(bProposals), tx.Bucket(bTrackers), nil
	}
	if recs, err = tx.CreateBucketIfNotExists(bProposals); err != nil {
		return nil, nil, err
	}
	trackers, err = tx.CreateBucketIfNotExists(bTrackers)
	return recs, trackers, err
}

// AddProposal implements Proposals. Submissions that arrive together share
// one commit (bbolt's Batch), as ballots do.
func (s *Bolt) AddProposal(ctx context.Context, r ProposalRecord) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		recs, trackers, err := proposalBuckets(tx)
		if err != nil {
			return err
		}
		if recs.Get([]byte(r.Proposal.ID)) != nil || trackers.Get([]byte(r.Tracker)) != nil {
			return ErrProposalExists
		}
		if err := put(recs, []byte(r.Proposal.ID), r); err != nil {
			return err
		}
		return trackers.Put([]byte(r.Tracker), []byte(r.Proposal.ID))
	})
}

// ProposalRecord implements Proposals.
func (s *Bolt) ProposalRecord(ctx context.Context, id string) (ProposalRecord, error) {
	var r ProposalRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		recs, _, _ := proposalBuckets(tx)
		if recs == nil {
			return ErrNotFound
		}
		return get(recs, []byte(id), &r)
	})
	return r, err
}

// ProposalByTracker implements Proposals.
func (s *Bolt) ProposalByTracker(ctx context.Context, tracker string) (ProposalRecord, error) {
	var r ProposalRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		recs, trackers, _ := proposalBuckets(tx)
		if recs == nil {
			return ErrNotFound
		}
		id := trackers.Get([]byte(tracker))
		if id == nil {
			return ErrNotFound
		}
		return get(recs, id, &r)
	})
	return r, err
}

// UpdateProposal implements Proposals.
func (s *Bolt) UpdateProposal(ctx context.Context, id string, fn func(*ProposalRecord) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		recs, _, err := proposalBuckets(tx)
		if err != nil {
			return err
		}
		var r ProposalRecord
		if err := get(recs, []byte(id), &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		r.Proposal.ID = id
		return put(recs, []byte(id), r)
	})
}

// UpdateEdition implements Proposals.
func (s *Bolt) UpdateEdition(ctx context.Context, edition string, fn func([]*ProposalRecord) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		recs, _, err := proposalBuckets(tx)
		if err != nil {
			return err
		}
		rs, err := boltEdition(recs, edition)
		if err != nil {
			return err
		}
		ptrs := make([]*ProposalRecord, len(rs))
		ids := make([]string, len(rs))
		for i := range rs {
			ptrs[i], ids[i] = &rs[i], rs[i].Proposal.ID
		}
		if err := fn(ptrs); err != nil {
			return err
		}
		for i, r := range rs {
			r.Proposal.ID = ids[i]
			if err := put(recs, []byte(ids[i]), r); err != nil {
				return err
			}
		}
		return nil
	})
}

func boltEdition(recs *bolt.Bucket, edition string) ([]ProposalRecord, error) {
	var out []ProposalRecord
	if recs == nil {
		return nil, nil
	}
	err := recs.ForEach(func(k, v []byte) error {
		var r ProposalRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		if r.Proposal.Edition == edition {
			out = append(out, r)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Proposal.ID < out[j].Proposal.ID })
	return out, err
}

// ProposalsOf implements Proposals.
func (s *Bolt) ProposalsOf(ctx context.Context, edition string) ([]ProposalRecord, error) {
	var out []ProposalRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		recs, _, _ := proposalBuckets(tx)
		var err error
		out, err = boltEdition(recs, edition)
		return err
	})
	return out, err
}

// ForgetContacts implements Proposals.
func (s *Bolt) ForgetContacts(ctx context.Context, edition string) (int, error) {
	n := 0
	err := s.UpdateEdition(ctx, edition, func(rs []*ProposalRecord) error {
		for _, r := range rs {
			if r.Contact != nil {
				r.Contact = nil
				n++
			}
		}
		return nil
	})
	return n, err
}
