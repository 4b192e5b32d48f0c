package verify

import (
	"strings"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
)

// Verdict folds checks into one status: FAIL when any check failed;
// UNKNOWN when one could not be decided, when the SOD signature, the
// signer chain or a data group's hash could not run (SKIPPED or
// NOT_SUPPORTED), or when there are no checks; WARN when one passed with a
// caveat; PASS only when every check that ran passed. Skipped or
// unsupported chip and active authentication (a chip without them) do not
// lower it. It is the one verdict of idagent: of a read, of `idagent
// verify sod` and of the verification service.
func Verdict(report check.Report) check.Status {
	v := report.Overall()
	if v == check.Fail || len(report) == 0 {
		return v
	}
	for _, c := range report {
		if required(c.Name) && (c.Status == check.NotSupported || c.Status == check.Skipped) {
			return check.Unknown
		}
	}
	return v
}

// required reports whether a check must run for a document to be proven
// genuine: the SOD signature, the signer chain and every data group's hash.
func required(name string) bool {
	return name == check.SODSignature || name == check.DSChain || strings.HasPrefix(name, "dg.hash.")
}

// TestAnchorUsed reports whether a report's chain ended at a TEST anchor
// (the simulator's test CSCA): such a read is never accepted in
// production, whatever its verdict.
func TestAnchorUsed(r check.Report) bool {
	for _, c := range r {
		if c.Reason == pa.ReasonTestAnchor {
			return true
		}
	}
	return false
}
