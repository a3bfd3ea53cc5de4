package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func TestConformanceReconciliation(t *testing.T) {
	each(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		bs := chainOfBallots("k1", 3, func(i int) string { return string(rune('a' + i)) }, func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) })
		if _, err := s.AddBallots(ctx, bs, nil, t0); err != nil {
			t.Fatal(err)
		}
		if id, err := s.BallotAt(ctx, "k1", 2); err != nil || id != bs[1].ID {
			t.Fatalf("ballot at 2 = %q %v", id, err)
		}
		if _, err := s.BallotAt(ctx, "k1", 4); !errors.Is(err, ErrNotFound) {
			t.Fatalf("ballot at 4: %v", err)
		}
		if _, err := s.BallotAt(ctx, "k", 1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another kiosk's prefix: %v", err)
		}
		report := func(n int, at time.Time) wire.ClosingReport {
			return wire.ClosingReport{ClosingReport: election.ClosingReport{Kiosk: "k1", Ballots: n, LastSeq: uint64(n), Head: bs[n-1].ID},
				Edition: "e", ClosedAt: at, Today: n, Sig: []byte("sig")}
		}
		if err := s.PutClosing(ctx, report(3, t0.Add(2*time.Hour)), t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.PutClosing(ctx, report(2, t0.Add(time.Hour)), t0.Add(4*time.Hour)); err != nil { // older: ignored
			t.Fatal(err)
		}
		cs, err := s.Closings(ctx)
		if err != nil || len(cs) != 1 || cs["k1"].Report.Ballots != 3 || cs["k1"].Report.Head != bs[2].ID ||
			!cs["k1"].Report.ClosedAt.Equal(t0.Add(2*time.Hour)) || string(cs["k1"].Report.Sig) != "sig" {
			t.Fatalf("closings = %+v %v", cs, err)
		}
		if err := s.SignOff(ctx, SignOff{Kiosk: "k2", By: "coord"}); !errors.Is(err, ErrNoReason) {
			t.Fatalf("sign-off without reason: %v", err)
		}
		if err := s.SignOff(ctx, SignOff{Kiosk: "k2", Reason: "kiosk stolen", By: "coord", At: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.SignOff(ctx, SignOff{Kiosk: "k2", Reason: "kiosk stolen, police report 12/2026", By: "coord", At: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkUSB(ctx, []string{bs[2].ID, bs[1].ID}); err != nil {
			t.Fatal(err)
		}
		s.MarkUSB(ctx, []string{bs[2].ID}) // again: the same
		var usb []string
		if err := s.USBBallots(ctx, func(id string) error { usb = append(usb, id); return nil }); err != nil {
			t.Fatal(err)
		}
		if slices.Sort(usb); !slices.Equal(usb, slices.Sorted(slices.Values([]string{bs[1].ID, bs[2].ID}))) {
			t.Fatalf("USB ballots %v", usb)
		}
		so, err := s.SignOffs(ctx)
		if err != nil || len(so) != 1 || so["k2"].Reason != "kiosk stolen, police report 12/2026" || so["k2"].By != "coord" || !so["k2"].At.Equal(t0) {
			t.Fatalf("sign-offs = %+v %v", so, err)
		}
	})
}
