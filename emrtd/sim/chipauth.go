package sim

import (
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/chipauth"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// NewCA is the ProtocolFactory of Chip Authentication v1: the protocol of
// DG14's ChipAuthenticationInfo with the chip's CA key (MSE:Set KAT for
// 3DES, MSE:Set AT and GENERAL AUTHENTICATE for AES), under secure
// messaging, re-keying the session after its answer. With the ca-clone
// tamper the key is not DG14's, so the reader's first command under the
// new keys fails.
func NewCA(doc *issue.Document) (Protocol, error) {
	ca := doc.Security.CA
	if ca == nil || doc.CAKey == nil {
		return nil, errNoCA
	}
	return asProtocol(newCAProtocol(chipauth.ChipConfig{Key: doc.CAKey, Protocol: ca.Protocol, KeyID: ca.KeyID}))
}

// errNoCA: a profile lists chip authentication for a document that has
// none (a profile's mistake, unless a quirk took it away: withoutCA).
var errNoCA = errors.New("sim: chip authentication: the document has none")

func newCAProtocol(cfg chipauth.ChipConfig) (*caProtocol, error) {
	chip, err := chipauth.NewChip(cfg)
	if err != nil {
		return nil, fmt.Errorf("sim: chip authentication: %w", err)
	}
	return &caProtocol{chip: chip, cfg: cfg}, nil
}

// tuneCA makes a quirk change the chip authentication chip's
// configuration.
func tuneCA(b *Build, tune func(*chipauth.ChipConfig)) error {
	if b.Profile.Security.CA == nil {
		return notApplicable("the profile has no chip authentication")
	}
	rebuild(b, func(p *caProtocol) (Protocol, error) {
		cfg := p.cfg
		tune(&cfg)
		return asProtocol(newCAProtocol(cfg))
	})
	return nil
}

// caProtocol plugs emrtd/chipauth's chip side into the chip.
type caProtocol struct {
	chip *chipauth.Chip
	cfg  chipauth.ChipConfig
}

func (p *caProtocol) Name() string { return "CA" }

func (p *caProtocol) Accepts(cmd apdu.Command, secured bool) bool {
	return secured && p.chip.Accepts(cmd)
}

func (p *caProtocol) Respond(cmd apdu.Command) Result {
	resp, session := p.chip.Respond(cmd)
	return Result{Response: resp, Session: session}
}

func (p *caProtocol) Reset() { p.chip.Reset() }
