package ec

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"
)

// referenceEncode is the point encoding of ICAO 9303-11 Appendix B.2 in
// math/big, step by step as printed: the constant-time encodePoint must
// give the same points.
func referenceEncode(c *Curve, u *big.Int) Point {
	p, a, b := c.params.P, c.params.A, c.params.B
	mod := func(x *big.Int) *big.Int { return x.Mod(x, p) }
	mul := func(x, y *big.Int) *big.Int { return mod(new(big.Int).Mul(x, y)) }
	alpha := mod(new(big.Int).Neg(mul(u, u)))
	aa := new(big.Int).Add(alpha, mul(alpha, alpha))
	inv := new(big.Int).ModInverse(mul(a, mod(aa)), p)
	x2 := mul(mod(new(big.Int).Neg(b)), mul(mod(new(big.Int).Add(big.NewInt(1), aa)), inv))
	x3 := mul(alpha, x2)
	h2 := mod(new(big.Int).Add(mul(mul(x2, x2), x2), new(big.Int).Add(mul(a, x2), b)))
	uu := mul(mul(mul(u, u), u), h2)
	e := new(big.Int).Rsh(new(big.Int).Add(p, big.NewInt(1)), 2)
	e.Sub(new(big.Int).Sub(p, big.NewInt(1)), e)
	bigA := new(big.Int).Exp(h2, e, p)
	if mul(mul(bigA, bigA), h2).Cmp(big.NewInt(1)) == 0 {
		return Point{X: x2, Y: mul(bigA, h2)}
	}
	return Point{X: x3, Y: mul(bigA, uu)}
}

func TestIntegratedMappingMatchesReference(t *testing.T) {
	for _, c := range NamedCurves() {
		if !c.SupportsIntegratedMapping() {
			continue
		}
		for range 8 {
			r := make([]byte, c.f.byteLen+8)
			rand.Read(r)
			mapped, err := c.IntegratedMapping(r)
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			u := new(big.Int).Mod(new(big.Int).SetBytes(r), c.params.P)
			if want := referenceEncode(c, u); !mapped.G().Equal(want) {
				t.Fatalf("%s: G~ differs from the reference", c)
			}
			if err := c.Validate(mapped.G()); err != nil {
				t.Fatalf("%s: %v", c, err)
			}
		}
	}
}

// The generic mapping is s·G + D·peer, and both ends get the same G~.
func TestGenericMapping(t *testing.T) {
	c := BrainpoolP256r1()
	a, _ := GenerateKey(c, rand.Reader)
	b, _ := GenerateKey(c, rand.Reader)
	s := make([]byte, 16)
	rand.Read(s)
	ga, err := a.GenericMapping(b.Point, s)
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := b.GenericMapping(a.Point, s)
	h, _ := a.SharedPoint(b.Point)
	if want := c.Add(c.ScalarBaseMult(s), h); !ga.G().Equal(want) || !gb.G().Equal(want) {
		t.Fatal("G~ differs")
	}
	// The mapped curve computes with its new generator.
	seven := bytes.Repeat([]byte{7}, 32)
	k, _ := NewPrivateKey(ga, seven)
	if !k.Point.Equal(c.ScalarMult(ga.G(), seven)) {
		t.Fatal("keys on the mapped curve")
	}
	if _, err := a.GenericMapping(Point{X: big.NewInt(1), Y: big.NewInt(1)}, s); err == nil {
		t.Error("a peer off the curve accepted")
	}
}
