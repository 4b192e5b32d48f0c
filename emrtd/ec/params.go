package ec

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OIDPrimeField is id-prime-field (X9.62), the field type of explicit
// parameters over GF(p).
var OIDPrimeField = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}

// ErrUnsupportedParams reports parameters that are well-formed but not
// usable here (binary fields, implicitlyCA).
var ErrUnsupportedParams = errors.New("ec: unsupported curve parameters")

// ParseParameters decodes the parameters of an id-ecPublicKey algorithm
// identifier (RFC 3279 EcpkParameters): a named curve OID, or explicit
// ECParameters. Explicit parameters that equal a named curve's return that
// named curve; others are validated and returned as an unnamed curve.
func ParseParameters(der []byte) (*Curve, error) {
	in := cryptobyte.String(der)
	switch {
	case in.PeekASN1Tag(casn1.OBJECT_IDENTIFIER):
		var oid asn1.ObjectIdentifier
		if !in.ReadASN1ObjectIdentifier(&oid) || !in.Empty() {
			return nil, errors.New("ec: malformed curve identifier")
		}
		c := ByOID(oid)
		if c == nil {
			return nil, fmt.Errorf("%w: curve %s", ErrUnsupportedParams, oid)
		}
		return c, nil
	case in.PeekASN1Tag(casn1.SEQUENCE):
		return ParseExplicitParameters(der)
	case in.PeekASN1Tag(casn1.NULL):
		return nil, fmt.Errorf("%w: implicitlyCA", ErrUnsupportedParams)
	}
	return nil, errors.New("ec: malformed curve parameters")
}

// explicitCache remembers curves decoded from explicit parameters, keyed by
// their encoding: a master list carries hundreds of certificates with the
// same few parameter sets, and validating an unnamed curve costs a scalar
// multiplication and two primality tests.
var explicitCache struct {
	sync.Mutex
	m map[string]*Curve
}

const explicitCacheMax = 64

// ParseExplicitParameters decodes ECParameters (SEC 1 §C.2): version,
// prime field, a, b, optional seed, base point (compressed or
// uncompressed), order and optional cofactor.
func ParseExplicitParameters(der []byte) (*Curve, error) {
	explicitCache.Lock()
	c, ok := explicitCache.m[string(der)]
	explicitCache.Unlock()
	if ok {
		return c, nil
	}
	c, err := parseExplicit(der)
	if err != nil {
		return nil, err
	}
	explicitCache.Lock()
	if explicitCache.m == nil || len(explicitCache.m) >= explicitCacheMax {
		explicitCache.m = map[string]*Curve{}
	}
	explicitCache.m[string(der)] = c
	explicitCache.Unlock()
	return c, nil
}

func parseExplicit(der []byte) (*Curve, error) {
	p, base, err := decodeExplicit(der)
	if err != nil {
		return nil, err
	}
	// Decompression needs a prime modulus (square roots modulo a
	// composite may not terminate), so test it before decoding the base.
	if !p.P.ProbablyPrime(20) {
		return nil, fmt.Errorf("%w: field modulus is not prime", ErrInvalidParams)
	}
	if p.H == nil {
		p.H = impliedCofactor(p.P, p.N)
	}
	// Decode the base point on a provisional curve with a placeholder
	// generator, then build the real one.
	p.Gx, p.Gy = big.NewInt(0), big.NewInt(0)
	prov, err := newCurveUnchecked(p)
	if err != nil {
		return nil, err
	}
	g, err := prov.decode(base)
	if err != nil {
		return nil, fmt.Errorf("explicit parameters base point: %w", err)
	}
	p.Gx, p.Gy = g.X, g.Y
	candidate, err := newCurveUnchecked(p)
	if err != nil {
		return nil, err
	}
	if named := MatchNamed(candidate); named != nil {
		return named, nil
	}
	if err := candidate.validate(); err != nil {
		return nil, err
	}
	return candidate, nil
}

