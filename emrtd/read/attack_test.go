package read

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
)

// TestAttacks reads every profile (chip and document profiles) under every
// attack that fits it, as a
// desk does (every data group, the photo) with the keys a desk may have
// (the card's CAN or the passport's MRZ, and the MRZ), and asserts that
// the verdict is never PASS and that the checks the attack names catch
// it (sim's Attack.Caught). A read that ends with an error is not PASS
// either, but only the attacks that make the chip unreadable may end so.
func TestAttacks(t *testing.T) {
	for _, name := range sim.Attacks() {
		a, err := sim.LookupAttack(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, profile := range slices.Concat(sim.Profiles(), sim.Documents()) {
			p, _ := sim.LookupProfile(profile)
			if err := a.Fits(p); err != nil {
				if !errors.Is(err, sim.ErrAttackNotApplicable) {
					t.Errorf("%s on %s: %v", name, profile, err)
				}
				continue
			}
			t.Run(name+"/"+profile, func(t *testing.T) {
				t.Parallel()
				chip, _, conn := insert(t, profile, sim.Options{Seed: 3, Attack: name})
				res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip), mrzKey(t, chip)))
				if err != nil {
					if !unreadable[name] {
						t.Fatalf("read failed: %v", err)
					}
					return
				}
				if res.Verdict == check.Pass {
					t.Errorf("verdict PASS: %+v", res.Checks)
				}
				for _, want := range a.Caught(p) {
					got, _ := res.Checks.Get(want.Check)
					if got.Status != want.Status {
						t.Errorf("%s is %s (%s: %s), want %s", want.Check, got.Status, got.Reason, got.Message, want.Status)
					}
				}
			})
		}
	}
}

// unreadable are the attacks whose chip may not open: a chip that does
// not know the password cannot finish PACE.
var unreadable = map[string]bool{"pace-token-bad": true}
