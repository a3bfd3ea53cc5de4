package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
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
			// three minutes "earlier", also than its own commitment (its
			// agent's clock is right): held as backdated (attack 13.2)
			forged := thief.vote(t, r.ed, 1)
			got := send(t, r, thief, forged)
			if got[0].Status != wire.Contested || got[0].Reason != string(store.HoldBackdated) {
				t.Fatalf("the thief's earlier-dated ballot: %+v", got[0])
			}
			if st, _ := r.st.Ballot(ctx, mine.ID); !st.Counted {
				t.Fatal("the resident's ballot no longer counts")
			}
			if st, _ := r.st.Ballot(ctx, forged.ID); st.Counted || st.Hold != store.HoldBackdated {
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
	// the answer to the kiosk's own ballot took one token of the budget
	if answered != 29 || voted != 1 {
		t.Fatalf("answered %d lookups (%d voted), want the burst of 30 less the ballot's answer", answered, voted)
	}
	if n := srv.OverBudget()[k.q.KioskID()]; n != 971 {
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

// both runs f on the bbolt and the PostgreSQL store.
func both(t *testing.T, f func(t *testing.T, st store.Store)) {
	for name, open := range map[string]func(testing.TB) store.Store{"bolt": bolt, "postgres": pg} {
		t.Run(name, func(t *testing.T) { f(t, open(t)) })
	}
}

func heartbeat(t *testing.T, r *rig, k *kiosk, lastSeq uint64, head string) int {
	t.Helper()
	body, _ := json.Marshal(wire.Heartbeat{LastSeq: lastSeq, HeadID: head})
	resp, _ := post(t, r.http.URL, wire.PathHeartbeat, k.q.KioskID(), k.q.Sign, body)
	return resp.StatusCode
}

func findingKeys(t *testing.T, r *rig, k *kiosk) []string {
	t.Helper()
	ks, err := r.st.Kiosk(context.Background(), k.q.KioskID())
	if err != nil {
		t.Fatal(err)
	}
	fs, err := r.srv.KioskFindings(context.Background(), ks, r.ed)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Key)
	}
	return out
}

// Known gap 1: a stolen kiosk commits, right after enrolling, to a high
// number with a made-up head, and every ballot it then dates before a
// resident's counted one used to count as "committed in time". Now the
// made-up commitment proves nothing, the ballot is contested; once the
// number arrives with another ballot the kiosk is flagged and set aside;
// a commitment to a number beyond a human pace since enrollment is not
// kept at all.
func TestForgedCommitmentProvesNothing(t *testing.T) {
	both(t, func(t *testing.T, st store.Store) {
		r := newRig(t, st)
		ctx := context.Background()
		thief := r.kioskWith(queue.Options{Clock: func() time.Time { return time.Now().Add(-3 * time.Minute) }})
		if code := heartbeat(t, r, thief, 5000, strings.Repeat("ab", 32)); code != http.StatusOK {
			t.Fatalf("heartbeat: %d", code)
		}
		if cs, _ := r.st.Commitments(ctx, thief.q.KioskID()); len(cs) != 0 {
			t.Fatalf("a commitment to 5000 ballots right after enrollment was kept: %v", cs)
		}
		made := strings.Repeat("cd", 32)
		if code := heartbeat(t, r, thief, 40, made); code != http.StatusOK {
			t.Fatalf("heartbeat: %d", code)
		}
		honest := r.kiosk("")
		mine := honest.vote(t, r.ed, 1)
		honest.a.SyncOnce(ctx)
		forged := thief.vote(t, r.ed, 1) // seq 1, three minutes "earlier"
		if got := send(t, r, thief, forged); got[0].Status != wire.Contested || got[0].Reason != string(store.HoldContested) {
			t.Fatalf("the backdated ballot under a made-up commitment: %+v", got[0])
		}
		if s, _ := r.st.Ballot(ctx, mine.ID); !s.Counted {
			t.Fatal("the resident's ballot was displaced")
		}
		// the rest of the chain up to the committed number: its head is not the made-up one
		var rest []wire.SealedBallot
		for i := 2; i <= 40; i++ {
			rest = append(rest, thief.vote(t, r.ed, 100+i))
		}
		send(t, r, thief, rest...)
		k, _ := r.st.Kiosk(ctx, thief.q.KioskID())
		if k.SetAside.IsZero() {
			t.Fatal("the kiosk whose commitment was forged is not set aside")
		}
		if !slices.Contains(findingKeys(t, r, thief), "dash.alert.forged") {
			t.Fatalf("no forged-commitment alert: %v", findingKeys(t, r, thief))
		}
		if s, _ := r.st.Ballot(ctx, mine.ID); !s.Counted {
			t.Fatal("the resident's ballot does not count")
		}
		// a forgery shown at the heartbeat: the central already holds that number
		other := r.kiosk("")
		other.vote(t, r.ed, 300)
		other.a.SyncOnce(ctx)
		if code := heartbeat(t, r, other, 1, made); code != http.StatusOK {
			t.Fatalf("heartbeat: %d", code)
		}
		if k, _ := r.st.Kiosk(ctx, other.q.KioskID()); k.SetAside.IsZero() {
			t.Fatal("a heartbeat naming another head than the stored ballot is not flagged")
		}
		// the office looked and released it: the same heartbeat again does not set it aside
		r.st.SetAside(ctx, other.q.KioskID(), false, time.Now())
		heartbeat(t, r, other, 1, made)
		if k, _ := r.st.Kiosk(ctx, other.q.KioskID()); !k.SetAside.IsZero() {
			t.Fatal("a released kiosk set aside again by a repeat of the same forgery")
		}
	})
}