// decodeExplicit reads the fields of ECParameters; Gx, Gy are left nil and
// the encoded base point returned. H is nil when the cofactor is absent.
func decodeExplicit(der []byte) (Params, []byte, error) {
	var p Params
	bad := func(what string) (Params, []byte, error) {
		return Params{}, nil, fmt.Errorf("ec: malformed explicit parameters: %s", what)
	}
	in := cryptobyte.String(der)
	var seq, fieldID, curve cryptobyte.String
	var version int64
	var fieldType asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, casn1.SEQUENCE) || !in.Empty() {
		return bad("not one SEQUENCE")
	}
	if !seq.ReadASN1Integer(&version) || version < 1 || version > 3 {
		return bad("version")
	}
	if !seq.ReadASN1(&fieldID, casn1.SEQUENCE) || !fieldID.ReadASN1ObjectIdentifier(&fieldType) {
		return bad("fieldID")
	}
	if !fieldType.Equal(OIDPrimeField) {
		return Params{}, nil, fmt.Errorf("%w: field type %s", ErrUnsupportedParams, fieldType)
	}
	p.P = new(big.Int)
	if !fieldID.ReadASN1Integer(p.P) || !fieldID.Empty() || p.P.Sign() <= 0 {
		return bad("prime")
	}
	if p.P.BitLen() > maxFieldBits {
		return Params{}, nil, fmt.Errorf("%w: %d-bit field", ErrUnsupportedParams, p.P.BitLen())
	}
	var a, b, base []byte
	if !seq.ReadASN1(&curve, casn1.SEQUENCE) ||
		!curve.ReadASN1Bytes(&a, casn1.OCTET_STRING) || !curve.ReadASN1Bytes(&b, casn1.OCTET_STRING) {
		return bad("curve")
	}
	if !curve.SkipOptionalASN1(casn1.BIT_STRING) || !curve.Empty() {
		return bad("curve seed")
	}
	p.A, p.B = new(big.Int).SetBytes(a), new(big.Int).SetBytes(b)
	if !seq.ReadASN1Bytes(&base, casn1.OCTET_STRING) {
		return bad("base point")
	}
	p.N = new(big.Int)
	if !seq.ReadASN1Integer(p.N) || p.N.Sign() <= 0 {
		return bad("order")
	}
	if seq.PeekASN1Tag(casn1.INTEGER) {
		p.H = new(big.Int)
		if !seq.ReadASN1Integer(p.H) || p.H.Sign() <= 0 {
			return bad("cofactor")
		}
	}
	// SEC 1 v2 allows a trailing hash algorithm; ignore anything after.
	return p, base, nil
}

// impliedCofactor is ⌊(p + 1 + 2√p) / n⌋, the cofactor when the parameters
// omit it (exact whenever n > 4√p, as for every curve in use).
func impliedCofactor(p, n *big.Int) *big.Int {
	s := new(big.Int).Sqrt(p)
	s.Lsh(s, 1).Add(s, p).Add(s, big.NewInt(1))
	return s.Div(s, n)
}

// MarshalExplicitParameters encodes the curve as explicit ECParameters
// (version 1, uncompressed base point, with cofactor, without seed), the
// form many CSCA certificates use.
func (c *Curve) MarshalExplicitParameters() []byte {
	p := c.params
	fieldLen := c.f.byteLen
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(OIDPrimeField)
			b.AddASN1BigInt(p.P)
		})
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(p.A.FillBytes(make([]byte, fieldLen)))
			b.AddASN1OctetString(p.B.FillBytes(make([]byte, fieldLen)))
		})
		b.AddASN1OctetString(c.Marshal(Point{X: p.Gx, Y: p.Gy}))
		b.AddASN1BigInt(p.N)
		b.AddASN1BigInt(p.H)
	})
	return b.BytesOrPanic()
}

// MarshalParameters encodes the curve as EcpkParameters: the named curve
// OID when it has one, explicit parameters otherwise.
func (c *Curve) MarshalParameters() []byte {
	if c.oid == nil {
		return c.MarshalExplicitParameters()
	}
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(c.oid)
	return b.BytesOrPanic()
}
