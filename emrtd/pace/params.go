package pace

import (
	"cmp"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
)

// NoParameterID is Params.ParameterID when the chip names no domain
// parameter ID (a single PACEDomainParameterInfo without one): MSE:Set AT
// then goes without tag 84.
const NoParameterID = -1

// Params is one PACE configuration: what a PACEInfo of EF.CardAccess
// describes and MSE:Set AT selects.
type Params struct {
	Protocol     asn1.ObjectIdentifier // id-PACE-{DH,ECDH}-{GM,IM,CAM}-{3DES-CBC-CBC,AES-CBC-CMAC-n}
	Mapping      lds.Mapping
	KeyAgreement lds.KeyAgreement
	Cipher       sm.Cipher
	// ParameterID is the domain parameter ID sent in tag 84 of MSE:Set AT,
	// or NoParameterID.
	ParameterID int
	// Domain is the static domain parameters.
	Domain keyagree.Domain
}

// String names the configuration: "id-PACE-ECDH-GM-AES-CBC-CMAC-128 on
// brainpoolP256r1 (parameter ID 13)".
func (p Params) String() string {
	s := lds.ProtocolName(p.Protocol) + " on " + p.Domain.String()
	if p.ParameterID != NoParameterID {
		s += fmt.Sprintf(" (parameter ID %d)", p.ParameterID)
	}
	return s
}

// protocolKind decodes the mapping, key agreement and cipher of a PACE
// protocol identifier.
func protocolKind(oid asn1.ObjectIdentifier) (lds.Mapping, lds.KeyAgreement, sm.Cipher, error) {
	n := len(lds.OIDPACE)
	if len(oid) != n+2 || !oid[:n].Equal(lds.OIDPACE) {
		return "", "", 0, fmt.Errorf("%w: %s is not a PACE protocol", ErrUnsupported, oid)
	}
	var m lds.Mapping
	var ka lds.KeyAgreement
	switch oid[n] {
	case 1:
		m, ka = lds.MappingGM, lds.KeyAgreementDH
	case 2:
		m, ka = lds.MappingGM, lds.KeyAgreementECDH
	case 3:
		m, ka = lds.MappingIM, lds.KeyAgreementDH
	case 4:
		m, ka = lds.MappingIM, lds.KeyAgreementECDH
	case 6:
		m, ka = lds.MappingCAM, lds.KeyAgreementECDH
	default:
		return "", "", 0, fmt.Errorf("%w: PACE mapping %d", ErrUnsupported, oid[n])
	}
	c := sm.Cipher(oid[n+1])
	if c < sm.TDES || c > sm.AES256 || (m == lds.MappingCAM && c == sm.TDES) {
		return "", "", 0, fmt.Errorf("%w: PACE cipher %d with %s", ErrUnsupported, oid[n+1], m)
	}
	return m, ka, c, nil
}

// NewParams builds the configuration of a protocol identifier on
// standardized domain parameters (the usual PACEInfo).
func NewParams(protocol asn1.ObjectIdentifier, parameterID int) (Params, error) {
	d, err := keyagree.StandardDomain(parameterID)
	if err != nil {
		return Params{}, err
	}
	return newParams(protocol, parameterID, d)
}