// Known gap 3: ballots dated into the future (inside the voting window)
// hid a burst from the pace flags, which read only cast times. A ballot
// is now read at its arrival when it is dated later, and such ballots are
// flagged.
func TestPaceReadsArrival(t *testing.T) {
	r := newRig(t, bolt(t))
	var n atomic.Int64
	// cast times ten minutes apart, from an hour ahead: a human pace on paper
	thief := r.kioskWith(queue.Options{Clock: func() time.Time {
		return time.Now().Add(time.Hour + time.Duration(n.Add(1))*10*time.Minute)
	}})
	var bs []wire.SealedBallot
	for i := range 8 {
		bs = append(bs, thief.vote(t, r.ed, 400+i))
	}
	for _, res := range send(t, r, thief, bs...) {
		if !res.Status.Stored() {
			t.Fatalf("not stored: %+v", res)
		}
	}
	keys := findingKeys(t, r, thief)
	if !slices.Contains(keys, "dash.alert.pace") || !slices.Contains(keys, "dash.alert.future") {
		t.Fatalf("a future-dated burst of 8 ballots: findings %v", keys)
	}
	p := central.PaceOfBallots([]store.BallotTime{{CastAt: time.Unix(100, 0), Received: time.Unix(200, 0)}}, nil, time.UTC)
	if p.Future != 0 || p.MaxPerMinute != 1 {
		t.Fatalf("an honest late ballot: %+v", p)
	}
}

// Known gap 4: a kiosk's batches answered "duplicate" for each voter who
// had voted, beyond the voter-lookup budget. Every answer about a voter
// now takes a token of that budget; beyond it the answer is "stored" for
// all alike, so who voted cannot be read from it.
func TestBatchAnswersWithinLookupBudget(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	honest := r.kiosk("")
	for i := range 40 {
		honest.vote(t, r.ed, 500+i)
	}
	if n, err := honest.a.SyncOnce(ctx); err != nil || n != 40 {
		t.Fatalf("honest sync %d %v", n, err)
	}
	thief := r.kiosk("")
	var bs []wire.SealedBallot
	for i := range 100 { // 40 who voted, 60 who did not
		bs = append(bs, thief.vote(t, r.ed, 500+i))
	}
	revealing, withheld := 0, 0
	for i := 0; i < len(bs); i += 25 {
		for _, res := range send(t, r, thief, bs[i:i+25]...) {
			switch res.Status {
			case wire.Accepted, wire.Duplicate:
				revealing++
			case wire.Withheld:
				withheld++
			default:
				t.Fatalf("answer %+v", res)
			}
		}
	}
	if revealing > 30 || revealing+withheld != 100 {
		t.Fatalf("%d answers told who voted, %d withheld: want at most the budget's 30", revealing, withheld)
	}
	if total, _, _ := r.st.Counts(ctx); total != 140 {
		t.Fatalf("%d stored", total)
	}
	// the kiosk marks withheld ballots done, as any stored one
	if !wire.Withheld.Stored() {
		t.Fatal("a withheld answer is not a stored one")
	}
}

