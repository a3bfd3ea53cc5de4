package agent

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func TestBackoffBounds(t *testing.T) {
	a := New(Config{MinBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second})
	for n := 1; n <= 40; n++ {
		want := min(100*time.Millisecond<<min(n-1, 20), 2*time.Second)
		for range 50 {
			d := a.backoff(n)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, want/2, want)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[a.backoff(5)] = true
	}
	if len(seen) < 10 {
		t.Fatal("no jitter")
	}
}

// A central that answers only for the first half of each batch: the
// other half stays pending and is sent again.
func TestMarksOnlyWhatWasAnswered(t *testing.T) {
	q, err := queue.Open(filepath.Join(t.TempDir(), "k.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	q.SetKioskID("k1")
	for i := range 10 {
		q.Append(election.Ballot{Edition: "e"}, election.VoterKey{byte(i)}, 1)
	}
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		var b wire.BallotBatch
		json.NewDecoder(r.Body).Decode(&b)
		var resp wire.BatchResponse
		for i, s := range b.Ballots[:(len(b.Ballots)+1)/2] {
			st := wire.Accepted
			if i == 0 && calls == 1 {
				st = wire.Invalid
			}
			resp.Results = append(resp.Results, wire.Result{ID: s.ID, Seq: s.Seq, Status: st, Reason: "ballot.too_few"})
		}
		resp.Results = append(resp.Results, wire.Result{ID: "someone-else", Seq: 99, Status: wire.Accepted})
		json.NewEncoder(w).Encode(resp)
	}))
	defer srv.Close()
	a := New(Config{URL: srv.URL, Queue: q})
	if _, err := a.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := q.Stats(time.Time{})
	if st.Pending != 0 || st.Rejected != 1 || st.Accepted != 9 || calls < 3 {
		t.Fatalf("stats %+v after %d calls", st, calls)
	}
	if a.LastSync().IsZero() {
		t.Fatal("no last sync")
	}
}

// An unreachable central leaves everything pending and says so.
func TestCentralAway(t *testing.T) {
	q, _ := queue.Open(filepath.Join(t.TempDir(), "k.db"), queue.Options{})
	defer q.Close()
	q.Append(election.Ballot{Edition: "e"}, election.VoterKey{1}, 1)
	a := New(Config{URL: "http://127.0.0.1:1", Queue: q})
	if _, err := a.SyncOnce(context.Background()); err == nil {
		t.Fatal("no error from an unreachable central")
	}
	if st, _ := q.Stats(time.Time{}); st.Pending != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// Contested ballots are stored (done at the kiosk); a ballot answered
// seq-ahead stays pending, and a heartbeat carries the chain head.
func TestContestedDoneSeqAheadPending(t *testing.T) {
	q, err := queue.Open(filepath.Join(t.TempDir(), "k.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	q.SetKioskID("k1")
	for i := range 2 {
		q.Append(election.Ballot{Edition: "e"}, election.VoterKey{byte(i)}, 1)
	}
	var hb wire.Heartbeat
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == wire.PathHeartbeat {
			json.NewDecoder(r.Body).Decode(&hb)
			json.NewEncoder(w).Encode(wire.HeartbeatResponse{CentralTime: time.Now()})
			return
		}
		var b wire.BallotBatch
		json.NewDecoder(r.Body).Decode(&b)
		var resp wire.BatchResponse
		for _, s := range b.Ballots {
			st := wire.Contested // number 1
			if s.Seq == 2 {
				st = wire.SeqAhead
			}
			resp.Results = append(resp.Results, wire.Result{ID: s.ID, Seq: s.Seq, Status: st})
		}
		json.NewEncoder(w).Encode(resp)
	}))
	defer srv.Close()
	a := New(Config{URL: srv.URL, Queue: q})
	a.SyncOnce(context.Background())
	if st, _ := q.Stats(time.Time{}); st.Pending != 1 || st.Accepted != 1 || st.Rejected != 0 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := a.SendHeartbeat(context.Background()); err != nil {
		t.Fatal(err)
	}
	if seq, head := q.Head(); hb.LastSeq != seq || hb.HeadID != head || head == "" {
		t.Fatalf("heartbeat head %d %q, queue head %d %q", hb.LastSeq, hb.HeadID, seq, head)
	}
}