func newParams(protocol asn1.ObjectIdentifier, parameterID int, d keyagree.Domain) (Params, error) {
	m, ka, c, err := protocolKind(protocol)
	if err != nil {
		return Params{}, err
	}
	p := Params{Protocol: append(asn1.ObjectIdentifier(nil), protocol...), Mapping: m, KeyAgreement: ka,
		Cipher: c, ParameterID: parameterID, Domain: d}
	if err := p.check(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// check refuses combinations this package cannot run.
func (p Params) check() error {
	if !p.Domain.Valid() {
		return fmt.Errorf("%w: no domain parameters", ErrUnsupported)
	}
	if p.Domain.KeyAgreement() != p.KeyAgreement {
		return fmt.Errorf("%w: %s protocol on %s", ErrUnsupported, p.KeyAgreement, p.Domain)
	}
	if p.Mapping == lds.MappingIM && !p.Domain.SupportsIntegratedMapping() {
		return fmt.Errorf("%w: integrated mapping on %s (needs p ≡ 3 mod 4)", ErrUnsupported, p.Domain)
	}
	return nil
}

// ParamsOf resolves a PACEInfo: standardized parameters by ID, or the
// PACEDomainParameterInfo the ID (or, with none, the only one) names,
// whose explicit parameters must equal a standardized domain. Anything
// else (an ID outside ICAO 9303-11 table 6, toy or unknown curves and
// groups) wraps ErrUnsupported: EF.CardAccess is not signed, and weak
// parameters would let a fake chip test guessed passwords offline
// against the reader's token.
func ParamsOf(info lds.PACEInfo, domains []lds.PACEDomainParameterInfo) (Params, error) {
	id := NoParameterID
	if info.ParameterID != nil {
		id = *info.ParameterID
	}
	if d, ok := findDomainInfo(info, domains); ok {
		dom, stdID, err := keyagree.StandardDomainOfAlgorithm(d.DomainParameter)
		if err != nil {
			return Params{}, fmt.Errorf("%w: PACEDomainParameterInfo: %w", ErrUnsupported, err)
		}
		if id != NoParameterID && id < firstProprietaryID && id != stdID {
			return Params{}, fmt.Errorf("%w: parameter ID %d with the domain parameters of ID %d", ErrUnsupported, id, stdID)
		}
		return newParams(info.Protocol, id, dom)
	}
	if id == NoParameterID {
		return Params{}, fmt.Errorf("%w: PACEInfo names no domain parameters", ErrUnsupported)
	}
	d, err := keyagree.StandardDomain(id)
	if err != nil {
		return Params{}, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return newParams(info.Protocol, id, d)
}

// firstProprietaryID is the first parameter ID ICAO leaves to issuers;
// 0–31 are the standardized (or reserved) ones.
const firstProprietaryID = 32

// NewParamsOn builds a configuration on any domain parameters, for a chip
// (the simulator plays chips with weak parameters). The reader side runs
// only standardized domains: Run refuses the others.
func NewParamsOn(protocol asn1.ObjectIdentifier, parameterID int, d keyagree.Domain) (Params, error) {
	return newParams(protocol, parameterID, d)
}

// checkStandard refuses, on the reader's side, domain parameters that are
// not a standardized domain.
func (p Params) checkStandard() error {
	if _, ok := p.Domain.StandardID(); !ok {
		return fmt.Errorf("%w: %s: %w", ErrUnsupported, p.Domain, keyagree.ErrNotStandard)
	}
	return nil
}

// findDomainInfo finds the PACEDomainParameterInfo of a PACEInfo: the one
// with its parameter ID, or the only one when neither has an ID.
func findDomainInfo(info lds.PACEInfo, domains []lds.PACEDomainParameterInfo) (lds.PACEDomainParameterInfo, bool) {
	for _, d := range domains {
		if d.KeyAgreement != info.KeyAgreement {
			continue
		}
		switch {
		case info.ParameterID != nil && d.ParameterID != nil && *d.ParameterID == *info.ParameterID:
			return d, true
		case info.ParameterID == nil && d.ParameterID == nil && len(domains) == 1:
			return d, true
		}
	}
	return lds.PACEDomainParameterInfo{}, false
}

// Candidates returns every PACE configuration of the SecurityInfos that
// this package can run, strongest first (see Select for the order).
func Candidates(infos *lds.SecurityInfos) []Params {
	out, _ := candidates(infos)
	return out
}

// candidates returns the configurations this package runs, strongest
// first, and an error naming why each other PACEInfo was refused (nil
// when none was).
func candidates(infos *lds.SecurityInfos) ([]Params, error) {
	if infos == nil {
		return nil, nil
	}
	var out []Params
	var refused []error
	for _, info := range infos.PACE {
		p, err := ParamsOf(info, infos.PACEDomainParameters)
		if err != nil {
			refused = append(refused, fmt.Errorf("%s: %w", lds.ProtocolName(info.Protocol), err))
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Params) int { return -compareStrength(a, b) })
	return out, errors.Join(refused...)
}

// noCandidate is the error when EF.CardAccess lists no configuration this
// package runs: it names each PACEInfo's reason.
func noCandidate(refused error) error {
	if refused == nil {
		return fmt.Errorf("%w: EF.CardAccess lists no PACE configuration", ErrUnsupported)
	}
	return fmt.Errorf("%w: EF.CardAccess lists no PACE configuration this reader runs (%s)", ErrUnsupported,
		strings.ReplaceAll(refused.Error(), "\n", "; "))
}

// Select chooses the strongest PACE configuration the chip lists in
// EF.CardAccess. The order is, first criterion first:
//
//  1. security level: the smaller of the domain's (half the curve order,
//     80 bits for a 1024-bit and 112 for a 2048-bit MODP group) and the
//     cipher's (112 bits for 3DES, the AES key size);
//  2. mapping: chip authentication mapping (it authenticates the chip as
//     well), then generic, then integrated;
//  3. cipher key size, then the domain's security level;
//  4. ECDH before DH, then the order of EF.CardAccess.
//
// Configurations this package does not run (unknown protocols, domain
// parameters that are not standardized, integrated mapping on P-224) are
// skipped; with none left the error names each one's reason.
func Select(infos *lds.SecurityInfos) (Params, error) {
	c, refused := candidates(infos)
	if len(c) == 0 {
		return Params{}, noCandidate(refused)
	}
	return c[0], nil
}

func cipherBits(c sm.Cipher) int {
	if c == sm.TDES {
		return 112
	}
	return 8 * c.KeySize()
}

func mappingRank(m lds.Mapping) int {
	switch m {
	case lds.MappingCAM:
		return 3
	case lds.MappingGM:
		return 2
	}
	return 1
}

// compareStrength orders configurations by the criteria of Select.
func compareStrength(a, b Params) int {
	level := func(p Params) int { return min(p.Domain.SecurityBits(), cipherBits(p.Cipher)) }
	ecdh := func(p Params) int {
		if p.KeyAgreement == lds.KeyAgreementECDH {
			return 1
		}
		return 0
	}
	return cmp.Or(
		cmp.Compare(level(a), level(b)),
		cmp.Compare(mappingRank(a.Mapping), mappingRank(b.Mapping)),
		cmp.Compare(cipherBits(a.Cipher), cipherBits(b.Cipher)),
		cmp.Compare(a.Domain.SecurityBits(), b.Domain.SecurityBits()),
		cmp.Compare(ecdh(a), ecdh(b)),
	)
}
