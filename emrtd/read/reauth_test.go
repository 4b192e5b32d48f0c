package read

import (
	"context"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
)

// swapCard passes commands to one chip until its nth protected READ
// BINARY, which it answers 6988 (the chip dropped secure messaging); from
// then on another chip answers: the genuine one again, or a clone swapped
// in (or relayed) while the reader opens the card again.
type swapCard struct {
	chip, next *sim.Chip
	n, reads   int
}

func (c *swapCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	if c.reads < c.n && cmd[0] == 0x0C && cmd[1] == 0xB0 {
		if c.reads++; c.reads == c.n {
			c.chip = c.next
			return []byte{0x69, 0x88}, nil
		}
	}
	return c.chip.Respond(cmd), nil
}

// A chip opened again after it dropped its session proves its chip
// authentication key again (Chip Authentication v1 anew, or PACE-CAM's
// new mapping data against the key that passed), so the files read after
// come from the chip that proved it: a clone swapped in at that moment
// fails chip authentication, and the verdict is not PASS.
func TestChipAuthRepeatedAfterReopen(t *testing.T) {
	for _, tc := range []struct {
		profile string
		swap    bool
	}{
		{"cccd", false}, {"cccd", true},
		{"passport-3des", false}, {"passport-3des", true},
		{"passport-cam", false}, {"passport-cam", true},
	} {
		name := tc.profile + "/genuine"
		if tc.swap {
			name = tc.profile + "/clone-swapped-in"
		}
		t.Run(name, func(t *testing.T) {
			limits := sim.Limits{NoExtended: true}
			chip, err := sim.New(tc.profile, sim.Options{Seed: 40, Limits: limits})
			if err != nil {
				t.Fatal(err)
			}
			next := chip
			if tc.swap {
				if next, err = sim.New(tc.profile, sim.Options{Seed: 40, Limits: limits, Tamper: issue.CAClone}); err != nil {
					t.Fatal(err)
				}
			}
			card := &swapCard{chip: chip, next: next, n: 20}
			res, err := Read(context.Background(), card, fullOptions(t, deskKey(t, chip)))
			if err != nil {
				t.Fatal(err)
			}
			if res.Stats.Link.Reauth != 1 || card.reads != 20 {
				t.Fatalf("the session was not lost once after chip authentication: reads %d, link %+v", card.reads, res.Stats.Link)
			}
			ca := res.ChipAuth
			got := status(res.Checks, check.ChipAuth)
			if !tc.swap {
				if got != check.Pass || ca.Repeated != 1 || res.Verdict != check.Pass {
					t.Errorf("genuine chip: chip authentication %s (repeated %d: %s), verdict %s", got, ca.Repeated, ca.Error, res.Verdict)
				}
				return
			}
			if got != check.Fail || ca.Repeated != 0 || res.Verdict != check.Fail {
				t.Errorf("clone swapped in: chip authentication %s (repeated %d), verdict %s", got, ca.Repeated, res.Verdict)
			}
		})
	}
}
