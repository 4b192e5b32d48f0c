package sim

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// PACEOptions tune the chip side of PACE for a profile.
type PACEOptions struct {
	// DeniedStatus answers a wrong password at the last step: 6300 as
	// ICAO specifies when zero, 6982 on the CCCD (as reported for real
	// cards).
	DeniedStatus apdu.SW
}

// NewPACE returns the ProtocolFactory of PACE: the configurations of the
// document's EF.CardAccess (mapping, key agreement, domain parameters and
// cipher of each PACEInfo), the card's CAN and the printed MRZ as
// passwords, and for the chip authentication mapping the chip's CA key.
func NewPACE(o PACEOptions) ProtocolFactory {
	return func(doc *issue.Document) (Protocol, error) {
		cfg, err := paceConfig(doc, o)
		if err != nil {
			return nil, fmt.Errorf("sim: PACE: %w", err)
		}
		return asProtocol(newPACEProtocol(cfg))
	}
}

func newPACEProtocol(cfg pace.ChipConfig) (*paceProtocol, error) {
	chip, err := pace.NewChip(cfg)
	if err != nil {
		return nil, fmt.Errorf("sim: PACE: %w", err)
	}
	return &paceProtocol{chip: chip, cfg: cfg}, nil
}

// tunePACE makes a quirk change the PACE chip's configuration.
func tunePACE(b *Build, tune func(*pace.ChipConfig)) error {
	if len(b.Profile.Security.PACE) == 0 {
		return notApplicable("the profile has no PACE")
	}
	rebuild(b, func(p *paceProtocol) (Protocol, error) {
		cfg := p.cfg
		tune(&cfg)
		return asProtocol(newPACEProtocol(cfg))
	})
	return nil
}

// rebuild wraps each of the profile's protocol factories so that the
// protocol of type P it builds (the PACE or CA chip) is replaced by what
// change makes of it: how a quirk changes a protocol's configuration.
func rebuild[P Protocol](b *Build, change func(P) (Protocol, error)) {
	for i, factory := range b.Profile.Protocols {
		b.Profile.Protocols[i] = func(doc *issue.Document) (Protocol, error) {
			p, err := factory(doc)
			target, ok := p.(P)
			if err != nil || !ok {
				return p, err
			}
			return change(target)
		}
	}
}

// asProtocol returns a constructor's protocol as a Protocol, nil (not a
// typed nil) with an error.
func asProtocol[P Protocol](p P, err error) (Protocol, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}

func paceConfig(doc *issue.Document, o PACEOptions) (pace.ChipConfig, error) {
	cfg := pace.ChipConfig{DeniedStatus: o.DeniedStatus}
	for _, info := range doc.Security.PACE {
		p, err := pace.NewParams(info.Protocol, info.ParameterID)
		if err != nil {
			return cfg, fmt.Errorf("PACEInfo %s: %w", info.Protocol, err)
		}
		if p.Mapping == lds.MappingCAM {
			key, ok := doc.CAKey.(*ec.PrivateKey)
			if !ok {
				return cfg, fmt.Errorf("chip authentication mapping needs an ECDH chip authentication key")
			}
			cfg.CAKey = key
		}
		cfg.Params = append(cfg.Params, p)
	}
	mrzKey, err := access.ParseMRZ(doc.MRZ)
	if err != nil {
		return cfg, fmt.Errorf("MRZ password: %w", err)
	}
	can, err := access.NewCAN(doc.Identity.CAN())
	if err != nil {
		return cfg, fmt.Errorf("CAN password: %w", err)
	}
	cfg.Keys = []access.Key{can, mrzKey}
	return cfg, nil
}

// paceProtocol plugs emrtd/pace's chip side into the chip: unprotected
// MSE:Set AT and the four GENERAL AUTHENTICATE steps.
type paceProtocol struct {
	chip *pace.Chip
	cfg  pace.ChipConfig
}

func (p *paceProtocol) Name() string { return "PACE" }

func (p *paceProtocol) Accepts(cmd apdu.Command, secured bool) bool {
	return !secured && p.chip.Accepts(cmd)
}

func (p *paceProtocol) Respond(cmd apdu.Command) Result {
	resp, session := p.chip.Respond(cmd)
	return Result{Response: resp, Session: session}
}

func (p *paceProtocol) Reset() { p.chip.Reset() }
