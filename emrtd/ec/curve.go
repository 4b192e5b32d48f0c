// Package ec is elliptic-curve arithmetic for the curves eMRTDs use:
// short-Weierstrass curves y² = x³ + ax + b over GF(p) with any a (the
// brainpool curves have a ≠ −3, which Go's crypto/elliptic cannot handle),
// given by name or by explicit parameters as certificates and EF.CardAccess
// carry them.
//
// It provides point arithmetic in Jacobian coordinates on fixed-width
// Montgomery field elements, a Montgomery ladder for scalar multiplication
// that runs the same steps whatever the scalar (PACE and chip authentication
// ephemeral keys are secrets), point validation and encoding, ECDH, ECDSA
// verification and signing, the named curves of RFC 5639 and FIPS 186 with
// their object identifiers, and the ASN.1 ECParameters of RFC 3279 (named or
// explicit) with matching of explicit parameters to a named curve.
//
// Curves, points and keys are values that callers must not modify after
// creation; every operation returns new values.
package ec

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// Params are the domain parameters of a curve y² = x³ + ax + b over GF(P)
// with base point (Gx, Gy) of prime order N and cofactor H.
type Params struct {
	P, A, B, Gx, Gy, N, H *big.Int
}

// Curve is a validated curve with its precomputed field arithmetic.
type Curve struct {
	name     string
	oid      asn1.ObjectIdentifier
	params   Params
	f        *field
	a, b     fe // in Montgomery form
	g        jac
	orderLen int // bytes of a scalar
}

// ErrInvalidParams reports domain parameters that do not define a usable
// curve.
var ErrInvalidParams = errors.New("ec: invalid curve parameters")

// maxFieldBits bounds the field size this package accepts.
const maxFieldBits = 64 * maxLimbs

