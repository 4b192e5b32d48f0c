package session

import (
	"slices"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
)

// Disclosure applies a connection's field policy, and the fields its
// read.start asked for, to everything a read sends (docs/PROTOCOL.md §5):
// the fields, and every other part that carries or betrays one
// (config.PartFields).
type Disclosure struct {
	Policy config.Policy
	Wanted []string // fields asked for; nil for all the policy allows
}

// Fields keeps the fields the policy allows and the client wants.
func (d Disclosure) Fields(in protocol.Fields) protocol.Fields {
	out := protocol.Fields{}
	for k, v := range in {
		if d.Policy.Allows(k) && (len(d.Wanted) == 0 || slices.Contains(d.Wanted, k)) {
			out[k] = v
		}
	}
	return out
}

// Checks is a check report as this connection may see it: the checks
// name the data groups they hashed and the document signer with its
// country, so a policy that withholds the document's kind or issuer gets
// none (the verdict still comes with read.result).
func (d Disclosure) Checks(r check.Report) []protocol.Check {
	if !d.Policy.AllowsPart(config.PartChecks) {
		return []protocol.Check{}
	}
	return wireChecks(r)
}

// Document keeps the parts of the document's description the policy
// allows; the others are absent.
func (d Disclosure) Document(in protocol.Document) protocol.Document {
	p := d.Policy
	out := protocol.Document{}
	if p.AllowsPart(config.PartDocumentType) {
		out.Type = in.Type
	}
	if p.AllowsPart(config.PartDocumentCode) {
		out.Code = in.Code
	}
	if p.AllowsPart(config.PartIssuingState) {
		out.IssuingState = in.IssuingState
	}
	if p.AllowsPart(config.PartAccess) {
		out.Access, out.AccessControl = in.Access, in.AccessControl
	}
	if p.AllowsPart(config.PartDataGroups) {
		out.DataGroups = in.DataGroups
		if out.DataGroups == nil {
			out.DataGroups = []string{}
		}
	}
	return out
}

// phasePercent is read.progress's percent for a phase when the policy
// withholds the finer one (config.PartProgress): the same for every
// document.
var phasePercent = map[string]int{
	protocol.PhaseWaiting: 0, protocol.PhaseThrottled: 0, protocol.PhaseConnecting: 5, protocol.PhaseAccess: 15,
	protocol.PhaseReading: 40, protocol.PhasePhoto: 70, protocol.PhaseVerifying: 90, protocol.PhaseDone: 100,
}

// Percent is a read.progress percent as this connection may see it.
func (d Disclosure) Percent(phase string, percent int) int {
	if d.Policy.AllowsPart(config.PartProgress) {
		return percent
	}
	return phasePercent[phase]
}

// Identity is read.identity as this connection may see it.
func (d Disclosure) Identity(readID string, fields protocol.Fields, checks check.Report) protocol.Identity {
	return protocol.Identity{ReadID: readID, Fields: d.Fields(fields), Withheld: d.Policy.Withheld(), Checks: d.Checks(checks)}
}

// Result is read.result as this connection may see it; evidence only when
// asked for and the policy allows it.
func (d Disclosure) Result(readID string, res *Result, evidence bool) protocol.Result {
	verdict := res.Verdict
	if verdict == "" {
		verdict = res.Checks.Overall()
	}
	out := protocol.Result{
		ReadID: readID, Document: d.Document(res.Document), Fields: d.Fields(res.Fields), Withheld: d.Policy.Withheld(),
		Verification: protocol.Verification{Overall: protocol.Status(verdict), TestAnchor: res.TestAnchor, Checks: d.Checks(res.Checks)},
	}
	if evidence && d.Policy.AllowsPart(config.PartEvidence) {
		out.Evidence = res.Evidence
	}
	return out
}
