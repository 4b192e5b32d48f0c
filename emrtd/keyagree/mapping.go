package keyagree

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/ec"
)

// ErrMapping is wrapped when a nonce maps to no usable generator (a
// degenerate value; with honest randomness it does not happen).
var ErrMapping = errors.New("keyagree: the mapping gives no generator")

// GenericMapping is PACE's Generic Mapping (ICAO 9303-11 §4.4.3.3.1):
// with H the shared element of k and the peer's mapping key, the new
// generator is s·G + H (ECDH) or g^s·h (DH). peer is validated.
func (k *KeyPair) GenericMapping(peer, s []byte) (Domain, error) {
	if bytes.Equal(peer, k.pub) {
		return Domain{}, fmt.Errorf("%w: the peer's mapping key equals ours", ErrInvalidPublic)
	}
	d := k.Domain()
	if d.Curve != nil {
		p, err := d.decodePoint(peer)
		if err != nil {
			return Domain{}, err
		}
		h, err := k.ec.SharedPoint(p)
		if err != nil {
			return Domain{}, fmt.Errorf("%w: %v", ErrInvalidPublic, err)
		}
		g := d.Curve.Add(d.Curve.ScalarBaseMult(s), h)
		mapped, err := d.Curve.WithGenerator(g)
		if err != nil {
			return Domain{}, fmt.Errorf("generic mapping: %w", err)
		}
		return Domain{Curve: mapped}, nil
	}
	y, err := d.decodeValue(peer)
	if err != nil {
		return Domain{}, err
	}
	h, err := k.dh.SharedElement(y)
	if err != nil {
		return Domain{}, fmt.Errorf("%w: %v", ErrInvalidPublic, err)
	}
	g := d.Group.Mul(d.Group.Exp(d.Group.G(), s), h)
	mapped, err := d.Group.WithGenerator(g)
	if err != nil {
		return Domain{}, fmt.Errorf("generic mapping: %w", err)
	}
	return Domain{Group: mapped}, nil
}

// PrimeBits is the bit length of the field prime or modulus: the
// integrated mapping draws that many bits and 64 more.
func (d Domain) PrimeBits() int {
	if d.Curve != nil {
		return d.Curve.BitSize()
	}
	return d.Group.P().BitLen()
}

// SupportsIntegratedMapping reports whether the integrated mapping is
// defined on the domain: the point encoding of Appendix B needs p ≡ 3 mod
// 4 (every standardized curve except P-224).
func (d Domain) SupportsIntegratedMapping() bool {
	if d.Curve == nil {
		return true
	}
	return d.Curve.P().Bit(0) == 1 && d.Curve.P().Bit(1) == 1
}

// IntegratedMapping is PACE's Integrated Mapping (§4.4.3.3.2) of the
// pseudo-random value r = R(s,t) (big-endian, at least PrimeBits()+64
// bits): with x = r mod p the new generator is f_G(x) on a curve and
// x^((p−1)/q) mod p in a MODP group.
func (d Domain) IntegratedMapping(r []byte) (Domain, error) {
	if d.Curve != nil {
		x := new(big.Int).SetBytes(r)
		x.Mod(x, d.Curve.P())
		g, err := encodePoint(d.Curve, x)
		if err != nil {
			return Domain{}, err
		}
		mapped, err := d.Curve.WithGenerator(g)
		if err != nil {
			return Domain{}, fmt.Errorf("integrated mapping: %w", err)
		}
		return Domain{Curve: mapped}, nil
	}
	p, q := d.Group.P(), d.Group.Q()
	x := new(big.Int).SetBytes(r)
	x.Mod(x, p)
	a := new(big.Int).Sub(p, big.NewInt(1))
	a.Div(a, q)
	g := new(big.Int).Exp(x, a, p)
	if g.Cmp(big.NewInt(1)) <= 0 {
		return Domain{}, ErrMapping
	}
	mapped, err := d.Group.WithGenerator(g)
	if err != nil {
		return Domain{}, fmt.Errorf("integrated mapping: %w", err)
	}
	return Domain{Group: mapped}, nil
}

// encodePoint is the point encoding f_G of ICAO 9303-11 Appendix B.2
// (affine coordinates, [BCIMRT2010]) for a curve with p ≡ 3 mod 4: it maps
// a field element u, 0 < u < p, to a point of the prime-order subgroup. It
// uses math/big (not constant time): the input is derived from nonces that
// travel in clear or encrypted under the password key, and the mapped
// generator is public.
func encodePoint(c *ec.Curve, u *big.Int) (ec.Point, error) {
	prm := c.Params()
	p, a, b := prm.P, prm.A, prm.B
	if p.Bit(0) != 1 || p.Bit(1) != 1 {
		return ec.Point{}, fmt.Errorf("%w: the point encoding needs p ≡ 3 mod 4", ErrDomain)
	}
	if u.Sign() <= 0 || u.Cmp(p) >= 0 {
		return ec.Point{}, ErrMapping
	}
	mod := func(x *big.Int) *big.Int { return x.Mod(x, p) }
	mul := func(x, y *big.Int) *big.Int { return mod(new(big.Int).Mul(x, y)) }
	// 1. α = −u² mod p
	alpha := mod(new(big.Int).Neg(mul(u, u)))
	// 2. X2 = −b·(1 + α + α²)·(a·(α + α²))^(p−2) mod p
	aa := new(big.Int).Add(alpha, mul(alpha, alpha))
	den := mul(a, mod(aa))
	if den.Sign() == 0 {
		return ec.Point{}, ErrMapping
	}
	inv := new(big.Int).Exp(den, new(big.Int).Sub(p, big.NewInt(2)), p)
	num := mod(new(big.Int).Add(big.NewInt(1), aa))
	x2 := mul(mod(new(big.Int).Neg(b)), mul(num, inv))
	// 3. X3 = α·X2
	x3 := mul(alpha, x2)
	// 4. h2 = X2³ + a·X2 + b
	h2 := mod(new(big.Int).Add(mul(mul(x2, x2), x2), new(big.Int).Add(mul(a, x2), b)))
	// 6. U = u³·h2
	uu := mul(mul(mul(u, u), u), h2)
	// 7. A = h2^(p − 1 − (p+1)/4)
	e := new(big.Int).Add(p, big.NewInt(1))
	e.Rsh(e, 2)
	e.Sub(new(big.Int).Sub(p, big.NewInt(1)), e)
	bigA := new(big.Int).Exp(h2, e, p)
	// 8./9. the square root of h2 when it exists, else of h3 = α³·h2
	var pt ec.Point
	if mul(mul(bigA, bigA), h2).Cmp(big.NewInt(1)) == 0 {
		pt = ec.Point{X: x2, Y: mul(bigA, h2)}
	} else {
		pt = ec.Point{X: x3, Y: mul(bigA, uu)}
	}
	if !c.IsOnCurve(pt) {
		return ec.Point{}, ErrMapping
	}
	// 10. multiply by the cofactor
	if prm.H.Cmp(big.NewInt(1)) != 0 {
		pt = c.ScalarMult(pt, prm.H.Bytes())
		if pt.IsInfinity() {
			return ec.Point{}, ErrMapping
		}
	}
	return pt, nil
}
