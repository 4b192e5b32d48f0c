package ec

import (
	"errors"
	"fmt"
	"math/big"
)

// Point is an affine point. The zero Point (X == nil) is the point at
// infinity.
type Point struct {
	X, Y *big.Int
}

// Infinity returns the point at infinity.
func Infinity() Point { return Point{} }

// IsInfinity reports whether p is the point at infinity.
func (p Point) IsInfinity() bool { return p.X == nil || p.Y == nil }

// Equal reports whether two points are the same.
func (p Point) Equal(q Point) bool {
	if p.IsInfinity() || q.IsInfinity() {
		return p.IsInfinity() == q.IsInfinity()
	}
	return p.X.Cmp(q.X) == 0 && p.Y.Cmp(q.Y) == 0
}

// ErrInvalidPoint reports a point that is not a valid public value.
var ErrInvalidPoint = errors.New("ec: invalid point")

// IsOnCurve reports whether p is a finite point with coordinates in [0, P)
// that satisfies the curve equation.
func (c *Curve) IsOnCurve(p Point) bool {
	if p.IsInfinity() || p.X.Sign() < 0 || p.Y.Sign() < 0 ||
		p.X.Cmp(c.params.P) >= 0 || p.Y.Cmp(c.params.P) >= 0 {
		return false
	}
	f := c.f
	x, y := f.toMont(p.X), f.toMont(p.Y)
	var lhs, rhs, t fe
	f.sqr(&lhs, &y)
	f.sqr(&rhs, &x)
	f.add(&rhs, &rhs, &c.a)
	f.mul(&rhs, &rhs, &x)
	f.add(&rhs, &rhs, &c.b)
	t = rhs
	return f.equal(&lhs, &t) != 0
}

// Validate checks a public point (a peer's key, a certificate's key): not
// infinity, coordinates in range, on the curve and, when the cofactor is
// not 1, in the subgroup of order N.
func (c *Curve) Validate(p Point) error {
	if p.IsInfinity() {
		return fmt.Errorf("%w: point at infinity", ErrInvalidPoint)
	}
	if !c.IsOnCurve(p) {
		return fmt.Errorf("%w: not on %s", ErrInvalidPoint, c)
	}
	if c.params.H.Cmp(big.NewInt(1)) != 0 && !c.ScalarMult(p, c.params.N.Bytes()).IsInfinity() {
		return fmt.Errorf("%w: not in the prime-order subgroup", ErrInvalidPoint)
	}
	return nil
}

// jac is a point in Jacobian coordinates (X/Z², Y/Z³) with Montgomery-form
// coordinates; Z = 0 is the point at infinity.
type jac struct{ x, y, z fe }

func (c *Curve) toJac(p Point) jac {
	if p.IsInfinity() {
		return jac{x: c.f.one, y: c.f.one}
	}
	x := new(big.Int).Mod(p.X, c.params.P)
	y := new(big.Int).Mod(p.Y, c.params.P)
	return jac{x: c.f.toMont(x), y: c.f.toMont(y), z: c.f.one}
}

func (c *Curve) toAffine(p *jac) Point {
	f := c.f
	if f.isZero(&p.z) != 0 {
		return Point{}
	}
	x, y := c.affine(p)
	return Point{X: f.fromMont(&x), Y: f.fromMont(&y)}
}

// affine returns X/Z² and Y/Z³ of a finite point, in Montgomery form.
func (c *Curve) affine(p *jac) (x, y fe) {
	f := c.f
	var zi, zi2 fe
	f.inv(&zi, &p.z)
	f.sqr(&zi2, &zi)
	f.mul(&x, &p.x, &zi2)
	f.mul(&zi2, &zi2, &zi)
	f.mul(&y, &p.y, &zi2)
	return x, y
}

// double sets r = 2p for any a ("dbl-2007-bl"). It maps infinity to
// infinity and points of order 2 to infinity.
func (c *Curve) double(r, p *jac) {
	f := c.f
	var xx, yy, yyyy, zz, s, m, t, u fe
	f.sqr(&xx, &p.x)
	f.sqr(&yy, &p.y)
	f.sqr(&yyyy, &yy)
	f.sqr(&zz, &p.z)
	// S = 2·((X+YY)² − XX − YYYY)
	f.add(&s, &p.x, &yy)
	f.sqr(&s, &s)
	f.sub(&s, &s, &xx)
	f.sub(&s, &s, &yyyy)
	f.add(&s, &s, &s)
	// M = 3·XX + a·ZZ²
	f.sqr(&m, &zz)
	f.mul(&m, &m, &c.a)
	f.add(&m, &m, &xx)
	f.add(&m, &m, &xx)
	f.add(&m, &m, &xx)
	// X3 = M² − 2S
	f.sqr(&t, &m)
	f.sub(&t, &t, &s)
	f.sub(&t, &t, &s)
	// Z3 = (Y+Z)² − YY − ZZ
	f.add(&u, &p.y, &p.z)
	f.sqr(&u, &u)
	f.sub(&u, &u, &yy)
	f.sub(&r.z, &u, &zz)
	// Y3 = M·(S − X3) − 8·YYYY
	f.sub(&s, &s, &t)
	f.mul(&s, &s, &m)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.sub(&r.y, &s, &yyyy)
	r.x = t
}

