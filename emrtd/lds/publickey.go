package lds

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/tlv"
)

// PublicKey is a SubjectPublicKeyInfo (X.509) as DG15 and DG14 carry it:
// the raw bytes, always kept (emrtd/cert and emrtd/ec parse what Go's
// crypto cannot), and what this package reads from them.
type PublicKey struct {
	// Algorithm is "RSA", "EC" or "DH" ("" when unknown).
	Algorithm    string                `json:"algorithm"`
	AlgorithmOID asn1.ObjectIdentifier `json:"-"`
	// Curve names a named or standardized curve ("P-256",
	// "brainpoolP256r1"); CurveOID is its identifier.
	Curve    string                `json:"curve,omitempty"`
	CurveOID asn1.ObjectIdentifier `json:"-"`
	// ExplicitParameters is true when the domain parameters are given in
	// full (ECParameters or DomainParameters) rather than named.
	ExplicitParameters bool `json:"explicitParameters,omitempty"`
	// StandardizedParameterID is set when the parameters are BSI
	// standardized domain parameters given by number.
	StandardizedParameterID *int `json:"standardizedParameterId,omitempty"`
	// Bits is the modulus size (RSA), field size (EC) or prime size (DH).
	Bits int `json:"bits"`
	// Parameters is the DER of the algorithm parameters, nil if absent.
	Parameters []byte `json:"-"`
	// Key is the content of the subjectPublicKey BIT STRING: an EC point,
	// the DER of an RSAPublicKey, or the DER INTEGER of a DH key.
	Key []byte `json:"-"`
	// RSA is set for RSA keys; ECDSA for EC keys on P-224/256/384/521.
	RSA   *rsa.PublicKey   `json:"-"`
	ECDSA *ecdsa.PublicKey `json:"-"`
	// SPKI is the whole SubjectPublicKeyInfo, DER as the chip stored it.
	SPKI []byte `json:"-"`
}

// maxKeyBytes bounds a key modulus or prime (16384 bits).
const maxKeyBytes = 2048 + 1

