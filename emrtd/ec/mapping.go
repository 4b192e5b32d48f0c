package ec

import (
	"errors"
	"fmt"
	"math/big"
)

// PACE maps a nonce into a new generator of the curve (ICAO 9303-11
// §4.4.3.3): the generic mapping G~ = s·G + H, the integrated mapping
// G~ = f_G(R_p(s,t)). G~ is as secret as the nonce (with it, a recorded
// run would let an eavesdropper test guessed passwords), so both are
// computed here on the constant-time field and point arithmetic, with
// selections instead of branches; only degenerate results (probability
// about 1/p) branch, to be refused.

// ErrMapping is wrapped when a nonce maps to no usable generator.
var ErrMapping = errors.New("ec: the mapping gives no generator")

// GenericMapping is PACE's generic mapping with k as the mapping key:
// G~ = s·G + H with H = D·peer (peer is validated). It returns the curve
// with G~ as base point.
func (k *PrivateKey) GenericMapping(peer Point, s []byte) (*Curve, error) {
	c := k.Curve
	if err := c.Validate(peer); err != nil {
		return nil, fmt.Errorf("mapping peer key: %w", err)
	}
	pj := c.toJac(peer)
	h := c.ladder(&pj, k.Bytes())
	sg := c.ladder(&c.g, s)
	var g jac
	c.add(&g, &sg, &h)
	return c.withGenerator(&g)
}

// SupportsIntegratedMapping reports whether the point encoding of ICAO
// 9303-11 Appendix B applies: it needs p ≡ 3 mod 4 (every standardized
// curve but P-224).
func (c *Curve) SupportsIntegratedMapping() bool {
	return c.params.P.Bit(0) == 1 && c.params.P.Bit(1) == 1
}

// IntegratedMapping is PACE's integrated mapping of r = R(s,t), the
// pseudo-random bytes (at least 64 bits longer than p): G~ = f_G(r mod p)
// with the point encoding f_G of Appendix B.2, multiplied by the
// cofactor. It returns the curve with G~ as base point.
func (c *Curve) IntegratedMapping(r []byte) (*Curve, error) {
	if !c.SupportsIntegratedMapping() {
		return nil, fmt.Errorf("%w: the point encoding needs p ≡ 3 mod 4", ErrUnsupportedParams)
	}
	u := c.reduce(r)
	g, ok := c.encodePoint(&u)
	if !ok {
		return nil, ErrMapping
	}
	if c.params.H.Cmp(big.NewInt(1)) != 0 {
		g = c.ladder(&g, c.params.H.Bytes())
	}
	return c.withGenerator(&g)
}

// reduce returns r mod p in Montgomery form, by Horner's rule over chunks
// of byteLen−1 bytes (each below p), in time that depends only on len(r).
func (c *Curve) reduce(r []byte) fe {
	f := c.f
	k := f.byteLen - 1
	padded := make([]byte, (len(r)+k-1)/k*k)
	copy(padded[len(padded)-len(r):], r)
	shift := f.toMont(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), uint(8*k)), c.params.P))
	var acc fe
	for i := 0; i < len(padded); i += k {
		chunk := f.fromBytes(padded[i : i+k])
		f.mul(&acc, &acc, &shift)
		f.add(&acc, &acc, &chunk)
	}
	return acc
}

// encodePoint is f_G of ICAO 9303-11 Appendix B.2 (affine, [BCIMRT2010])
// for p ≡ 3 mod 4: it maps u ≠ 0 to a point of the curve. Both candidate
// points are computed and one selected by mask; ok is false only for
// degenerate inputs (u = 0, a·(α+α²) = 0).
func (c *Curve) encodePoint(u *fe) (jac, bool) {
	f := c.f
	var zero, alpha, t, aa, den, num, x2, x3, h2, uu, bigA, chk, y2, y3 fe
	// 1. α = −u²
	f.sqr(&alpha, u)
	f.sub(&alpha, &zero, &alpha)
	// 2. X2 = −b·(1 + α + α²)·(a·(α + α²))^(p−2)
	f.sqr(&t, &alpha)
	f.add(&aa, &alpha, &t)
	f.mul(&den, &c.a, &aa)
	degenerate := f.isZero(u) | f.isZero(&den)
	f.inv(&den, &den)
	f.add(&num, &f.one, &aa)
	f.mul(&x2, &c.b, &num)
	f.sub(&x2, &zero, &x2)
	f.mul(&x2, &x2, &den)
	// 3. X3 = α·X2
	f.mul(&x3, &alpha, &x2)
	// 4. h2 = X2³ + a·X2 + b
	f.sqr(&h2, &x2)
	f.add(&h2, &h2, &c.a)
	f.mul(&h2, &h2, &x2)
	f.add(&h2, &h2, &c.b)
	// 6. U = u³·h2
	f.sqr(&uu, u)
	f.mul(&uu, &uu, u)
	f.mul(&uu, &uu, &h2)
	// 7. A = h2^(p − 1 − (p+1)/4)
	f.pow(&bigA, &h2, c.sqrtExp())
	// 8./9. (X2, A·h2) when A²·h2 = 1 (h2 is a square), else (X3, A·U)
	f.sqr(&chk, &bigA)
	f.mul(&chk, &chk, &h2)
	square := f.equal(&chk, &f.one)
	f.mul(&y2, &bigA, &h2)
	f.mul(&y3, &bigA, &uu)
	g := jac{z: f.one}
	sel(&g.x, square, &x2, &x3)
	sel(&g.y, square, &y2, &y3)
	if degenerate != 0 || c.onCurveJac1(&g) == 0 {
		return jac{}, false
	}
	return g, true
}

// sqrtExp is p − 1 − (p+1)/4, the exponent of step 7 (public).
func (c *Curve) sqrtExp() []byte {
	p := c.params.P
	e := new(big.Int).Add(p, big.NewInt(1))
	e.Rsh(e, 2)
	return e.Sub(new(big.Int).Sub(p, big.NewInt(1)), e).Bytes()
}

// onCurveJac1 returns all ones when the point (x, y, 1) satisfies the
// curve equation.
func (c *Curve) onCurveJac1(p *jac) uint64 {
	f := c.f
	var lhs, rhs fe
	f.sqr(&lhs, &p.y)
	f.sqr(&rhs, &p.x)
	f.add(&rhs, &rhs, &c.a)
	f.mul(&rhs, &rhs, &p.x)
	f.add(&rhs, &rhs, &c.b)
	return f.equal(&lhs, &rhs)
}

// withGenerator returns the curve with the mapped point g as base point.
// g comes from validated points and field operations, so it is on the
// curve and in the subgroup; only infinity (a degenerate nonce) is
// refused. The point stays in field elements: the affine coordinates are
// kept as big.Int for Params only.
func (c *Curve) withGenerator(g *jac) (*Curve, error) {
	f := c.f
	if f.isZero(&g.z) != 0 {
		return nil, ErrMapping
	}
	x, y := c.affine(g)
	p := c.params.clone()
	p.Gx, p.Gy = f.fromMont(&x), f.fromMont(&y)
	return &Curve{params: p, f: f, a: c.a, b: c.b, g: jac{x: x, y: y, z: f.one}, orderLen: c.orderLen}, nil
}
