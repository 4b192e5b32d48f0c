package sim

import (
	"crypto"
	"fmt"
	"slices"
	"sort"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// Profile is a kind of chip the simulator plays: the document it carries,
// the protocols it runs and its quirks. Adding a profile is adding an entry
// to the profiles table.
type Profile struct {
	Name        string
	Description string
	Kind        issue.Kind
	DataGroups  []int // present on the chip and listed in EF.COM
	// Security is what the chip runs beyond BAC (PACE, chip and active
	// authentication) and so what EF.CardAccess, DG14, DG15 and
	// EF.CardSecurity say, and which keys the chip holds.
	Security issue.Security
	// Protocols are the security protocols in the order the chip tries
	// them for a command (access control first). They must match
	// Security.
	Protocols []ProtocolFactory
	// PACEOnly: the chip refuses BAC (its Protocols hold RefuseBAC, not
	// NewBAC).
	PACEOnly bool
	// TAProtected data groups exist but answer 6982 (Terminal
	// Authentication, which the simulator does not run).
	TAProtected []int
	// SelectMF is the status word SELECT MF answers (9000 on most chips).
	SelectMF apdu.SW
	// Extended: the chip takes extended-length APDUs.
	Extended bool
	// ATR is the answer to reset the chip presents through a reader.
	ATR []byte
	// Quirks are the behaviours of real chips this profile plays
	// (Quirks() lists them): a document profile is a preset of them.
	Quirks []string
	// Base names the chip profile a document profile derives from ("" for
	// a chip profile).
	Base string
}

// clone returns a copy of p whose slices a quirk may change.
func (p *Profile) clone() *Profile {
	c := *p
	c.DataGroups = slices.Clone(p.DataGroups)
	c.Protocols = slices.Clone(p.Protocols)
	c.TAProtected = slices.Clone(p.TAProtected)
	c.ATR = slices.Clone(p.ATR)
	c.Quirks = slices.Clone(p.Quirks)
	c.Security.PACE = slices.Clone(p.Security.PACE)
	if p.Security.CA != nil {
		ca := *p.Security.CA
		c.Security.CA = &ca
	}
	if p.Security.AA != nil {
		aa := *p.Security.AA
		c.Security.AA = &aa
	}
	return &c
}

// profiles is the table of profiles by name.
var profiles = map[string]*Profile{}

func register(p *Profile) {
	if _, dup := profiles[p.Name]; dup {
		panic("sim: duplicate profile " + p.Name)
	}
	profiles[p.Name] = p
}

// Profiles lists the names of the chip profiles (one per mechanism), sorted.
// The document profiles (Documents) are presets of quirks on top of them.
func Profiles() []string { return profileNames(false) }

// Documents lists the names of the document profiles: chips modelled on
// documents the catalogue of real chips describes, each a profile with a
// preset of quirks (documents.go). LookupProfile and New take them like
// any profile.
func Documents() []string { return profileNames(true) }

func profileNames(documents bool) []string {
	var names []string
	for n, p := range profiles {
		if (p.Base != "") == documents {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// LookupProfile returns the named profile (a chip profile or a document
// profile).
func LookupProfile(name string) (*Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return nil, fmt.Errorf("sim: unknown profile %q (have %v and %v)", name, Profiles(), Documents())
	}
	return p, nil
}

// contactlessATR builds the PC/SC answer to reset of an ISO 14443-4 Type A
// card (PC/SC part 3): 3B 8n 80 01, the historical bytes, and TCK.
func contactlessATR(historical []byte) []byte {
	atr := []byte{0x3B, 0x80 | byte(len(historical)), 0x80, 0x01}
	atr = append(atr, historical...)
	var tck byte
	for _, b := range atr[1:] {
		tck ^= b
	}
	return append(atr, tck)
}

func init() {
	for _, p := range cardProfiles() {
		register(p)
	}
	for _, p := range passportProfiles() {
		register(p)
	}
	for _, p := range documentProfiles() {
		register(p)
	}
}

// cardProfiles are the Vietnamese ID cards.
func cardProfiles() []*Profile {
	cccdPACE := NewPACE(PACEOptions{DeniedStatus: apdu.SWSecurityStatus})
	return []*Profile{{
		Name: "cccd",
		Description: "Vietnamese CCCD (2021): TD1 MRZ with ID12, DG1 DG2 DG3 DG13 DG14 DG15, EF.CardAccess as on real cards; " +
			"PACE-GM ECDH AES-128 on brainpoolP256r1 with the CAN or the MRZ (a wrong one answers 6982), BAC with the MRZ, " +
			"chip authentication ECDH AES-128, active authentication ECDSA brainpoolP256r1 SHA-256; SELECT MF answers 6D00, DG3 6982, DG11/DG12 6A82",
		Kind:        issue.IDCard,
		DataGroups:  []int{1, 2, 3, 13, 14, 15},
		Security:    issue.CCCDSecurity(),
		Protocols:   []ProtocolFactory{cccdPACE, NewBAC, NewCA, NewAA},
		TAProtected: []int{3},
		SelectMF:    apdu.SWINSNotSupported,
		Extended:    true,
		ATR:         contactlessATR([]byte("idagent-sim-VN")),
	}, {
		Name: "cccd2024",
		Description: "Vietnamese Căn cước card (issued from July 2024): as cccd, but PACE only " +
			"(GET CHALLENGE and EXTERNAL AUTHENTICATE answer 6982: no BAC)",
		Kind:        issue.IDCard2024,
		DataGroups:  []int{1, 2, 3, 13, 14, 15},
		Security:    issue.CCCDSecurity(),
		Protocols:   []ProtocolFactory{cccdPACE, RefuseBAC, NewCA, NewAA},
		PACEOnly:    true,
		TAProtected: []int{3},
		SelectMF:    apdu.SWINSNotSupported,
		Extended:    true,
		ATR:         contactlessATR([]byte("idagent-sim-VN2")),
	}}
}

// passportProfiles are TD3 passports, one per access and anti-clone
// mechanism.
func passportProfiles() []*Profile {
	p256, bp256, bp384 := ec.ByName("P-256"), ec.BrainpoolP256r1(), ec.BrainpoolP384r1()
	paceBACCAAA := []ProtocolFactory{NewPACE(PACEOptions{}), NewBAC, NewCA, NewAA}
	withLDS2 := []int{1, 2, 11, 12, 14, 15}
	passport := func(name, description string, dgs []int, sec issue.Security, protocols []ProtocolFactory) *Profile {
		return &Profile{Name: name, Description: description, Kind: issue.Passport, DataGroups: dgs, Security: sec,
			Protocols: protocols, SelectMF: apdu.SWOK, Extended: true, ATR: contactlessATR([]byte("idagent-sim-P"))}
	}
	return []*Profile{
		passport("passport", "Vietnamese passport: TD3 MRZ, DG1 DG2 DG11 DG12 DG14 DG15; PACE-GM ECDH AES-128 on P-256 "+
			"with the MRZ (or CAN), BAC, chip authentication ECDH AES-128, active authentication ECDSA P-256 SHA-256",
			withLDS2, issue.Security{
				PACE: []issue.PACEInfo{{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128, ParameterID: 12}},
				CA:   &issue.ChipAuthentication{Protocol: lds.OIDCAECDHAESCBCCMAC128, Curve: p256},
				AA:   &issue.ActiveAuthentication{Curve: p256, Signature: lds.OIDECDSAWithSHA256},
			}, paceBACCAAA),
		passport("passport-im", "passport with PACE integrated mapping: PACE-IM ECDH AES-256 on brainpoolP384r1, BAC, "+
			"chip authentication ECDH AES-256, active authentication ECDSA brainpoolP384r1 SHA-384",
			withLDS2, issue.Security{
				PACE: []issue.PACEInfo{{Protocol: lds.OIDPACEECDHIMAESCBCCMAC256, ParameterID: 15}},
				CA:   &issue.ChipAuthentication{Protocol: lds.OIDCAECDHAESCBCCMAC256, Curve: bp384},
				AA:   &issue.ActiveAuthentication{Curve: bp384, Signature: lds.OIDECDSAPlainSHA384},
			}, paceBACCAAA),
		passport("passport-dh", "passport with Diffie-Hellman: PACE-GM DH AES-128 in the RFC 5114 2048-bit group "+
			"(parameter 2; extended length), BAC, chip authentication DH AES-128 in the same group, "+
			"active authentication RSA-1024 ISO/IEC 9796-2 SHA-256",
			withLDS2, issue.Security{
				PACE: []issue.PACEInfo{{Protocol: lds.OIDPACEDHGMAESCBCCMAC128, ParameterID: 2}},
				CA:   &issue.ChipAuthentication{Protocol: lds.OIDCADHAESCBCCMAC128, Group: 2},
				AA:   &issue.ActiveAuthentication{RSABits: 1024, Hash: crypto.SHA256},
			}, paceBACCAAA),
		passport("passport-cam", "passport with PACE chip authentication mapping: PACE-CAM and PACE-GM ECDH AES-128 "+
			"on brainpoolP256r1, EF.CardSecurity with the chip's key, BAC, chip authentication ECDH AES-128; no AA (no DG15)",
			[]int{1, 2, 11, 12, 14}, issue.Security{
				PACE: []issue.PACEInfo{
					{Protocol: lds.OIDPACEECDHCAMAESCBCCMAC128, ParameterID: 13},
					{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128, ParameterID: 13},
				},
				CA:           &issue.ChipAuthentication{Protocol: lds.OIDCAECDHAESCBCCMAC128, Curve: bp256},
				CardSecurity: true,
			}, []ProtocolFactory{NewPACE(PACEOptions{}), NewBAC, NewCA}),
		passport("passport-3des", "passport with 3DES secure messaging: PACE-GM ECDH 3DES on brainpoolP256r1, BAC, "+
			"chip authentication ECDH 3DES (MSE:Set KAT), active authentication ECDSA brainpoolP256r1 SHA-1; explicit EC parameters",
			withLDS2, issue.Security{
				PACE:           []issue.PACEInfo{{Protocol: lds.OIDPACEECDHGM3DESCBCCBC, ParameterID: 13}},
				CA:             &issue.ChipAuthentication{Protocol: lds.OIDCAECDH3DESCBCCBC, Curve: bp256},
				AA:             &issue.ActiveAuthentication{Curve: bp256, Signature: lds.OIDECDSAPlainSHA1},
				ExplicitParams: true,
			}, paceBACCAAA),
		passport("passport-bac-only", "older passport: no EF.CardAccess (no PACE), no DG14 (no chip authentication); "+
			"BAC, active authentication RSA-1024 ISO/IEC 9796-2 SHA-1 (trailer BC)",
			[]int{1, 2, 11, 12, 15}, issue.Security{
				AA: &issue.ActiveAuthentication{RSABits: 1024, Hash: crypto.SHA1},
			}, []ProtocolFactory{NewBAC, NewAA}),
	}
}

func (p *Profile) has(dg int) bool { return slices.Contains(p.DataGroups, dg) }
