package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/pgtest"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

func pg(t testing.TB) store.Store {
	st, err := store.OpenPostgres(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// sealAs signs b as kiosk k would, whatever it holds (a thief with the key).
func sealAs(k *kiosk, b wire.SealedBallot) wire.SealedBallot {
	b.Kiosk = k.q.KioskID()
	b.CastAt = b.CastAt.UTC().Truncate(time.Millisecond)
	b.Sig = k.q.Sign(b.SigningBytes())
	h := b.Hash()
	b.ID = hex.EncodeToString(h[:])
	return b
}

// send posts ballots as kiosk k and returns the answers.
func send(t *testing.T, r *rig, k *kiosk, bs ...wire.SealedBallot) []wire.Result {
	t.Helper()
	body, _ := json.Marshal(wire.BallotBatch{Ballots: bs})
	resp, raw := post(t, r.http.URL, wire.PathBallots, k.q.KioskID(), k.q.Sign, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch: %s %s", resp.Status, raw)
	}
	var br wire.BatchResponse
	json.Unmarshal(raw, &br)
	return br.Results
}

// One signed ballot numbered 2^64-1 used to be stored, and every fleet
// view then listed each missing number until the central ran out of
// memory. Now it is refused with a reason, and so is the number 0.
func TestSeqFarAheadRefused(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	good := k.vote(t, r.ed, 1)
	for seq, want := range map[uint64]wire.Status{1<<64 - 1: wire.SeqAhead, 1 + wire.MaxSeqAhead + 1: wire.SeqAhead, 0: wire.Invalid} {
		b := good
		b.Seq, b.Prev = seq, ""
		if got := send(t, r, k, sealAs(k, b)); got[0].Status != want || got[0].Reason == "" {
			t.Errorf("seq %d: %+v, want %s with a reason", seq, got[0], want)
		}
	}
	if got := send(t, r, k, good); got[0].Status != wire.Accepted {
		t.Fatalf("the honest first ballot: %+v", got[0])
	}
	// Within reach of the last one: accepted, its gap one range.
	b := good
	b.Seq, b.Prev, b.VoterKey = 1+wire.MaxSeqAhead, good.ID, election.VoterKey{9}
	if got := send(t, r, k, sealAs(k, b)); got[0].Status != wire.Accepted {
		t.Fatalf("seq %d: %+v", b.Seq, got[0])
	}
	ch, _ := r.st.Chain(context.Background(), k.q.KioskID())
	if len(ch.Gaps) != 1 || ch.Missing != wire.MaxSeqAhead-1 {
		t.Fatalf("chain %+v", ch)
	}
}

// A stolen kiosk signs a ballot for a resident who already voted
// elsewhere, dated earlier. It used to become the counted one (and stay so
// after the revocation); now it is contested: stored, shown, not counted.
// A ballot dated before the kiosk's enrollment or before its predecessor
// is held as backdated. An honest kiosk that committed to its ballot (a
// heartbeat) before going offline is not penalised when it arrives late
// by USB.
func TestStolenKioskCannotOverride(t *testing.T) {
	for name, open := range map[string]func(testing.TB) store.Store{"bolt": bolt, "postgres": pg} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, open(t))
			ctx := context.Background()
			honest := r.kiosk("")
			thief := r.kioskWith(queue.Options{Clock: func() time.Time { return time.Now().Add(-3 * time.Minute) }})
			// the thief's kiosk was honest until stolen: it committed its head
			thief.vote(t, r.ed, 500)
			thief.a.SyncOnce(ctx)
			thief.a.SendHeartbeat(ctx)
			mine := honest.vote(t, r.ed, 1)
			if n, err := honest.a.SyncOnce(ctx); err != nil || n != 1 {
				t.Fatalf("honest sync %d %v", n, err)
			}
			forged := thief.vote(t, r.ed, 1) // three minutes "earlier"
			got := send(t, r, thief, forged)
			if got[0].Status != wire.Contested || got[0].Reason != string(store.HoldContested) {
				t.Fatalf("the thief's earlier-dated ballot: %+v", got[0])
			}
			if st, _ := r.st.Ballot(ctx, mine.ID); !st.Counted {
				t.Fatal("the resident's ballot no longer counts")
			}
			if st, _ := r.st.Ballot(ctx, forged.ID); st.Counted || st.Hold != store.HoldContested {
				t.Fatalf("forged: %+v", st)
			}
			// the public check says so, without saying why
			if a, _ := central.NewWeb(r.srv, central.WebConfig{}).Check(ctx, forged.Tracker()); !a.Contested || a.Counted || a.Duplicate {
				t.Fatalf("check of the contested ballot: %+v", a)
			}
			r.st.RevokeKiosk(ctx, thief.q.KioskID(), time.Now())
			if st, _ := r.st.Ballot(ctx, mine.ID); !st.Counted {
				t.Fatal("the resident's ballot does not count after the revocation")
			}

			// Backdated: before the kiosk's enrollment, before its predecessor.
			other := r.kiosk("")
			first := other.vote(t, r.ed, 20)
			early := first
			early.Seq, early.Prev, early.VoterKey, early.CastAt = 2, first.ID, election.VoterKey{7}, first.CastAt.Add(-time.Hour)
			early = sealAs(other, early)
			got = send(t, r, other, first, early)
			if got[0].Status != wire.Accepted || got[1].Status != wire.Contested || got[1].Reason != string(store.HoldBackdated) {
				t.Fatalf("before its predecessor: %+v", got)
			}
			k, _ := r.st.Kiosk(ctx, other.q.KioskID())
			pre := first
			pre.Seq, pre.Prev, pre.VoterKey, pre.CastAt = 3, early.ID, election.VoterKey{8}, k.Enrolled.Add(-time.Hour)
			if got := send(t, r, other, sealAs(other, pre)); got[0].Status != wire.Contested || got[0].Reason != string(store.HoldBackdated) {
				t.Fatalf("before its enrollment: %+v", got)
			}

			// The honest offline kiosk: committed, then its ballots came by USB.
			offline := r.kioskWith(queue.Options{Clock: func() time.Time { return time.Now().Add(-2 * time.Minute) }})
			usb := offline.vote(t, r.ed, 2)
			if _, err := offline.a.SendHeartbeat(ctx); err != nil {
				t.Fatal(err)
			}
			later := r.kiosk("")
			dup := later.vote(t, r.ed, 2)
			later.a.SyncOnce(ctx)
			line, _ := json.Marshal(usb)
			if out, err := r.srv.ImportBallots(ctx, bytes.NewReader(line)); err != nil || out[wire.Accepted] != 1 {
				t.Fatalf("late USB ballot: %v %v", out, err)
			}
			if st, _ := r.st.Ballot(ctx, dup.ID); st.Counted {
				t.Fatal("the later ballot still counts")
			}
		})
	}
}

