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
func NewBAC(doc *issue.Document) (Protocol, error) { return newBAC(doc, false) }

// NewForgingBAC is the ProtocolFactory of a chip that does not know its
// BAC key: EXTERNAL AUTHENTICATE answers 9000 with a cryptogram that fails
// the reader's MAC (the "bad BAC token" attack; the reader must end with
// access.ErrTokenInvalid).
func NewForgingBAC(doc *issue.Document) (Protocol, error) { return newBAC(doc, true) }

func newBAC(doc *issue.Document, forge bool) (Protocol, error) {
	key, err := access.ParseMRZ(doc.MRZ)
	if err != nil {
		return nil, fmt.Errorf("sim: BAC key from the printed MRZ: %w", err)
	}
	chip, err := bac.NewChip(key.BACSeed(), nil)
	if err != nil {
		return nil, fmt.Errorf("sim: BAC: %w", err)
	}
	chip.ForgeAnswer = forge
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
