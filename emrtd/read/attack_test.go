package read

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
)

// TestAttacks reads every profile (chip and document profiles) under every
// attack that fits it, as a
// desk does (every data group, the photo) with the keys a desk may have
// (the card's CAN or the passport's MRZ, and the MRZ), and asserts that
// the verdict is never PASS and that the checks the attack names catch
// it (sim's Attack.Caught). Only the attacks of unreadable end with an
// error, theirs.
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
				opts := fullOptions(t, deskKey(t, chip), mrzKey(t, chip))
				var s shown
				s.watch(&opts)
				res, err := Read(context.Background(), conn, opts)
				if want := unreadable[name]; want != nil || err != nil {
					if want == nil || !errors.Is(err, want) {
						t.Fatalf("read: %v, want %v", err, want)
					}
					return
				}
				if res.Verdict == check.Pass {
					t.Errorf("verdict PASS: %+v", res.Checks)
				}
				assertShownIsHashed(t, res, s)
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

// unreadable are the attacks whose read must end with an error, and the
// error: a chip that does not know the password sends a wrong PACE token,
// which ends the read (no next key, no BAC: each would hand the fake chip
// more to guess against).
var unreadable = map[string]error{"pace-token-bad": access.ErrTokenInvalid}