// Under issued-codes admission the central refuses a well-formed code it
// never issued (its check character is public knowledge), and tells a
// kiosk so in the voter lookup; an issued code votes.
func TestIssuedCodesOnly(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	ed := *r.ed
	ed.Admission = election.IssuedCodes
	var buf bytes.Buffer
	election.EncodeEdition(&buf, &ed)
	v, err := central.Publish(ctx, r.st, r.keys, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	k := r.kiosk("")
	codes, err := central.IssueVoterCodes(ctx, r.st, k.er.VoterSecret, &ed, 3, nil)
	if err != nil || len(codes) != 3 {
		t.Fatalf("issue: %v %v", codes, err)
	}
	minted, _ := election.NewVoterCode(ed.Eligibility.CodePrefix, strings.NewReader("abcdefgh"))
	key := func(code string) election.VoterKey {
		c, err := election.NormalizeVoterCode(ed.Eligibility.CodePrefix, code)
		if err != nil {
			t.Fatal(err)
		}
		return election.NewVoterKey(k.er.VoterSecret, election.Identity{Kind: election.ByCode, Value: c})
	}
	for code, admitted := range map[string]bool{codes[0]: true, minted: false} {
		vs, err := k.a.VoterStatus(ctx, key(code))
		if err != nil || vs.NotAdmitted == admitted {
			t.Errorf("lookup of %s: %+v %v", code, vs, err)
		}
		s, err := k.q.Append(ballot(&ed), key(code), v)
		if err != nil {
			t.Fatal(err)
		}
		want := wire.NotAdmitted
		if admitted {
			want = wire.Accepted
		}
		if got := send(t, r, k, s); got[0].Status != want {
			t.Errorf("ballot of %s: %+v, want %s", code, got[0], want)
		}
	}
	if n, _ := r.st.AdmittedCount(ctx, store.ListIssuedCodes); n != 3 {
		t.Fatalf("%d keys kept", n)
	}
}

// Under register admission a voter key missing from the register is
// stored but held for review.
func TestRegisterUnmatchedHeld(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	ed := *r.ed
	ed.Admission = election.Register
	var buf bytes.Buffer
	election.EncodeEdition(&buf, &ed)
	if _, err := central.Publish(ctx, r.st, r.keys, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	k := r.kiosk("")
	res, err := central.ImportRegister(ctx, r.st, k.er.VoterSecret, strings.NewReader(pesel(1)+"\n"+pesel(2)+"\nnot a pesel\n"))
	if err != nil || res.Added != 2 || res.Skipped != 1 {
		t.Fatalf("register: %+v %v", res, err)
	}
	in, out := k.vote(t, r.ed, 1), k.vote(t, r.ed, 3)
	got := send(t, r, k, in, out)
	if got[0].Status != wire.Accepted || got[1].Status != wire.Contested || got[1].Reason != string(store.HoldUnregistered) {
		t.Fatalf("register check: %+v", got)
	}
}

// A kiosk key may ask about voters at a human pace only: a thief who
// asks about 1,000 residents learns the answer for the budget's burst,
// then nothing, and the office sees the refusals.
func TestVoterLookupBudget(t *testing.T) {
	st := bolt(t)
	r := newRig(t, st)
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	srv := central.New(central.Config{Store: st, EditionKey: r.keys.Edition.Public().(ed25519.PublicKey),
		VoterSecret: r.keys.VoterSecret, Clock: clock, RatePerKiosk: 1000, Burst: 1000})
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	k := r.kioskAt(h.URL, queue.Options{})
	k.vote(t, r.ed, 5)
	k.a.SyncOnce(context.Background())
	answered, voted := 0, 0
	for i := range 1000 {
		vs, err := k.a.VoterStatus(context.Background(), election.NewVoterKey(k.er.VoterSecret, election.Identity{Kind: election.ByPESEL, Value: pesel(i)}))
		if err == nil {
			answered++
			if vs.Voted {
				voted++
			}
		}
	}
	if answered != 30 || voted != 1 {
		t.Fatalf("answered %d lookups (%d voted), want the burst of 30", answered, voted)
	}
	if n := srv.OverBudget()[k.q.KioskID()]; n != 970 {
		t.Fatalf("%d refusals recorded", n)
	}
	offset.Store(int64(time.Minute)) // a minute later: four more
	answered = 0
	for i := range 10 {
		if _, err := k.a.VoterStatus(context.Background(), election.NewVoterKey(k.er.VoterSecret, election.Identity{Kind: election.ByPESEL, Value: pesel(i)})); err == nil {
			answered++
		}
	}
	if answered != 4 {
		t.Fatalf("a minute later %d answered, want 4", answered)
	}
}

// Each edition has its own voter-key secret, and none is the central's
// master secret: a thief who reads one kiosk's secret cannot test the
// voter keys of another edition. No kiosk enrolls before a catalog.
func TestVoterSecretPerEdition(t *testing.T) {
	st := bolt(t)
	dir := t.TempDir()
	central.Init(dir)
	keys, _ := central.LoadKeys(dir)
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret})
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	ctx := context.Background()
	code, _ := central.NewEnrollCode(ctx, st, "nck", time.Hour, time.Now())
	body, _ := json.Marshal(wire.EnrollRequest{Code: code, PublicKey: make([]byte, ed25519.PublicKeySize)})
	resp, err := http.Post(h.URL+wire.PathEnroll, "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("enrollment before any catalog: %v %v", resp.Status, err)
	}
	r := &rig{t: t, st: st, srv: srv, http: h, keys: keys}
	secrets := map[string][]byte{}
	for _, id := range []string{"krakow-2025", "krakow-2026"} {
		ed := assets.MustDemoEdition()
		ed.ID = id
		ed.MoveWindow(time.Now())
		var b bytes.Buffer
		election.EncodeEdition(&b, ed)
		if _, err := central.Publish(ctx, st, keys, b.Bytes()); err != nil {
			t.Fatal(err)
		}
		secrets[id] = r.kiosk("").er.VoterSecret
	}
	a, b := secrets["krakow-2025"], secrets["krakow-2026"]
	if len(a) != 32 || bytes.Equal(a, b) || bytes.Equal(a, keys.VoterSecret) || bytes.Equal(b, keys.VoterSecret) {
		t.Fatalf("secrets: %x %x (master %x)", a, b, keys.VoterSecret)
	}
}

// A heartbeat with a negative queue depth (or an oversized head) is refused.
func TestHeartbeatValuesChecked(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	for _, body := range []string{`{"queueDepth":-1}`, `{"freeDiskMB":-5}`, `{"lastSeq":1,"headID":"` + strings.Repeat("a", 200) + `"}`} {
		if resp, _ := post(t, r.http.URL, wire.PathHeartbeat, k.q.KioskID(), k.q.Sign, []byte(body)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s", body, resp.Status)
		}
	}
	if resp, _ := post(t, r.http.URL, wire.PathHeartbeat, k.q.KioskID(), k.q.Sign, []byte(`{"queueDepth":2}`)); resp.StatusCode != http.StatusOK {
		t.Errorf("a sound heartbeat: %s", resp.Status)
	}
}