// addCore computes the general sum p + q ("add-2007-bl") into r, valid
// when neither is infinity and p ≠ ±q, and returns masks (all ones or
// zero) telling whether p and q have the same x and the same y. The
// constant-time add and the variable-time addVar share it.
func (c *Curve) addCore(r, p, q *jac) (sameX, sameY uint64) {
	f := c.f
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t fe
	f.sqr(&z1z1, &p.z)
	f.sqr(&z2z2, &q.z)
	f.mul(&u1, &p.x, &z2z2)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s1, &p.y, &q.z)
	f.mul(&s1, &s1, &z2z2)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &u1)
	f.sub(&rr, &s2, &s1)
	sameX, sameY = f.isZero(&h), f.isZero(&rr)
	f.add(&i, &h, &h)
	f.sqr(&i, &i)
	f.mul(&j, &h, &i)
	f.add(&rr, &rr, &rr)
	f.mul(&v, &u1, &i)
	var sum jac
	// X3 = r² − J − 2V
	f.sqr(&sum.x, &rr)
	f.sub(&sum.x, &sum.x, &j)
	f.sub(&sum.x, &sum.x, &v)
	f.sub(&sum.x, &sum.x, &v)
	// Y3 = r·(V − X3) − 2·S1·J
	f.sub(&t, &v, &sum.x)
	f.mul(&t, &t, &rr)
	f.mul(&s1, &s1, &j)
	f.add(&s1, &s1, &s1)
	f.sub(&sum.y, &t, &s1)
	// Z3 = ((Z1 + Z2)² − Z1Z1 − Z2Z2)·H
	f.add(&t, &p.z, &q.z)
	f.sqr(&t, &t)
	f.sub(&t, &t, &z1z1)
	f.sub(&t, &t, &z2z2)
	f.mul(&sum.z, &t, &h)
	*r = sum
	return sameX, sameY
}

// add sets r = p + q for all inputs (infinity, p = q, p = −q) without
// branching on the values: it computes the general sum and the doubling,
// then selects. (For p = −q the general formula gives Z3 = 0: infinity.)
func (c *Curve) add(r, p, q *jac) {
	f := c.f
	var sum, dbl jac
	sameX, sameY := c.addCore(&sum, p, q)
	c.double(&dbl, p)
	pInf, qInf := f.isZero(&p.z), f.isZero(&q.z)
	useDbl := sameX & sameY &^ pInf &^ qInf
	selJac(&sum, useDbl, &dbl, &sum)
	selJac(&sum, pInf, q, &sum)
	selJac(&sum, qInf&^pInf, p, &sum)
	*r = sum
}

func selJac(r *jac, mask uint64, a, b *jac) {
	sel(&r.x, mask, &a.x, &b.x)
	sel(&r.y, mask, &a.y, &b.y)
	sel(&r.z, mask, &a.z, &b.z)
}

// swapJac exchanges p and q when mask is all ones.
func swapJac(mask uint64, p, q *jac) {
	for _, pair := range [3][2]*fe{{&p.x, &q.x}, {&p.y, &q.y}, {&p.z, &q.z}} {
		a, b := pair[0], pair[1]
		for j := range a {
			d := (a[j] ^ b[j]) & mask
			a[j] ^= d
			b[j] ^= d
		}
	}
}

// ladder computes k·p with a Montgomery ladder over a fixed number of bits:
// 8·max(len(k), OrderByteLen()). Each step does one addition, one doubling
// and two conditional swaps, whatever the bit.
func (c *Curve) ladder(p *jac, k []byte) jac {
	n := c.orderLen
	if len(k) > n {
		n = len(k)
	}
	padded := make([]byte, n)
	copy(padded[n-len(k):], k)
	r0 := jac{x: c.f.one, y: c.f.one} // infinity
	r1 := *p
	for _, byt := range padded {
		for bit := 7; bit >= 0; bit-- {
			mask := -uint64(byt >> uint(bit) & 1)
			swapJac(mask, &r0, &r1)
			c.add(&r1, &r0, &r1)
			c.double(&r0, &r0)
			swapJac(mask, &r0, &r1)
		}
	}
	return r0
}

// Add returns p + q. Both must be on the curve (or infinity).
func (c *Curve) Add(p, q Point) Point {
	a, b := c.toJac(p), c.toJac(q)
	var r jac
	c.add(&r, &a, &b)
	return c.toAffine(&r)
}

// Double returns 2·p.
func (c *Curve) Double(p Point) Point {
	a := c.toJac(p)
	c.double(&a, &a)
	return c.toAffine(&a)
}

// Neg returns −p.
func (c *Curve) Neg(p Point) Point {
	if p.IsInfinity() {
		return p
	}
	y := new(big.Int).Sub(c.params.P, new(big.Int).Mod(p.Y, c.params.P))
	y.Mod(y, c.params.P)
	return Point{X: new(big.Int).Set(p.X), Y: y}
}

// ScalarMult returns k·p for a big-endian scalar k, in time that depends on
// the length of k but not on its value. p must be on the curve (validate
// received points first).
func (c *Curve) ScalarMult(p Point, k []byte) Point {
	a := c.toJac(p)
	r := c.ladder(&a, k)
	return c.toAffine(&r)
}

// ScalarBaseMult returns k·G.
func (c *Curve) ScalarBaseMult(k []byte) Point {
	r := c.ladder(&c.g, k)
	return c.toAffine(&r)
}
