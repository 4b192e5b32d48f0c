package sim

import (
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// RefuseBAC is the ProtocolFactory of a PACE-only chip's answer to BAC:
// unprotected GET CHALLENGE and EXTERNAL AUTHENTICATE answer 6982
// (security status not satisfied). Such a chip knows both instructions
// (Terminal Authentication uses them inside a PACE session), so it does
// not answer 6D00; it refuses them outside one. A reader sees GET
// CHALLENGE fail and learns that BAC is not available, which is not a
// wrong key.
func RefuseBAC(*issue.Document) (Protocol, error) { return refuseBAC{}, nil }

type refuseBAC struct{}

func (refuseBAC) Name() string { return "BAC refused" }

func (refuseBAC) Accepts(cmd apdu.Command, secured bool) bool {
	return !secured && (cmd.INS == apdu.InsGetChallenge || cmd.INS == apdu.InsExternalAuthenticate)
}

func (refuseBAC) Respond(apdu.Command) Result { return answer(apdu.SWSecurityStatus) }

func (refuseBAC) Reset() {}