// ParseSubjectPublicKeyInfo parses a SubjectPublicKeyInfo. Keys of
// unknown algorithms and EC keys on curves Go does not know are returned
// with their raw parts and no error.
func ParseSubjectPublicKeyInfo(b []byte) (*PublicKey, error) {
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%w: public key of %d bytes", ErrTooLarge, len(b))
	}
	spki, rest, err := tlv.Decode(b)
	if err != nil || spki.Tag != tagSequence {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo is not a SEQUENCE", ErrMalformed)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after SubjectPublicKeyInfo", ErrMalformed, len(rest))
	}
	kids, err := children("SubjectPublicKeyInfo", spki.Value)
	if err != nil {
		return nil, err
	}
	if len(kids) != 2 || kids[0].Tag != tagSequence || kids[1].Tag != tagBitString {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo needs an AlgorithmIdentifier and a BIT STRING", ErrMalformed)
	}
	alg, params, err := parseAlgorithmIdentifier(kids[0])
	if err != nil {
		return nil, fmt.Errorf("SubjectPublicKeyInfo algorithm: %w", err)
	}
	bits := kids[1].Value
	if len(bits) < 1 || bits[0] != 0 {
		return nil, fmt.Errorf("%w: subjectPublicKey BIT STRING has unused bits", ErrMalformed)
	}
	k := &PublicKey{AlgorithmOID: alg, Key: clone(bits[1:]), SPKI: clone(spki.Raw)}
	if params != nil {
		k.Parameters = clone(params.Raw)
	}
	switch {
	case alg.Equal(OIDRSAEncryption):
		k.Algorithm = "RSA"
		err = k.parseRSA()
	case alg.Equal(OIDECPublicKey):
		k.Algorithm = "EC"
		err = k.parseECParameters(params)
		if err == nil {
			k.makeECDSA()
		}
	case alg.Equal(OIDDHPublicNumber), alg.Equal(OIDDHKeyAgreement):
		k.Algorithm = "DH"
		err = k.parseDHParameters(params)
	case alg.Equal(OIDStandardizedDomainParameters):
		err = k.parseStandardized(params)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// parseAlgorithmIdentifier returns the OID and the parameters (nil when
// absent or NULL).
func parseAlgorithmIdentifier(t tlv.TLV) (asn1.ObjectIdentifier, *tlv.TLV, error) {
	kids, err := children("AlgorithmIdentifier", t.Value)
	if err != nil {
		return nil, nil, err
	}
	if len(kids) < 1 || len(kids) > 2 || kids[0].Tag != tagOID {
		return nil, nil, fmt.Errorf("%w: AlgorithmIdentifier", ErrMalformed)
	}
	oid, err := parseOID(kids[0].Value)
	if err != nil {
		return nil, nil, err
	}
	if len(kids) == 1 || kids[1].Tag == tagNull {
		return oid, nil, nil
	}
	return oid, &kids[1], nil
}

func (k *PublicKey) parseRSA() error {
	seq, err := tlv.Unwrap(k.Key, tagSequence)
	if err != nil {
		return fmt.Errorf("%w: RSAPublicKey: %v", ErrMalformed, err)
	}
	kids, err := children("RSAPublicKey", seq)
	if err != nil {
		return err
	}
	if len(kids) != 2 || kids[0].Tag != tagInteger || kids[1].Tag != tagInteger {
		return fmt.Errorf("%w: RSAPublicKey needs modulus and exponent", ErrMalformed)
	}
	if len(kids[0].Value) > maxKeyBytes {
		return fmt.Errorf("%w: RSA modulus of %d bytes", ErrTooLarge, len(kids[0].Value))
	}
	n := new(big.Int).SetBytes(kids[0].Value)
	if len(kids[0].Value) == 0 || kids[0].Value[0]&0x80 != 0 || n.Sign() <= 0 {
		return fmt.Errorf("%w: RSA modulus not positive", ErrMalformed)
	}
	e, err := parseInt(kids[1].Value)
	if err != nil || e < 3 || e > 1<<31-1 {
		return fmt.Errorf("%w: RSA exponent out of range", ErrMalformed)
	}
	k.RSA = &rsa.PublicKey{N: n, E: int(e)}
	k.Bits = n.BitLen()
	return nil
}

// parseECParameters reads ECParameters: a named curve OID, explicit
// SpecifiedECDomain (the field prime gives the size), or implicitCA (NULL,
// absent here).
func (k *PublicKey) parseECParameters(p *tlv.TLV) error {
	if p == nil {
		return nil
	}
	switch p.Tag {
	case tagOID:
		oid, err := parseOID(p.Value)
		if err != nil {
			return err
		}
		k.CurveOID = oid
		if c := ec.ByOID(oid); c != nil {
			k.Curve, k.Bits = c.Name(), c.BitSize()
		}
		return nil
	case tagSequence:
		k.ExplicitParameters = true
		kids, err := children("ECParameters", p.Value)
		if err != nil {
			return err
		}
		if len(kids) < 5 || kids[1].Tag != tagSequence {
			return fmt.Errorf("%w: explicit ECParameters", ErrMalformed)
		}
		field, err := children("ECParameters fieldID", kids[1].Value)
		if err != nil {
			return err
		}
		if len(field) == 2 && field[1].Tag == tagInteger {
			if len(field[1].Value) > maxKeyBytes {
				return fmt.Errorf("%w: EC field of %d bytes", ErrTooLarge, len(field[1].Value))
			}
			k.Bits = new(big.Int).SetBytes(field[1].Value).BitLen()
		}
		return nil
	}
	return fmt.Errorf("%w: EC parameters of tag %X", ErrMalformed, p.Tag)
}

// parseDHParameters reads DomainParameters { p, g, q, ... }.
func (k *PublicKey) parseDHParameters(p *tlv.TLV) error {
	if p == nil || p.Tag != tagSequence {
		return fmt.Errorf("%w: DH public key without domain parameters", ErrMalformed)
	}
	k.ExplicitParameters = true
	kids, err := children("DH DomainParameters", p.Value)
	if err != nil {
		return err
	}
	if len(kids) < 2 || kids[0].Tag != tagInteger {
		return fmt.Errorf("%w: DH DomainParameters", ErrMalformed)
	}
	if len(kids[0].Value) > maxKeyBytes {
		return fmt.Errorf("%w: DH prime of %d bytes", ErrTooLarge, len(kids[0].Value))
	}
	k.Bits = new(big.Int).SetBytes(kids[0].Value).BitLen()
	return nil
}

// parseStandardized reads the BSI standardized domain parameters: the
// parameter is the parameterId INTEGER.
func (k *PublicKey) parseStandardized(p *tlv.TLV) error {
	if p == nil || p.Tag != tagInteger {
		return fmt.Errorf("%w: standardized domain parameters without parameterId", ErrMalformed)
	}
	id, err := intOf(*p)
	if err != nil {
		return err
	}
	k.StandardizedParameterID = &id
	if sp, ok := StandardizedDomainParameterByID(id); ok {
		k.Bits = sp.Bits
		if sp.EC {
			k.Algorithm, k.Curve = "EC", sp.Name
		} else {
			k.Algorithm = "DH"
		}
	}
	return nil
}

// makeECDSA builds a crypto/ecdsa key for the curves Go knows.
func (k *PublicKey) makeECDSA() {
	var c elliptic.Curve
	switch k.Curve {
	case "P-224":
		c = elliptic.P224()
	case "P-256":
		c = elliptic.P256()
	case "P-384":
		c = elliptic.P384()
	case "P-521":
		c = elliptic.P521()
	default:
		return
	}
	if key, err := ecdsa.ParseUncompressedPublicKey(c, k.Key); err == nil {
		k.ECDSA = key
	}
}

// DG15 is data group 15 (tag 6F): the active authentication public key.
type DG15 struct {
	PublicKey *PublicKey `json:"publicKey"`
}

// ParseDG15 parses DG15.
func ParseDG15(b []byte) (*DG15, error) {
	v, err := unwrap("DG15", b, 0x6F)
	if err != nil {
		return nil, err
	}
	k, err := ParseSubjectPublicKeyInfo(v)
	if err != nil {
		return nil, fmt.Errorf("DG15: %w", err)
	}
	return &DG15{PublicKey: k}, nil
}
