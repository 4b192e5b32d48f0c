package sim

import (
	"errors"
	"slices"

	"github.com/idagent/idagent/emrtd/chipauth"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sm"
)

// The quirks of access control and chip authentication (AC-04, AC-05,
// AC-06; C-01 to C-04, SM-05): what real chips do with PACE's parameters
// and encodings and with chip authentication's commands and keys. Each
// changes the PACE or CA chip's configuration (tunePACE, tuneCA) or the
// profile's security description.
func init() {
	RegisterQuirks(paceQuirks()...)
	RegisterQuirks(caQuirks()...)
}

func tunedPACE(tune func(*pace.ChipConfig)) func(*Build) error {
	return func(b *Build) error { return tunePACE(b, tune) }
}

func paceQuirks() []Quirk {
	return []Quirk{
		{Name: "pace-parameter-id-required", ID: "AC-04",
			Apply:   tunedPACE(func(c *pace.ChipConfig) { c.RequireParameterID = true }),
			Summary: "MSE:Set AT without the domain parameter ID (tag 84) answers 6A87 (older Ukrainian passports, gmrtd #108)"},
		{Name: "pace-several-infos", ID: "AC-04", Apply: severalPACEInfos,
			Summary: "EF.CardAccess (and DG14) list PACE-IM on P-256 and PACE-DH on the 2048-bit group besides the profile's PACEInfo, " +
				"and MSE:Set AT without tag 84 answers 6A87 (German and Polish eIDs drop the connection instead; NFCPassportReader PR #269)"},
		{Name: "pace-leading-zeros", ID: "AC-05",
			Apply: tunedPACE(func(c *pace.ChipConfig) { c.LeadingZeros = true }),
			Summary: "the chip's PACE mapping key starts with a zero byte and so does the shared secret K: a reader that loses " +
				"a big integer's leading zero fails every run instead of 1 in 256 (gematik E-Rezept #30)"},
		{Name: "pace-nonce-32", ID: "AC-05",
			Apply:   tunedPACE(func(c *pace.ChipConfig) { c.NonceLen = 32 }),
			Summary: "the generic mapping's nonce s has 32 bytes, not 16 (AES-256 chips)"},
		{Name: "pace-parameter-id-12", ID: "AC-06", Apply: paceOnP256,
			Summary: "PACE on NIST P-256 (parameter ID 12) where the profile has brainpoolP256r1 (13): the CCCD's EF.CardAccess " +
				"in public Vietnamese reader projects ends 02 01 0C, cccd.md's 02 01 0D"},
	}
}

// severalPACEInfos adds PACEInfos a reader must not prefer (weaker: the
// integrated mapping on P-256, DH on the 2048-bit group) and makes the
// chip require tag 84, as eIDs with several PACEInfos do.
func severalPACEInfos(b *Build) error {
	sec := &b.Profile.Security
	if len(sec.PACE) == 0 {
		return notApplicable("the profile has no PACE")
	}
	infos := slices.Clone(sec.PACE)
	for _, extra := range []issue.PACEInfo{
		{Protocol: lds.OIDPACEECDHIMAESCBCCMAC128, ParameterID: 12},
		{Protocol: lds.OIDPACEDHGMAESCBCCMAC128, ParameterID: 2},
	} {
		if !slices.ContainsFunc(infos, func(p issue.PACEInfo) bool {
			return p.Protocol.Equal(extra.Protocol) && p.ParameterID == extra.ParameterID
		}) {
			infos = append(infos, extra)
		}
	}
	sec.PACE = infos
	return tunePACE(b, func(c *pace.ChipConfig) { c.RequireParameterID = true })
}

// paceOnP256 moves the profile's PACE from brainpoolP256r1 to P-256.
func paceOnP256(b *Build) error {
	infos := slices.Clone(b.Profile.Security.PACE)
	moved := false
	for i := range infos {
		// PACE-CAM stays: it runs on the chip authentication key's curve.
		if infos[i].ParameterID == 13 && !infos[i].Protocol.Equal(lds.OIDPACEECDHCAMAESCBCCMAC128) {
			infos[i].ParameterID, moved = 12, true
		}
	}
	if !moved {
		return notApplicable("the profile's PACE is not on brainpoolP256r1 (parameter ID 13)")
	}
	b.Profile.Security.PACE = infos
	return nil
}

// groupCACommands: the commands a 3DES chip takes for chip
// authentication.
const groupCACommands = "chip authentication commands"

