package sim

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// NewAA is the ProtocolFactory of Active Authentication: INTERNAL
// AUTHENTICATE signed with the chip's AA key (ECDSA with the hash of
// DG14's ActiveAuthenticationInfo, or RSA with ISO/IEC 9796-2 scheme 1),
// under secure messaging; unprotected it answers 6982. With the aa-clone
// tamper the key is not DG15's, so the signature does not verify.
func NewAA(doc *issue.Document) (Protocol, error) {
	cfg, err := aaChipConfig(doc)
	if err != nil {
		return nil, err
	}
	return newAAProtocol(cfg)
}

// aaChipConfig is the chip side of the document's active authentication:
// its key, hash, RSA trailer and ECDSA signature form. An attack changes
// it and builds the protocol with newAAProtocol.
func aaChipConfig(doc *issue.Document) (activeauth.ChipConfig, error) {
	aa := doc.Security.AA
	if aa == nil || doc.AAKey == nil {
		return activeauth.ChipConfig{}, fmt.Errorf("sim: active authentication: the document has none")
	}
	return activeauth.ChipConfig{Key: doc.AAKey, Hash: aa.SignatureHash(),
		ExplicitSHA1Trailer: aa.ExplicitSHA1Trailer, DERSignature: aa.DERSignature, MalformedPadding: aa.MalformedPadding}, nil
}

// newAAProtocol is the AA protocol of a chip configured so.
func newAAProtocol(cfg activeauth.ChipConfig) (Protocol, error) {
	chip, err := activeauth.NewChip(cfg)
	if err != nil {
		return nil, fmt.Errorf("sim: active authentication: %w", err)
	}
	return &aaProtocol{chip: chip}, nil
}

// aaProtocol plugs emrtd/activeauth's chip side into the chip.
type aaProtocol struct {
	chip *activeauth.Chip
}

func (p *aaProtocol) Name() string { return "AA" }

func (p *aaProtocol) Accepts(cmd apdu.Command, secured bool) bool {
	return secured && p.chip.Accepts(cmd)
}

func (p *aaProtocol) Respond(cmd apdu.Command) Result {
	return Result{Response: p.chip.Respond(cmd)}
}

func (p *aaProtocol) Reset() {}
