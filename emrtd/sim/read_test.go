package sim

import (
	"context"
	"errors"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc"
)

// readChip reads a chip with emrtd/read's pipeline, every data group,
// the portrait and every check, the way the agent does: the CAN on
// cards, the MRZ on passports.
func readChip(t testing.TB, c *Chip, through nfc.Card, keys ...access.Key) (*read.Result, error) {
	t.Helper()
	if keys == nil {
		keys = []access.Key{paceKey(t, c)}
	}
	return read.Read(context.Background(), through, read.Options{
		Keys: keys, DataGroups: []int{11, 12, 13, 14, 15}, Photo: true,
		Verify: true, Trust: testTrust(t), AllowTestAnchors: true,
	})
}

// TestReadPipelineOnEveryProfile: emrtd/read opens every profile with the
// right mechanism, runs chip and active authentication as the chip offers
// them, and every check passes.
func TestReadPipelineOnEveryProfile(t *testing.T) {
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			c := newChip(t, name, Options{Seed: 35})
			res, err := readChip(t, c, card{c})
			if err != nil {
				t.Fatal(err)
			}
			checkReadResult(t, c, res)
		})
	}
}

func checkReadResult(t *testing.T, c *Chip, res *read.Result) {
	t.Helper()
	w, p := want[c.Profile().Name], c.Profile()
	if res.AccessControl != w.mechanism || res.Access.Fallback {
		t.Errorf("opened with %s (fallback %v: %s)", res.AccessControl, res.Access.Fallback, res.Access.FallbackReason)
	}
	switch {
	case p.Security.CA == nil && res.ChipAuth != nil:
		t.Errorf("chip authentication ran on a chip without it: %+v", res.ChipAuth)
	case p.Security.CA != nil && (res.ChipAuth == nil || res.ChipAuth.Status != check.Pass):
		t.Errorf("chip authentication: %+v", res.ChipAuth)
	}
	switch {
	case p.Security.AA == nil && res.ActiveAuth != nil:
		t.Errorf("active authentication ran on a chip without it: %+v", res.ActiveAuth)
	case p.Security.AA != nil && (res.ActiveAuth == nil || res.ActiveAuth.Status != check.Pass):
		t.Errorf("active authentication: %+v", res.ActiveAuth)
	}
	if res.Verdict != check.Pass {
		for _, ch := range res.Checks {
			if ch.Status != check.Pass {
				t.Errorf("check %s: %s %s", ch.Name, ch.Status, ch.Reason)
			}
		}
	}
	if res.Portrait == nil {
		t.Error("no portrait")
	}
}

// TestReadPipelineClones: a clone's chip or active authentication fails in
// the pipeline's result.
func TestReadPipelineClones(t *testing.T) {
	for _, name := range Profiles() {
		p, _ := LookupProfile(name)
		if p.Security.CA != nil {
			t.Run(name+"/ca-clone", func(t *testing.T) {
				c := newChip(t, name, Options{Seed: 36, Tamper: issue.CAClone})
				res, err := readChip(t, c, card{c})
				if res == nil || res.ChipAuth == nil || res.ChipAuth.Status != check.Fail {
					t.Fatalf("chip authentication of a clone: %v, %+v", err, res)
				}
				if res.Verdict == check.Pass {
					t.Error("a CA clone passes")
				}
			})
		}
		if p.Security.AA != nil {
			t.Run(name+"/aa-clone", func(t *testing.T) {
				c := newChip(t, name, Options{Seed: 36, Tamper: issue.AAClone})
				res, err := readChip(t, c, card{c})
				if err != nil || res.ActiveAuth == nil || res.ActiveAuth.Status != check.Fail || res.Verdict == check.Pass {
					t.Fatalf("active authentication of a clone: %v, %+v", err, res.ActiveAuth)
				}
			})
		}
	}
}

// TestReadPipelineAccess: a wrong key is denied without a retry storm; the
// Căn cước card opens with its MRZ through PACE and never with BAC.
func TestReadPipelineAccess(t *testing.T) {
	other := newChip(t, "cccd", Options{Seed: 98})
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			c := newChip(t, name, Options{Seed: 37})
			cnt := &counter{Card: card{c}}
			_, err := readChip(t, c, cnt, mrzKey(t, other))
			if !errors.Is(err, access.ErrDenied) {
				t.Fatalf("wrong MRZ: %v", err)
			}
			// EF.CardAccess, PACE (5), SELECT and BAC (2) at most.
			if cnt.n > 9 {
				t.Errorf("a wrong key took %d exchanges", cnt.n)
			}
		})
	}
	c := newChip(t, "cccd2024", Options{Seed: 38})
	res, err := readChip(t, c, card{c}, mrzKey(t, c))
	if err != nil || res.AccessControl != read.MechanismPACEGM || res.Access.Password != "MRZ" {
		t.Fatalf("cccd2024 with its MRZ: %v", err)
	}
}