// NewCurve validates explicit domain parameters and returns the curve. It
// checks that P is an odd prime of at most 576 bits, that the curve is not
// singular, that G lies on it, that N is prime and N·G is the point at
// infinity, and that the cofactor is at least 1. It does not look for a
// named curve: use MatchNamed for that.
func NewCurve(p Params) (*Curve, error) {
	c, err := newCurveUnchecked(p)
	if err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// newCurveUnchecked builds the curve after cheap structural checks only;
// the named curves use it, since their parameters are known good.
func newCurveUnchecked(p Params) (*Curve, error) {
	for _, v := range []*big.Int{p.P, p.A, p.B, p.Gx, p.Gy, p.N, p.H} {
		if v == nil || v.Sign() < 0 {
			return nil, fmt.Errorf("%w: missing or negative parameter", ErrInvalidParams)
		}
	}
	if p.P.BitLen() > maxFieldBits || p.P.BitLen() < 16 || p.P.Bit(0) == 0 {
		return nil, fmt.Errorf("%w: prime of %d bits", ErrInvalidParams, p.P.BitLen())
	}
	if p.N.BitLen() > p.P.BitLen()+1 || p.N.Sign() == 0 || p.H.Sign() == 0 {
		return nil, fmt.Errorf("%w: order or cofactor out of range", ErrInvalidParams)
	}
	for _, v := range []*big.Int{p.A, p.B, p.Gx, p.Gy} {
		if v.Cmp(p.P) >= 0 {
			return nil, fmt.Errorf("%w: coefficient not below the prime", ErrInvalidParams)
		}
	}
	c := &Curve{params: p.clone(), f: newField(p.P)}
	c.a = c.f.toMont(p.A)
	c.b = c.f.toMont(p.B)
	c.g = c.toJac(Point{X: p.Gx, Y: p.Gy})
	c.orderLen = (p.N.BitLen() + 7) / 8
	return c, nil
}

func (c *Curve) validate() error {
	p := c.params
	if !p.P.ProbablyPrime(20) {
		return fmt.Errorf("%w: field modulus is not prime", ErrInvalidParams)
	}
	if !p.N.ProbablyPrime(20) {
		return fmt.Errorf("%w: order is not prime", ErrInvalidParams)
	}
	// 4a³ + 27b² ≠ 0 mod p: the curve is not singular.
	d := new(big.Int).Exp(p.A, big.NewInt(3), p.P)
	d.Mul(d, big.NewInt(4))
	b2 := new(big.Int).Mul(p.B, p.B)
	d.Add(d, b2.Mul(b2, big.NewInt(27)))
	if d.Mod(d, p.P).Sign() == 0 {
		return fmt.Errorf("%w: singular curve", ErrInvalidParams)
	}
	g := Point{X: p.Gx, Y: p.Gy}
	if !c.IsOnCurve(g) {
		return fmt.Errorf("%w: base point not on the curve", ErrInvalidParams)
	}
	if !c.ScalarMult(g, p.N.Bytes()).IsInfinity() {
		return fmt.Errorf("%w: base point does not have the stated order", ErrInvalidParams)
	}
	// Hasse: the curve has at most p + 1 + 2√p points, so h·n must not exceed it.
	hn := new(big.Int).Mul(p.H, p.N)
	bound := new(big.Int).Sqrt(p.P)
	bound.Lsh(bound, 1).Add(bound, p.P).Add(bound, big.NewInt(3))
	if hn.Cmp(bound) > 0 {
		return fmt.Errorf("%w: cofactor too large", ErrInvalidParams)
	}
	return nil
}

func (p Params) clone() Params {
	cp := func(x *big.Int) *big.Int { return new(big.Int).Set(x) }
	return Params{P: cp(p.P), A: cp(p.A), B: cp(p.B), Gx: cp(p.Gx), Gy: cp(p.Gy), N: cp(p.N), H: cp(p.H)}
}

// Params returns a copy of the domain parameters.
func (c *Curve) Params() Params { return c.params.clone() }

// Name is the curve's standard name ("brainpoolP256r1", "P-256"), or "" for
// a curve known only by its parameters.
func (c *Curve) Name() string { return c.name }

// OID is the curve's object identifier, or nil for an unnamed curve.
func (c *Curve) OID() asn1.ObjectIdentifier { return c.oid }

// String names the curve for messages.
func (c *Curve) String() string {
	if c.name != "" {
		return c.name
	}
	return fmt.Sprintf("explicit %d-bit curve", c.params.P.BitLen())
}

// BitSize is the bit length of the field prime.
func (c *Curve) BitSize() int { return c.params.P.BitLen() }

// ByteLen is the length of an encoded coordinate (and of an ECDH secret).
func (c *Curve) ByteLen() int { return c.f.byteLen }

// OrderByteLen is the length of an encoded scalar (private key, r, s).
func (c *Curve) OrderByteLen() int { return c.orderLen }

// G returns the base point.
func (c *Curve) G() Point {
	return Point{X: new(big.Int).Set(c.params.Gx), Y: new(big.Int).Set(c.params.Gy)}
}

// N returns a copy of the order of the base point.
func (c *Curve) N() *big.Int { return new(big.Int).Set(c.params.N) }

// P returns a copy of the field prime.
func (c *Curve) P() *big.Int { return new(big.Int).Set(c.params.P) }

// SameParams reports whether two curves have identical domain parameters.
func (c *Curve) SameParams(d *Curve) bool {
	a, b := c.params, d.params
	return a.P.Cmp(b.P) == 0 && a.A.Cmp(b.A) == 0 && a.B.Cmp(b.B) == 0 &&
		a.Gx.Cmp(b.Gx) == 0 && a.Gy.Cmp(b.Gy) == 0 && a.N.Cmp(b.N) == 0 && a.H.Cmp(b.H) == 0
}

// WithGenerator returns the same curve with g as base point, for PACE
// Generic and Integrated Mapping (G~ = s·G + H). g must be a valid point of
// the curve other than infinity; the order and cofactor are kept, which is
// right for the prime-order curves PACE uses. The result has no name.
func (c *Curve) WithGenerator(g Point) (*Curve, error) {
	if err := c.Validate(g); err != nil {
		return nil, fmt.Errorf("new generator: %w", err)
	}
	p := c.params.clone()
	p.Gx, p.Gy = new(big.Int).Set(g.X), new(big.Int).Set(g.Y)
	return newCurveUnchecked(p)
}
