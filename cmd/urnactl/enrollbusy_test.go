package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

// A central refusing enrollments for now (429) is told to the technician
// as a translated sentence with the wait its Retry-After names, not as the
// central's English JSON.
func TestEnrollBusySaysWait(t *testing.T) {
	ctx := context.Background()
	cdir := t.TempDir()
	central.Init(cdir)
	keys, _ := central.LoadKeys(cdir)
	st, err := store.OpenBolt(filepath.Join(cdir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ed := assets.MustDemoEdition()
	ed.MoveWindow(time.Now())
	var eb bytes.Buffer
	election.EncodeEdition(&eb, ed)
	if _, err := central.Publish(ctx, st, keys, eb.Bytes()); err != nil {
		t.Fatal(err)
	}
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		EnrollRule: limit.Rule{Rate: 1.0 / 30, Burst: 1}})
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	code, _ := central.NewEnrollCode(ctx, st, "nck", time.Hour, time.Now())
	cmdEnroll([]string{"--server", h.URL, "--code", "wrong-code", "--data", t.TempDir()}) // takes the one token
	err = cmdEnroll([]string{"--server", h.URL, "--code", code, "--data", t.TempDir()})
	if err == nil {
		t.Fatal("enrolled past the limit")
	}
	for lang, want := range map[string]string{"pl": "odczekaj 30 s", "en": "wait 30 s", "uk": "зачекайте 30 с"} {
		if got := sentence(lang, err); !strings.Contains(got, want) {
			t.Errorf("%s: %q does not say %q", lang, got, want)
		}
	}
}