func caQuirks() []Quirk {
	return []Quirk{
		{Name: "ca-kat-only", ID: "C-01", Group: groupCACommands,
			Apply:   tuned3DESCA(func(c *chipauth.ChipConfig) { c.NoSetAT = true }),
			Summary: "3DES chip authentication by MSE:Set KAT only: MSE:Set AT answers 6A86 (ICAO 9303-11 §6.2.4)"},
		{Name: "ca-set-at-only", ID: "C-01", Group: groupCACommands,
			Apply: tuned3DESCA(func(c *chipauth.ChipConfig) { c.NoKAT = true }),
			Summary: "3DES chip authentication by MSE:Set AT and GENERAL AUTHENTICATE only: MSE:Set KAT answers 6A86, " +
				"so a reader must try Set AT next (ICAO 9303-11 §6.2.4)"},
		{Name: "ca-no-info", ID: "C-02", Apply: caNoInfo,
			Summary: "DG14 (EF.CardAccess, EF.CardSecurity) lists the chip authentication key without a ChipAuthenticationInfo; " +
				"the chip runs what a reader infers from the key, 3DES (French passports)"},
		{Name: "ca-key-id", ID: "C-02", Apply: caKeyID,
			Summary: "DG14 names the only chip authentication key (keyId 1); MSE with a key reference that is not a minimal " +
				"unsigned integer answers 6A80, with another key's 6A88 (Maltese specimens)"},
		{Name: "ca-dh-pkcs3", ID: "C-03", Apply: caPKCS3,
			Summary: "DG14's DH chip authentication key has PKCS #3 parameters (dhKeyAgreement {p, g}, no subgroup order) instead of X9.42's"},
		{Name: "ca-ga-no-data", ID: "C-04",
			Apply:   tunedCA(func(c *chipauth.ChipConfig) { c.GANoData = true }),
			Summary: "chip authentication's GENERAL AUTHENTICATE answers 9000 without data; the default answers 7C 00 (both valid)"},
		{Name: "no-chip-authentication", ID: "C-07", Apply: withoutCA,
			Summary: "a PACE chip without chip authentication: DG14 is in EF.SOD only for the SecurityInfos of EF.CardAccess " +
				"(ICAO 9303-11 §9.2.11) and publishes no chip authentication key; active authentication (DG15) proves the chip"},
		{Name: "ca-failure-ends-session", ID: "SM-05",
			Apply: behave(func(bh *Behaviour) { bh.CAFailureEndsSession = true }),
			Summary: "a refused chip authentication command ends secure messaging (answered plain), so a reader must open the chip " +
				"again; by default the chip goes on under the old keys and SSC (ICAO 9303-11 §6.2; Norway, NFCPassportReader #124)"},
	}
}

func tunedCA(tune func(*chipauth.ChipConfig)) func(*Build) error {
	return func(b *Build) error { return tuneCA(b, tune) }
}

// tuned3DESCA tunes a chip whose chip authentication runs 3DES.
func tuned3DESCA(tune func(*chipauth.ChipConfig)) func(*Build) error {
	return func(b *Build) error {
		ca := b.Profile.Security.CA
		if ca == nil || !ca.Protocol.Equal(chipauth.ProtocolFor(caKeyAgreement(ca), sm.TDES)) {
			return notApplicable("the profile's chip authentication is not 3DES")
		}
		return tuneCA(b, tune)
	}
}

func caKeyAgreement(ca *issue.ChipAuthentication) lds.KeyAgreement {
	if ca.Curve == nil {
		return lds.KeyAgreementDH
	}
	return lds.KeyAgreementECDH
}

// caNoInfo leaves the ChipAuthenticationInfo out and makes the chip run
// the protocol a reader infers.
func caNoInfo(b *Build) error {
	ca := b.Profile.Security.CA
	if ca == nil {
		return notApplicable("the profile has no chip authentication")
	}
	ca.NoInfo, ca.Protocol = true, chipauth.ProtocolFor(caKeyAgreement(ca), sm.TDES)
	return nil
}

func caKeyID(b *Build) error {
	ca := b.Profile.Security.CA
	if ca == nil {
		return notApplicable("the profile has no chip authentication")
	}
	id := 1
	ca.KeyID = &id
	return nil
}

func caPKCS3(b *Build) error {
	ca := b.Profile.Security.CA
	if ca == nil || ca.Curve != nil {
		return notApplicable("the profile has no DH chip authentication key")
	}
	ca.PKCS3 = true
	return nil
}

// withoutCA takes chip authentication away from a PACE chip that keeps
// DG14 for EF.CardAccess's SecurityInfos: DG14 then publishes no chip
// authentication key and the chip runs no CA.
func withoutCA(b *Build) error {
	sec := &b.Profile.Security
	switch {
	case sec.CA == nil:
		return notApplicable("the profile has no chip authentication")
	case len(sec.PACE) == 0:
		return notApplicable("without PACE, DG14 would have nothing to list")
	case sec.CardSecurity:
		return notApplicable("PACE-CAM needs the chip authentication key")
	}
	sec.CA = nil
	for i, factory := range b.Profile.Protocols {
		b.Profile.Protocols[i] = func(doc *issue.Document) (Protocol, error) {
			p, err := factory(doc)
			if errors.Is(err, errNoCA) {
				return nil, nil
			}
			return p, err
		}
	}
	return nil
}
