// Package keyagree is the Diffie-Hellman key agreement that PACE, Chip
// Authentication and the chip authentication mapping share (ICAO 9303-11
// §9.6, BSI TR-03110-3): domain parameters (an elliptic curve from
// emrtd/ec or a MODP group from emrtd/dh, standardized by ID or explicit),
// the domain of a public key as DG14, DG15 and EF.CardSecurity carry it,
// key pairs, validated public values, the shared secret, and the two ways
// PACE maps a nonce into new domain parameters (generic and integrated
// mapping), computed without branching on secrets.
//
// Protocol messages are not here: emrtd/pace and emrtd/chipauth build
// them. Private keys and shared secrets never appear in errors.
package keyagree

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Domain is the domain parameters of a Diffie-Hellman key agreement: an
// elliptic curve (ECDH) or a MODP group (DH). Exactly one is set. PACE
// maps a nonce into a new generator of it; Chip Authentication and the
// chip authentication mapping use the chip's static key on it.
type Domain struct {
	Curve *ec.Curve
	Group *dh.Group
}

// KeyAgreement reports whether the domain is an elliptic curve or a MODP
// group.
func (d Domain) KeyAgreement() lds.KeyAgreement {
	if d.Curve != nil {
		return lds.KeyAgreementECDH
	}
	return lds.KeyAgreementDH
}

// Valid reports whether exactly one of Curve and Group is set.
func (d Domain) Valid() bool { return (d.Curve == nil) != (d.Group == nil) }

func (d Domain) String() string {
	switch {
	case d.Curve != nil:
		return d.Curve.String()
	case d.Group != nil:
		return fmt.Sprintf("%d-bit MODP group with %d-bit subgroup", d.Group.P().BitLen(), d.Group.Q().BitLen())
	}
	return "no domain parameters"
}

// SecurityBits estimates the strength of the domain in bits, as NIST SP
// 800-57 rates them: half the order for a curve, 80 for a 1024-bit and 112
// for a 2048-bit MODP group. Selection among PACEInfos uses it.
func (d Domain) SecurityBits() int {
	switch {
	case d.Curve != nil:
		return d.Curve.N().BitLen() / 2
	case d.Group != nil:
		switch bits := d.Group.P().BitLen(); {
		case bits >= 15360:
			return 256
		case bits >= 7680:
			return 192
		case bits >= 3072:
			return 128
		case bits >= 2048:
			return 112
		}
		return 80
	}
	return 0
}

// ErrDomain is wrapped when domain parameters are unknown or malformed.
var ErrDomain = errors.New("keyagree: unsupported or malformed domain parameters")

// StandardDomain returns the standardized domain parameters of ICAO 9303-11
// §9.5.1 (table 6): 0–2 the RFC 5114 MODP groups, 8–18 the NIST and
// brainpool curves.
func StandardDomain(id int) (Domain, error) {
	sp, ok := lds.StandardizedDomainParameterByID(id)
	if !ok {
		return Domain{}, fmt.Errorf("%w: parameter ID %d is not standardized", ErrDomain, id)
	}
	if !sp.EC {
		g, err := dh.Standard(id)
		if err != nil {
			return Domain{}, fmt.Errorf("%w: %v", ErrDomain, err)
		}
		return Domain{Group: g}, nil
	}
	c := ec.ByName(sp.Name)
	if c == nil {
		return Domain{}, fmt.Errorf("%w: curve of parameter ID %d", ErrDomain, id)
	}
	return Domain{Curve: c}, nil
}

