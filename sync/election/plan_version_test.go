package election

import "testing"

// TestPlanFromNewerPlanner: a well-formed code of a later format version is
// named as such (the kiosk says a newer planner made it), not as a typo.
func TestPlanFromNewerPlanner(t *testing.T) {
	e := testEdition()
	var w bitWriter
	w.put(planVersion+1, 3)
	w.put(0, 4)
	w.put(planTag(0, 'e', e.ID, 12), 12)
	w.put(planTag(0, 'd', "d1", 12), 12)
	w.put(0, 2)
	w.put(planCheck(w.bits), 15)
	if _, _, err := DecodePlan(e, w.base32()); planKey(err) != KeyPlanVersion {
		t.Fatalf("a newer planner's code: %v", err)
	}
}
