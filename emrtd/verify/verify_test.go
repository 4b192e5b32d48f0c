package verify_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

func deskOptions(t testing.TB) verify.Options {
	return verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true, AtDesk: true}
}

// The evidence of a read of every simulator profile, verified again,
// gives the read's own checks and verdict, and the verdict passes.
func TestEveryProfileVerifiesAgain(t *testing.T) {
	for _, profile := range sim.Profiles() {
		t.Run(profile, func(t *testing.T) {
			d := verifytest.Desk(t, profile, sim.Options{Seed: 40}, nil)
			res := d.Result
			ev := res.Evidence()
			ev.AccessKey = d.Key
			got := verify.Verify(ev, deskOptions(t))
			if !reflect.DeepEqual(got.Checks, res.Checks) || got.Verdict != res.Verdict {
				t.Errorf("verified again: %s %+v\nread: %s %+v", got.Verdict, got.Checks, res.Verdict, res.Checks)
			}
			if res.Verdict != check.Pass && res.Verdict != check.Warn {
				t.Errorf("verdict %s: %+v", res.Verdict, res.Checks)
			}
		})
	}
}

// The document holds only data groups whose hash matched: an edited DG13
// is left out, the others are there.
func TestDocumentHoldsOnlyVerifiedGroups(t *testing.T) {
	ev := verifytest.Desk(t, "cccd", sim.Options{Seed: 41, Tamper: issue.DG13Edited}, nil).Result.Evidence()
	got := verify.Verify(ev, deskOptions(t))
	doc := got.Document(ev)
	if doc.DG13 != nil || slices.Contains(doc.Verified, 13) {
		t.Error("the edited DG13 is in the document")
	}
	if doc.DG1 == nil || doc.Portrait == nil || !slices.Contains(doc.Verified, 2) {
		t.Errorf("verified %v", doc.Verified)
	}
	if c, _ := got.Checks.Get(check.DGHash(13)); c.Status != check.Fail {
		t.Errorf("%+v", c)
	}
}

// Without a signed EF.SOD nothing is verified.
func TestDocumentEmptyWithoutSOD(t *testing.T) {
	ev := verifytest.Desk(t, "cccd", sim.Options{Seed: 42}, nil).Result.Evidence()
	ev.SOD = nil
	got := verify.Verify(ev, deskOptions(t))
	if c, _ := got.Checks.Get(check.SODSignature); c.Reason != verify.ReasonSODMissing || got.Verdict != check.Fail {
		t.Errorf("%+v, verdict %s", c, got.Verdict)
	}
	if doc := got.Document(ev); doc.DG1 != nil || len(doc.Verified) != 0 {
		t.Errorf("verified %v", doc.Verified)
	}
}

// BenchmarkVerifyCCCD verifies a cccd evidence bundle away from the desk
// with a challenge (the service's core work, without HTTP and JSON).
func BenchmarkVerifyCCCD(b *testing.B) {
	chal := []byte("bench-01")
	d := verifytest.Desk(b, "cccd", sim.Options{Seed: 80}, chal)
	ev, err := verify.ParseEvidence(d.JSON)
	if err != nil {
		b.Fatal(err)
	}
	opts := verify.Options{Trust: verifytest.Trust(b), AllowTestAnchors: true, Challenge: chal}
	b.ReportAllocs()
	cpu := verifytest.ProcessCPU()
	for b.Loop() {
		if res := verify.Verify(ev, opts); res.Verdict != check.Pass {
			b.Fatal(res.Verdict)
		}
	}
	verifytest.ReportCPU(b, verifytest.ProcessCPU()-cpu)
}