// DomainOfAlgorithm decodes the domain parameters of an AlgorithmIdentifier
// as PACEDomainParameterInfo and ChipAuthenticationDomainParameterInfo
// carry them: id-ecPublicKey with ECParameters, dhpublicnumber with X9.42
// DomainParameters, or standardizedDomainParameters with a parameter ID.
func DomainOfAlgorithm(a lds.AlgorithmIdentifier) (Domain, error) {
	switch {
	case a.Algorithm.Equal(lds.OIDECPublicKey):
		c, err := ec.ParseParameters(a.Parameters)
		if err != nil {
			return Domain{}, fmt.Errorf("%w: %v", ErrDomain, err)
		}
		return Domain{Curve: c}, nil
	case a.Algorithm.Equal(lds.OIDDHPublicNumber):
		g, err := parseDHParameters(a.Parameters)
		if err != nil {
			return Domain{}, err
		}
		return Domain{Group: g}, nil
	case a.Algorithm.Equal(lds.OIDStandardizedDomainParameters):
		in := cryptobyte.String(a.Parameters)
		var id int
		if !in.ReadASN1Integer(&id) || !in.Empty() {
			return Domain{}, fmt.Errorf("%w: standardized domain parameters without an ID", ErrDomain)
		}
		return StandardDomain(id)
	}
	return Domain{}, fmt.Errorf("%w: algorithm %s", ErrDomain, a.Algorithm)
}

// DomainOfKey returns the domain parameters of a public key as
// ChipAuthenticationPublicKeyInfo (DG14, EF.CardSecurity) and DG15 carry
// it.
func DomainOfKey(k *lds.PublicKey) (Domain, error) {
	if k == nil {
		return Domain{}, fmt.Errorf("%w: no public key", ErrDomain)
	}
	if k.StandardizedParameterID != nil {
		return StandardDomain(*k.StandardizedParameterID)
	}
	switch {
	case k.AlgorithmOID.Equal(lds.OIDECPublicKey):
		if k.Parameters == nil {
			return Domain{}, fmt.Errorf("%w: EC key without curve parameters", ErrDomain)
		}
		return DomainOfAlgorithm(lds.AlgorithmIdentifier{Algorithm: k.AlgorithmOID, Parameters: k.Parameters})
	case k.AlgorithmOID.Equal(lds.OIDDHPublicNumber):
		g, err := parseDHParameters(k.Parameters)
		if err != nil {
			return Domain{}, err
		}
		return Domain{Group: g}, nil
	case k.AlgorithmOID.Equal(lds.OIDDHKeyAgreement):
		g, err := parsePKCS3Parameters(k.Parameters)
		if err != nil {
			return Domain{}, err
		}
		return Domain{Group: g}, nil
	}
	return Domain{}, fmt.Errorf("%w: key algorithm %s", ErrDomain, k.AlgorithmOID)
}

// PublicValue returns the encoded public value of a key on d: the point
// (uncompressed) of an EC key, or the big-endian value of a DH key (the
// subjectPublicKey of a DH key is a DER INTEGER). It is validated.
func (d Domain) PublicValue(k *lds.PublicKey) ([]byte, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: no public key", ErrDomain)
	}
	switch {
	case d.Curve != nil:
		p, err := d.Curve.Unmarshal(k.Key)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		return d.Curve.Marshal(p), nil
	case d.Group != nil:
		in := cryptobyte.String(k.Key)
		y := new(big.Int)
		if !in.ReadASN1Integer(y) || !in.Empty() {
			// Some documents store the bare value.
			y.SetBytes(k.Key)
		}
		if err := d.Group.Validate(y); err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		return d.Group.Encode(y), nil
	}
	return nil, fmt.Errorf("%w: no domain", ErrDomain)
}

// ErrNotStandard is wrapped when domain parameters are well-formed but not
// one of the standardized domains of ICAO 9303-11 table 6, which is all
// PACE runs on.
var ErrNotStandard = errors.New("keyagree: domain parameters are not standardized")

// StandardID returns the standardized domain parameter ID (ICAO 9303-11
// table 6) whose parameters d has, all of them equal.
func (d Domain) StandardID() (int, bool) {
	for id := 0; id < 32; id++ { // 0–31: the IDs table 6 reserves
		std, err := StandardDomain(id)
		if err != nil {
			continue
		}
		switch {
		case d.Curve != nil && std.Curve != nil && d.Curve.SameParams(std.Curve):
			return id, true
		case d.Group != nil && std.Group != nil && sameGroup(d.Group, std.Group):
			return id, true
		}
	}
	return 0, false
}