// Known gap 5: chain gaps or an absurd committed number kept the results
// unverified for good, also after the office revoked the kiosk, set it
// aside or signed its point off, and the message said the recount
// disagreed. Now each problem says what failed, and a settled kiosk's
// incomplete chain is that kiosk's finding.
func TestAuditSettledKioskIsAFinding(t *testing.T) {
	both(t, func(t *testing.T, st store.Store) {
		r := newRig(t, st)
		ctx := context.Background()
		honest := r.kiosk("")
		honest.vote(t, r.ed, 600)
		honest.a.SyncOnce(ctx)
		gappy := r.kiosk("")
		g := []wire.SealedBallot{gappy.vote(t, r.ed, 601), gappy.vote(t, r.ed, 602), gappy.vote(t, r.ed, 603)}
		send(t, r, gappy, g[0], g[2]) // number 2 never arrives
		tail := r.kiosk("")
		tail.vote(t, r.ed, 604)
		tail.a.SyncOnce(ctx)
		if code := heartbeat(t, r, tail, 90, strings.Repeat("ef", 32)); code != http.StatusOK {
			t.Fatalf("heartbeat %d", code)
		}
		a, err := central.RunAudit(ctx, r.st, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if a.Agrees || !hasProblem(a, "audit.problem.gaps") || !hasProblem(a, "audit.problem.tail") || hasProblem(a, "audit.problem.differences") || a.Verdict != "audit.incomplete" {
			t.Fatalf("open chains: %v, verdict %s", a.Problems, a.Verdict)
		}
		var text bytes.Buffer
		central.WriteAudit(&text, a, "text", "en")
		if strings.Contains(text.String(), "does not agree") {
			t.Fatalf("a chain gap reported as a disagreeing recount:\n%s", text.String())
		}
		// the office revokes one and sets the other aside
		r.st.RevokeKiosk(ctx, gappy.q.KioskID(), time.Now())
		r.st.SetAside(ctx, tail.q.KioskID(), true, time.Now())
		a, err = central.RunAudit(ctx, r.st, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !a.Agrees || a.Verdict != "audit.agrees" || !slices.Contains(a.Findings, gappy.q.KioskID()) || !slices.Contains(a.Findings, tail.q.KioskID()) {
			t.Fatalf("settled kiosks: agrees %v, problems %v, findings %v", a.Agrees, a.Problems, a.Findings)
		}
		text.Reset()
		central.WriteAudit(&text, a, "text", "pl")
		if !strings.Contains(text.String(), "Kiosk "+gappy.q.KioskID()+": jego łańcuch jest niepełny") {
			t.Fatalf("the finding is not in the report:\n%s", text.String())
		}
	})
}

// Known gap 6: closing reports with negative or absurd numbers, or a
// closing time in the future or outside the edition's window, were kept.
// They are refused, each with its reason.
func TestClosingReportValuesRefused(t *testing.T) {
	r := newRig(t, bolt(t))
	ctx := context.Background()
	k := r.kiosk("")
	for i := range 3 {
		k.vote(t, r.ed, 700+i)
	}
	seq, head := k.q.Head()
	kiosk, _ := r.st.Kiosk(ctx, k.q.KioskID())
	now := time.Now()
	good := wire.ClosingReport{ClosingReport: election.ClosingReport{Ballots: 3, LastSeq: seq, Head: head}, Edition: r.ed.ID, ClosedAt: now, Today: 3}
	bad := map[string]func(*wire.ClosingReport){
		"negative ballots": func(c *wire.ClosingReport) { c.Ballots = -5 },
		"negative today":   func(c *wire.ClosingReport) { c.Today = -1 },
		"today above all":  func(c *wire.ClosingReport) { c.Today = 9 },
		"absurd last seq":  func(c *wire.ClosingReport) { c.LastSeq, c.Ballots = 1_000_000, 1_000_000 },
		"in the future":    func(c *wire.ClosingReport) { c.ClosedAt = now.Add(48 * time.Hour) },
		"before the window": func(c *wire.ClosingReport) {
			c.ClosedAt = r.ed.Opens.Add(-24 * time.Hour)
		},
	}
	for name, change := range bad {
		c := good
		change(&c)
		if err := k.q.KeepClosing(&c); err != nil {
			t.Fatal(err)
		}
		if err := r.srv.AcceptClosing(ctx, kiosk, c); !errors.Is(err, central.ErrReportValues) || len(err.Error()) < 30 {
			t.Errorf("%s: %v, want refused with its reason", name, err)
		}
	}
	c := good
	c.ClosedAt = now.Add(30 * 24 * time.Hour)
	k.q.KeepClosing(&c)
	body, _ := json.Marshal(c)
	if resp, raw := post(t, r.http.URL, wire.PathClosing, k.q.KioskID(), k.q.Sign, body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), "future") {
		t.Errorf("a far-future report online: %s %s", resp.Status, raw)
	}
	if cs, _ := r.st.Closings(ctx); len(cs) != 0 {
		t.Fatalf("kept %d refused reports", len(cs))
	}
	k.q.KeepClosing(&good)
	if err := r.srv.AcceptClosing(ctx, kiosk, good); err != nil {
		t.Fatalf("a sound report: %v", err)
	}
}

// A second ballot under a number the central holds is refused as
// seq-taken, and the fleet page counts such refusals on the kiosk's row.
func TestSeqTakenShownOnFleet(t *testing.T) {
	r := newRig(t, bolt(t))
	k := r.kiosk("")
	first := k.vote(t, r.ed, 800)
	send(t, r, k, first)
	again := first
	again.VoterKey = election.VoterKey{8, 0, 0}
	if got := send(t, r, k, sealAs(k, again)); got[0].Status != wire.SeqTaken {
		t.Fatalf("a second ballot under number 1: %+v", got[0])
	}
	if !slices.Contains(findingKeys(t, r, k), "dash.alert.seq_taken") || r.srv.SeqTaken(k.q.KioskID()) != 1 {
		t.Fatalf("findings %v, count %d", findingKeys(t, r, k), r.srv.SeqTaken(k.q.KioskID()))
	}
}

// Attack 13.1: a stolen kiosk sent ballots for 40 people (30 answered, 10
// "stored"), then read who had voted from the public check page on its
// own trackers ("an earlier vote of the same person counts"). A withheld
// answer is now kept in the store, and the check says only "received"
// until the voting window has closed.
func TestWithheldAnswerNotToldByCheck(t *testing.T) {
	both(t, func(t *testing.T, st store.Store) {
		r := newRig(t, st)
		ctx := context.Background()
		honest := r.kiosk("")
		for i := range 20 {
			honest.vote(t, r.ed, 700+i)
		}
		if n, err := honest.a.SyncOnce(ctx); err != nil || n != 20 {
			t.Fatalf("honest sync %d %v", n, err)
		}
		thief := r.kiosk("")
		var bs []wire.SealedBallot
		// the last 10, beyond the budget: 5 who had voted, 5 who had not
		for _, from := range [][2]int{{720, 735}, {700, 715}, {735, 740}, {715, 720}} {
			for i := from[0]; i < from[1]; i++ {
				bs = append(bs, thief.vote(t, r.ed, i))
			}
		}
		tracker := map[string]string{}
		for _, b := range bs {
			tracker[b.ID] = b.Tracker()
		}
		web := central.NewWeb(r.srv, central.WebConfig{CheckFloor: time.Nanosecond})
		closed := central.NewWeb(central.New(central.Config{Store: st, Clock: func() time.Time { return r.ed.Closes.Add(time.Hour) }}),
			central.WebConfig{CheckFloor: time.Nanosecond})
		withheld, toldAfter := 0, 0
		for _, res := range send(t, r, thief, bs...) {
			if res.Status != wire.Withheld {
				continue
			}
			withheld++
			a, _ := web.Check(ctx, tracker[res.ID])
			if !a.Received || a.Counted || a.Duplicate || a.Contested {
				t.Fatalf("the check tells of a withheld ballot while voting runs: %+v", a)
			}
			if a, _ := closed.Check(ctx, tracker[res.ID]); a.Counted || a.Duplicate {
				toldAfter++
			}
			if got, err := st.Ballot(ctx, res.ID); err != nil || !got.Withheld {
				t.Fatalf("the store lost the withheld mark: %+v %v", got, err)
			}
		}
		if withheld != 10 || toldAfter != 10 {
			t.Fatalf("%d withheld, %d told after the close: want 10 and 10", withheld, toldAfter)
		}
		// the page a resident reads says it arrived, nothing more
		rw := httptest.NewRecorder()
		web.Handler().ServeHTTP(rw, httptest.NewRequest("GET", "/check?lang=en&tracker="+tracker[bs[39].ID], nil))
		msgs, _ := assets.LoadMessages()
		if body := rw.Body.String(); !strings.Contains(body, html.EscapeString(msgs.T("en", "check.arrived"))) {
			t.Fatalf("check page of a withheld ballot:\n%s", body)
		}
		if err := st.MarkWithheld(ctx, []string{"not-a-ballot"}); err != nil {
			t.Fatal(err)
		}
	})
}

// Attacks 13.2 and 13.5: a stolen kiosk signed a heartbeat committing its
// head 19 at time T, then sent ballot 20 dated before T: the chain proves
// it was made after T, yet it counted. It is now held as backdated, with
// an alert on the fleet page.
func TestBallotBeforeOwnCommitmentHeld(t *testing.T) {
	both(t, func(t *testing.T, st store.Store) {
		r := newRig(t, st)
		var offset atomic.Int64
		offset.Store(int64(-5 * time.Minute))
		thief := r.kioskWith(queue.Options{Clock: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
		var bs []wire.SealedBallot
		for i := range 19 {
			bs = append(bs, thief.vote(t, r.ed, 800+i))
		}
		for _, res := range send(t, r, thief, bs...) {
			if res.Status != wire.Accepted {
				t.Fatalf("ballot %d: %+v", res.Seq, res)
			}
		}
		if code := heartbeat(t, r, thief, 19, bs[18].ID); code != http.StatusOK {
			t.Fatalf("heartbeat %d", code)
		}
		offset.Store(int64(-2 * time.Minute)) // after its predecessor, before its own commitment
		back := thief.vote(t, r.ed, 819)
		res := send(t, r, thief, back)[0]
		if res.Status != wire.Contested || res.Reason != string(store.HoldBackdated) {
			t.Fatalf("ballot 20 dated before the commitment to head 19: %+v", res)
		}
		if !slices.Contains(findingKeys(t, r, thief), "dash.alert.backdated") {
			t.Fatalf("no backdated alert: %v", findingKeys(t, r, thief))
		}
		offset.Store(0) // the next one, dated after the commitment, counts
		if res := send(t, r, thief, thief.vote(t, r.ed, 820))[0]; res.Status != wire.Accepted {
			t.Fatalf("ballot 21 dated after the commitment: %+v", res)
		}
	})
}

// Attack 13.3: a ballot dated a day ahead counted, and became its kiosk's
// time frontier: every honest ballot after it was held as backdated. It is
// now held itself, and the next ones count.
func TestFutureDatedBallotHeld(t *testing.T) {
	both(t, func(t *testing.T, st store.Store) {
		r := newRig(t, st)
		var offset atomic.Int64
		k := r.kioskWith(queue.Options{Clock: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
		if res := send(t, r, k, k.vote(t, r.ed, 850))[0]; res.Status != wire.Accepted {
			t.Fatalf("first ballot: %+v", res)
		}
		offset.Store(int64(24 * time.Hour))
		if res := send(t, r, k, k.vote(t, r.ed, 851))[0]; res.Status != wire.Contested || res.Reason != string(store.HoldFuture) {
			t.Fatalf("a ballot dated a day ahead: %+v", res)
		}
		offset.Store(0)
		for i := range 2 {
			if res := send(t, r, k, k.vote(t, r.ed, 852+i))[0]; res.Status != wire.Accepted {
				t.Fatalf("an honest ballot after the future-dated one: %+v", res)
			}
		}
		offset.Store(int64(3 * time.Minute)) // a clock ahead within the skew still counts
		if res := send(t, r, k, k.vote(t, r.ed, 854))[0]; res.Status != wire.Accepted {
			t.Fatalf("a ballot dated 3 minutes ahead: %+v", res)
		}
	})
}

// Attack 13.4: a stolen kiosk pre-cast ballots, committed its head and
// withheld them; each resident who then voted elsewhere was silently
// taken over when they arrived. The rule stays (a valid commitment proves
// the time), but each displacement is counted on the fleet page, and
// beyond DisplaceLimit the kiosk is set aside, so the residents count again.
func TestDisplacementsFlaggedAndSetAside(t *testing.T) {
	both(t, func(t *testing.T, st store.Store) {
		r := newRig(t, st)
		ctx := context.Background()
		thief, honest := r.kiosk(""), r.kiosk("")
		// pre-cast, commit, let the residents vote elsewhere, then send
		takeOver := func(from, n int) []wire.Result {
			var pre []wire.SealedBallot
			for i := range n {
				pre = append(pre, thief.vote(t, r.ed, from+i))
			}
			if code := heartbeat(t, r, thief, pre[n-1].Seq, pre[n-1].ID); code != http.StatusOK {
				t.Fatalf("heartbeat %d", code)
			}
			for i := range n {
				honest.vote(t, r.ed, from+i)
			}
			if got, err := honest.a.SyncOnce(ctx); err != nil || got != n {
				t.Fatalf("honest sync %d %v", got, err)
			}
			return send(t, r, thief, pre...)
		}
		if res := takeOver(900, 1)[0]; res.Status != wire.Accepted {
			t.Fatalf("a committed ballot dated earlier: %+v", res)
		}
		if keys := findingKeys(t, r, thief); !slices.Contains(keys, "dash.alert.displaced") {
			t.Fatalf("one displacement, no alert: %v", keys)
		}
		if k, _ := st.Kiosk(ctx, thief.q.KioskID()); !k.SetAside.IsZero() {
			t.Fatal("set aside after one displacement")
		}
		takeOver(901, central.DisplaceLimit)
		if n := r.srv.Displaced(thief.q.KioskID()); n != central.DisplaceLimit+1 {
			t.Fatalf("%d displacements counted, want %d", n, central.DisplaceLimit+1)
		}
		if k, _ := st.Kiosk(ctx, thief.q.KioskID()); k.SetAside.IsZero() {
			t.Fatalf("%d displacements, limit %d: the kiosk is not set aside", central.DisplaceLimit+1, central.DisplaceLimit)
		}
		if _, counted, _ := st.Counts(ctx); counted != central.DisplaceLimit+1 {
			t.Fatalf("%d voters count, want the %d residents", counted, central.DisplaceLimit+1)
		}
		var thiefCounts int
		st.Ballots(ctx, func(b store.Stored) error {
			if b.Counted && b.Ballot.Kiosk == thief.q.KioskID() {
				thiefCounts++
			}
			return nil
		})
		if thiefCounts != 0 {
			t.Fatalf("%d ballots of the set-aside kiosk still count", thiefCounts)
		}
	})
}

// Attack 13.5: under staff activation a stolen kiosk cast for 19 made-up
// residents in one request, dated 30 s apart from just before its
// enrollment (within the clock skew, so not held): no pace flag. Nothing
// is cast before its kiosk exists, so those ballots are read at the
// enrollment, and the pace is flagged.
func TestPaceReadsEnrollment(t *testing.T) {
	r := newRig(t, bolt(t))
	var n atomic.Int64
	start := time.Now().Add(-9*time.Minute - 50*time.Second)
	thief := r.kioskWith(queue.Options{Clock: func() time.Time { return start.Add(time.Duration(n.Add(1)-1) * 30 * time.Second) }})
	var bs []wire.SealedBallot
	for i := range 19 {
		bs = append(bs, thief.vote(t, r.ed, 950+i))
	}
	for _, res := range send(t, r, thief, bs...) {
		if !res.Status.Stored() {
			t.Fatalf("not stored: %+v", res)
		}
	}
	if keys := findingKeys(t, r, thief); !slices.Contains(keys, "dash.alert.pace") {
		t.Fatalf("19 ballots dated 30 s apart before the enrollment, sent at once: findings %v", keys)
	}
}
