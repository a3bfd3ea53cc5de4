package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Errors of DecodeBatch.
var (
	ErrTooLarge  = errors.New("request body too large")
	ErrMalformed = errors.New("malformed request")
	ErrBatchSize = fmt.Errorf("a batch holds 1 to %d ballots", MaxBatch)
)

// DecodeBatch reads a ballot batch, refusing bodies over MaxBodyBytes,
// unknown fields, trailing data and batches over MaxBatch.
func DecodeBatch(r io.Reader) (BallotBatch, error) {
	var b BallotBatch
	lr := &io.LimitedReader{R: r, N: MaxBodyBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if lr.N <= 0 {
			return b, ErrTooLarge
		}
		return b, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return b, fmt.Errorf("%w: data after the batch", ErrMalformed)
	}
	if lr.N <= 0 {
		return b, ErrTooLarge
	}
	if len(b.Ballots) == 0 || len(b.Ballots) > MaxBatch {
		return b, ErrBatchSize
	}
	return b, nil
}
