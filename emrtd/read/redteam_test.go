package read

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/verify"
)

// shown is what a read hands on besides its result: the early identity
// and the portrait.
type shown struct {
	early *Result
	photo []byte
}

// watch sets the callbacks of o to record what the read shows.
func (s *shown) watch(o *Options) {
	o.OnIdentity = func(r *Result) { s.early = r }
	o.OnPhoto = func(p Photo) { s.photo = p.DG2 }
}

// assertShownIsHashed asserts that a read shows only the bytes its
// evidence carries, which emrtd/verify hashed: the identity fields, early
// and final, are those of the data groups in the evidence, parsed again
// (whatever the chip answered between two reads of a file, or around
// them); the portrait is passed on only when its hash passed, and is the
// evidence's DG2.
func assertShownIsHashed(t *testing.T, res *Result, s shown) {
	t.Helper()
	for name, r := range map[string]*Result{"final": res, "early": s.early} {
		if r == nil {
			continue
		}
		if got, want := fieldsOf(r), fieldsOfEvidence(r); !reflect.DeepEqual(got, want) {
			t.Errorf("%s identity: fields %v are not those of the bytes hashed %v", name, keys(got), keys(want))
		}
	}
	if s.photo == nil {
		return
	}
	if c, _ := res.Checks.Get(check.DGHash(2)); c.Status != check.Pass {
		t.Errorf("the portrait was passed on, but dg.hash.DG2 is %s", c.Status)
	}
	if !bytes.Equal(s.photo, res.Evidence().DataGroups[2]) {
		t.Error("the portrait passed on is not the DG2 of the evidence")
	}
}

var fieldsNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func fieldsOf(r *Result) identity.Fields {
	return identity.Of(identity.Groups{DG1: r.DG1, DG11: r.DG11, DG12: r.DG12, DG13: r.DG13}, fieldsNow)
}

// fieldsOfEvidence parses the text data groups of r's evidence afresh.
func fieldsOfEvidence(r *Result) identity.Fields {
	dgs := r.Evidence().DataGroups
	var g identity.Groups
	if b, ok := dgs[1]; ok {
		g.DG1, _ = lds.ParseDG1(b)
	}
	if b, ok := dgs[11]; ok {
		g.DG11, _ = lds.ParseDG11(b)
	}
	if b, ok := dgs[12]; ok {
		g.DG12, _ = lds.ParseDG12(b)
	}
	if b, ok := dgs[13]; ok {
		g.DG13, _ = lds.ParseDG13(b)
	}
	return identity.Of(g, fieldsNow)
}

// keys names the fields, never their values.
func keys(f identity.Fields) []string {
	var out []string
	for _, name := range identity.AllFields {
		if _, ok := f[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

// The red team's attacks fail with the reason that names them, on the
// Vietnamese card (TestAttacks reads every profile for the status).
func TestRedteamAttackReasons(t *testing.T) {
	for _, tc := range []struct{ attack, check, reason string }{
		{"reread-differs", check.DGHash(13), pa.ReasonHashMismatch},
		{"overlong-answer", check.DGHash(2), pa.ReasonHashMismatch},
		{"ca-unconfirmed", check.ChipAuth, verify.ReasonUnconfirmed},
		{"aa-replayed", check.ActiveAuth, verify.ReasonSignatureInvalid},
	} {
		t.Run(tc.attack, func(t *testing.T) {
			chip, _, conn := insert(t, "cccd", sim.Options{Seed: 4, Attack: tc.attack})
			res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip)))
			if err != nil {
				t.Fatal(err)
			}
			if c, _ := res.Checks.Get(tc.check); c.Status != check.Fail || c.Reason != tc.reason {
				t.Errorf("%s: %s %s, want FAIL %s", tc.check, c.Status, c.Reason, tc.reason)
			}
		})
	}
}
