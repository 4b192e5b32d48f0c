package sim

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// bacProtocol plugs emrtd/bac's chip side into the chip: plain GET
// CHALLENGE and EXTERNAL AUTHENTICATE with the key of the printed MRZ.
type bacProtocol struct {
	chip *bac.Chip
}

// NewBAC is the ProtocolFactory of Basic Access Control.
func NewBAC(doc *issue.Document) (Protocol, error) {
	key, err := access.ParseMRZ(doc.MRZ)
	if err != nil {
		return nil, fmt.Errorf("sim: BAC key from the printed MRZ: %w", err)
	}
	chip, err := bac.NewChip(key.BACSeed(), nil)
	if err != nil {
		return nil, fmt.Errorf("sim: BAC: %w", err)
	}
	return &bacProtocol{chip: chip}, nil
}

func (p *bacProtocol) Name() string { return "BAC" }

func (p *bacProtocol) Accepts(cmd apdu.Command, secured bool) bool {
	return !secured && (cmd.INS == apdu.InsGetChallenge || cmd.INS == apdu.InsExternalAuthenticate)
}

func (p *bacProtocol) Respond(cmd apdu.Command) Result {
	if cmd.INS == apdu.InsGetChallenge {
		return Result{Response: p.chip.GetChallenge(cmd)}
	}
	resp, session := p.chip.ExternalAuthenticate(cmd)
	return Result{Response: resp, Session: session}
}

func (p *bacProtocol) Reset() { p.chip.Reset() }
