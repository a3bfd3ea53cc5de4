package wire

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestTimelineSigned(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	signed := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	tl := Timeline{Edition: []byte(`{"id":"krakow-2026","phases":[]}`), Signed: signed}
	tl.Sign(priv)
	raw, _ := json.Marshal(tl)
	var back Timeline
	if err := json.Unmarshal(raw, &back); err != nil || back.Verify(pub, time.Time{}) != nil {
		t.Fatalf("round trip: %v %v", err, back.Verify(pub, time.Time{}))
	}
	for name, edit := range map[string]func(*Timeline){
		"edition": func(t *Timeline) { t.Edition = []byte(`{"id":"krakow-2026","phases":[{}]}`) },
		"signed":  func(t *Timeline) { t.Signed = t.Signed.Add(time.Hour) },
	} {
		c := back
		edit(&c)
		if !errors.Is(c.Verify(pub, time.Time{}), ErrTimelineSignature) {
			t.Errorf("a timeline with its %s changed verifies", name)
		}
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if back.Verify(other, time.Time{}) == nil {
		t.Error("verifies with another key")
	}
	if err := back.Verify(pub, signed.Add(time.Second)); !errors.Is(err, ErrTimelineRollback) {
		t.Errorf("an older timeline than the one installed: %v", err)
	}
	if err := back.Verify(pub, signed); err != nil {
		t.Errorf("the same timeline again: %v", err)
	}
}
