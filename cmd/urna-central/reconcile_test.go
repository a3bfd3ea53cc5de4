package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/wire"
)

// TestSignOffAndSignedResults: the coordinator signs a point off with a
// reason from the command line; the results are signed with the edition
// key, and verify-results accepts them with the printed fingerprint and
// refuses another key's fingerprint and a changed file (main had none of
// these commands).
func TestSignOffAndSignedResults(t *testing.T) {
	data := t.TempDir()
	if err := central.Init(data); err != nil {
		t.Fatal(err)
	}
	path, _, _ := openDataStore(t)
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	st.AddKiosk(context.Background(), store.Kiosk{ID: "k-00", Venue: "v1", PublicKey: make([]byte, 32), Enrolled: time.Now()})
	st.Close()
	db := []string{"--data", data, "--db", "bolt:" + path}

	if _, err := capture(t, func() error { return cmdSignOff(append([]string{"k-00"}, db...)) }); err == nil || err.Error() != "Podaj powód zatwierdzenia punktu." {
		t.Fatalf("sign-off without a reason: %v", err)
	}
	if _, err := capture(t, func() error { return cmdSignOff(append([]string{"k-99", "--reason", "x"}, db...)) }); err == nil || err.Error() != "Nie ma takiego kiosku." {
		t.Fatalf("sign-off of an unknown kiosk: %v", err)
	}
	out, err := capture(t, func() error {
		return cmdSignOff(append([]string{"k-00", "--reason", "kiosk skradziony, zgłoszenie na policji", "--by", "anna"}, db...))
	})
	if err != nil || !strings.Contains(out, "Punkt k-00 zatwierdzony. Powód: kiosk skradziony") {
		t.Fatalf("sign-off: %q %v", out, err)
	}

	file := filepath.Join(t.TempDir(), "results.signed.json")
	if _, err := capture(t, func() error { return cmdResults(append([]string{"--sign", "--out", file}, db...)) }); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	var f wire.ResultsFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	keys, _ := central.LoadKeys(data)
	fp := wire.KeyFingerprint(keys.Edition.Public().(ed25519.PublicKey))
	// the test's ballots are not signed by enrolled kiosks: the recount
	// from signed ballots disagrees, and the document says so
	if f.State != "unverified" || f.Edition != "krk-2025" || !strings.Contains(string(f.Results), `"pools"`) {
		t.Fatalf("signed results: state %q edition %q", f.State, f.Edition)
	}
	for _, given := range []string{fp, strings.ToUpper(strings.ReplaceAll(fp, " ", ""))} {
		out, err := capture(t, func() error { return cmdVerifyResults([]string{file, "--key-fingerprint", given}) })
		if err != nil || !strings.Contains(out, "Wyniki są podpisane kluczem edycji o odcisku "+fp) || !strings.Contains(out, "niezweryfikowane") {
			t.Fatalf("verify with %q: %q %v", given, out, err)
		}
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if _, err := capture(t, func() error {
		return cmdVerifyResults([]string{file, "--key-fingerprint", wire.KeyFingerprint(other), "--lang", "en"})
	}); err == nil || !strings.HasPrefix(err.Error(), "These results are not signed with the key of this fingerprint.") {
		t.Fatalf("another key's fingerprint: %v", err)
	}
	// a file signed by another key that carries that key is refused too
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	forged := f
	forged.EditionKey = otherPriv.Public().(ed25519.PublicKey)
	forged.Sign(otherPriv)
	forgedFile := filepath.Join(t.TempDir(), "forged.json")
	b, _ := json.Marshal(forged)
	os.WriteFile(forgedFile, b, 0o644)
	if _, err := capture(t, func() error { return cmdVerifyResults([]string{forgedFile, "--key-fingerprint", fp}) }); err == nil {
		t.Fatal("results signed by another key verified")
	}
	// one changed project score
	changed := f
	changed.Results = []byte(strings.Replace(string(f.Results), `"score": `, `"score": 1`, 1))
	changedFile := filepath.Join(t.TempDir(), "changed.json")
	b, _ = json.Marshal(changed)
	os.WriteFile(changedFile, b, 0o644)
	if _, err := capture(t, func() error { return cmdVerifyResults([]string{changedFile, "--key-fingerprint", fp, "--lang", "uk"}) }); err == nil ||
		err.Error() != "Підпис результатів не збігається: файл змінено після підписання." {
		t.Fatalf("a changed file: %v", err)
	}
}
