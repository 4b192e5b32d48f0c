package verify_test

import (
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

// Red team: what the simulator's TEST PKI signs (anyone can: its private
// keys are in the source tree) is never PASS without test anchors, at the
// desk or away from it, whatever trust store the verifier has: none, the
// TEST CSCA as a test anchor, or the TEST CSCA imported by mistake as a
// production anchor.
func TestTestPKINeverPasses(t *testing.T) {
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 70}, challengeA)
	mistaken := trust.New()
	if _, err := mistaken.ImportBytes(sim.TrustAnchor(), "csca.cer", trust.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		store  *trust.Store
		status check.Status
		reason string
	}{
		"no anchor":                    {trust.New(), check.Unknown, pa.ReasonCSCANotTrusted},
		"test anchor":                  {verifytest.Trust(t), check.Fail, pa.ReasonTestAnchor},
		"TEST CSCA imported as a CSCA": {mistaken, check.Fail, pa.ReasonTestAnchor},
	} {
		for _, atDesk := range []bool{true, false} {
			ev := mustParse(t, d.JSON)
			res := verify.Verify(ev, verify.Options{Trust: tc.store, AtDesk: atDesk, Challenge: challengeA})
			c, _ := res.Checks.Get(check.DSChain)
			if c.Status != tc.status || c.Reason != tc.reason || res.Verdict == check.Pass || res.Verdict == check.Warn {
				t.Errorf("%s (at desk %v): ds.chain %s %s, verdict %s", name, atDesk, c.Status, c.Reason, res.Verdict)
			}
		}
	}
}