func sameGroup(a, b *dh.Group) bool {
	return a == b || a.P().Cmp(b.P()) == 0 && a.G().Cmp(b.G()) == 0 && a.Q().Cmp(b.Q()) == 0
}

// StandardDomainOfAlgorithm is DomainOfAlgorithm for PACE, which runs only
// on the standardized domains: explicit parameters are accepted when they
// equal one (its ID is returned), anything else wraps ErrNotStandard.
// Explicit DH parameters are compared before any primality test, so a
// large group from the unsigned EF.CardAccess costs nothing.
func StandardDomainOfAlgorithm(a lds.AlgorithmIdentifier) (Domain, int, error) {
	var d Domain
	switch {
	case a.Algorithm.Equal(lds.OIDDHPublicNumber):
		p, g, q, err := decodeDHParameters(a.Parameters)
		if err != nil {
			return Domain{}, 0, err
		}
		if id, ok := standardGroupID(p, g, q); ok {
			std, err := StandardDomain(id)
			return std, id, err
		}
		return Domain{}, 0, fmt.Errorf("%w: a %d-bit MODP group with a %d-bit subgroup", ErrNotStandard, p.BitLen(), q.BitLen())
	default:
		var err error
		if d, err = DomainOfAlgorithm(a); err != nil {
			return Domain{}, 0, err
		}
	}
	id, ok := d.StandardID()
	if !ok {
		return Domain{}, 0, fmt.Errorf("%w: %s", ErrNotStandard, d)
	}
	std, err := StandardDomain(id)
	return std, id, err
}

// decodeDHParameters reads p, g and q of X9.42 DomainParameters { p, g, q,
// j OPTIONAL, validationParms OPTIONAL }.
func decodeDHParameters(der []byte) (p, g, q *big.Int, err error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	p, g, q = new(big.Int), new(big.Int), new(big.Int)
	if !in.ReadASN1(&seq, casn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(p) || !seq.ReadASN1Integer(g) || !seq.ReadASN1Integer(q) {
		return nil, nil, nil, fmt.Errorf("%w: DH DomainParameters", ErrDomain)
	}
	return p, g, q, nil
}

// standardGroupID finds the RFC 5114 group (IDs 0–2) with these values.
func standardGroupID(p, g, q *big.Int) (int, bool) {
	for id := 0; id <= 2; id++ {
		s, _ := dh.Standard(id)
		if s.P().Cmp(p) == 0 && s.G().Cmp(g) == 0 && s.Q().Cmp(q) == 0 {
			return id, true
		}
	}
	return 0, false
}

// parsePKCS3Parameters decodes PKCS #3 DHParameter { prime, base,
// privateValueLength OPTIONAL }, which names no subgroup order (C-03): the
// standardized group with this prime and base, else the safe-prime group
// of order (p−1)/2 (dh.NewGroup checks that it is one).
func parsePKCS3Parameters(der []byte) (*dh.Group, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	p, g := new(big.Int), new(big.Int)
	if !in.ReadASN1(&seq, casn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(p) || !seq.ReadASN1Integer(g) {
		return nil, fmt.Errorf("%w: PKCS #3 DHParameter", ErrDomain)
	}
	for id := 0; id <= 2; id++ {
		if s, _ := dh.Standard(id); s.P().Cmp(p) == 0 && s.G().Cmp(g) == 0 {
			return s, nil
		}
	}
	q := new(big.Int).Rsh(p, 1)
	grp, err := dh.NewGroup(p, g, q)
	if err != nil {
		return nil, fmt.Errorf("%w: PKCS #3 parameters of no standardized or safe-prime group: %v", ErrDomain, err)
	}
	return grp, nil
}

// parseDHParameters decodes X9.42 DomainParameters: a standardized group,
// or an explicit one that dh.NewGroup bounds and tests.
func parseDHParameters(der []byte) (*dh.Group, error) {
	p, g, q, err := decodeDHParameters(der)
	if err != nil {
		return nil, err
	}
	grp, err := dh.NewGroup(p, g, q) // a standardized group comes back as such
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDomain, err)
	}
	return grp, nil
}
