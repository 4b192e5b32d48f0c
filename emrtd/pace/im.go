package pace

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/sm"
)

// The constants c0 and c1 of the pseudo-random number mapping (ICAO 9303-11
// §4.4.3.3.2): 128-bit for 3DES and AES-128, 256-bit for AES-192/256.
var (
	imC0short = mustHex("a668892a7c41e3ca739f40b057d85904")
	imC1short = mustHex("a4e136ac725f738b01c1f60217c188ad")
	imC0long  = mustHex("d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676")
	imC1long  = mustHex("54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// errMapping is wrapped when a nonce maps to a degenerate generator.
var errMapping = errors.New("integrated mapping gives no generator")

// imNonceLen is the length in bytes of the chip's nonce s for the
// Integrated Mapping: l, the smallest multiple of the block size at least
// the key size, with 3DES counting as 128 bits (§4.4.3.3).
func imNonceLen(c sm.Cipher) int {
	if c == sm.AES192 || c == sm.AES256 {
		return 32
	}
	return 16
}

// imTerminalNonceLen is the length of the terminal's nonce t: the key size.
func imTerminalNonceLen(c sm.Cipher) int { return c.KeySize() }

// pseudoRandom is R(s,t) of §4.4.3.3.2 (figure 2): with E the cipher in CBC
// mode with a zero IV, k0 = E(t, s), then x_i = E(k_i, c1) and
// k_(i+1) = E(k_i, c0) (keys truncated to the key size), concatenating n
// blocks x_i so that n·l ≥ log2(p) + 64.
func pseudoRandom(c sm.Cipher, s, t []byte, pBits int) ([]byte, error) {
	l := imNonceLen(c)
	if len(s) != l {
		return nil, fmt.Errorf("integrated mapping: nonce of %d bytes, want %d", len(s), l)
	}
	if len(t) != imTerminalNonceLen(c) {
		return nil, fmt.Errorf("integrated mapping: terminal nonce of %d bytes, want %d", len(t), imTerminalNonceLen(c))
	}
	c0, c1 := imC0short, imC1short
	if l == 32 {
		c0, c1 = imC0long, imC1long
	}
	k, err := c.Encrypt(t, s)
	if err != nil {
		return nil, err
	}
	n := (pBits + 64 + 8*l - 1) / (8 * l)
	out := make([]byte, 0, n*l)
	for range n {
		k = k[:c.KeySize()]
		x, err := c.Encrypt(k, c1)
		if err != nil {
			return nil, err
		}
		out = append(out, x...)
		if k, err = c.Encrypt(k, c0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pseudoRandomMod is R_p(s,t): R(s,t) as an integer modulo p.
func pseudoRandomMod(c sm.Cipher, s, t []byte, p *big.Int) (*big.Int, error) {
	r, err := pseudoRandom(c, s, t, p.BitLen())
	if err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(r)
	return x.Mod(x, p), nil
}

// mapIntegrated is the Integrated Mapping: the new generator is
// f_G(R_p(s,t)) on a curve, R_p(s,t)^((p−1)/q) mod p in a MODP group.
func (d Domain) mapIntegrated(c sm.Cipher, s, t []byte) (Domain, error) {
	if d.Curve != nil {
		x, err := pseudoRandomMod(c, s, t, d.Curve.P())
		if err != nil {
			return Domain{}, err
		}
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
	x, err := pseudoRandomMod(c, s, t, p)
	if err != nil {
		return Domain{}, err
	}
	a := new(big.Int).Sub(p, big.NewInt(1))
	a.Div(a, q)
	g := new(big.Int).Exp(x, a, p)
	if g.Cmp(big.NewInt(1)) <= 0 {
		return Domain{}, errMapping
	}
	mapped, err := d.Group.WithGenerator(g)
	if err != nil {
		return Domain{}, fmt.Errorf("integrated mapping: %w", err)
	}
	return Domain{Group: mapped}, nil
}

// supportsIntegrated reports whether the Integrated Mapping is defined on
// the domain: the point encoding of Appendix B needs p ≡ 3 mod 4 (every
// standardized curve except P-224).
func (d Domain) supportsIntegrated() bool {
	if d.Curve == nil {
		return true
	}
	return d.Curve.P().Bit(0) == 1 && d.Curve.P().Bit(1) == 1
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
		return ec.Point{}, fmt.Errorf("%w: the point encoding needs p ≡ 3 mod 4", ErrUnsupported)
	}
	if u.Sign() <= 0 || u.Cmp(p) >= 0 {
		return ec.Point{}, errMapping
	}
	mod := func(x *big.Int) *big.Int { return x.Mod(x, p) }
	mul := func(x, y *big.Int) *big.Int { return mod(new(big.Int).Mul(x, y)) }
	// 1. α = −u² mod p
	alpha := mod(new(big.Int).Neg(mul(u, u)))
	// 2. X2 = −b·(1 + α + α²)·(a·(α + α²))^(p−2) mod p
	aa := new(big.Int).Add(alpha, mul(alpha, alpha))
	den := mul(a, mod(aa))
	if den.Sign() == 0 {
		return ec.Point{}, errMapping
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
		return ec.Point{}, errMapping
	}
	// 10. multiply by the cofactor
	if prm.H.Cmp(big.NewInt(1)) != 0 {
		pt = c.ScalarMult(pt, prm.H.Bytes())
		if pt.IsInfinity() {
			return ec.Point{}, errMapping
		}
	}
	return pt, nil
}
