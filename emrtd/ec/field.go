package ec

import (
	"math/big"
	"math/bits"
)

// maxLimbs bounds the field size: 9 limbs of 64 bits hold P-521.
const maxLimbs = 9

// fe is a field element: little-endian 64-bit limbs, in Montgomery form
// (x·R mod p with R = 2^(64·n)). Limbs at and above the field's n are zero.
type fe [maxLimbs]uint64

// field is GF(p) arithmetic on fixed-width limbs. Every operation runs the
// same instructions whatever the values, so secret scalars do not leak
// through the timing of the field arithmetic (unlike math/big, which
// normalises its numbers).
type field struct {
	n       int    // limbs in use
	p       fe     // the modulus (not in Montgomery form)
	pInv    uint64 // −p⁻¹ mod 2^64
	r2      fe     // R² mod p, to enter Montgomery form
	one     fe     // R mod p: 1 in Montgomery form
	pMinus2 []byte // exponent for inversion by Fermat's little theorem
	byteLen int    // bytes of an encoded element
	pBig    *big.Int
}

// newField prepares arithmetic modulo the odd prime p (at most 576 bits).
func newField(p *big.Int) *field {
	f := &field{pBig: new(big.Int).Set(p), byteLen: (p.BitLen() + 7) / 8}
	f.n = (p.BitLen() + 63) / 64
	f.p = limbsOf(p)
	// Newton iteration for p⁻¹ mod 2^64 (p is odd).
	inv := uint64(1)
	for i := 0; i < 6; i++ {
		inv *= 2 - f.p[0]*inv
	}
	f.pInv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*f.n))
	f.one = limbsOf(new(big.Int).Mod(r, p))
	f.r2 = limbsOf(new(big.Int).Mod(new(big.Int).Mul(r, r), p))
	f.pMinus2 = new(big.Int).Sub(p, big.NewInt(2)).Bytes()
	return f
}

// limbsOf converts a non-negative integer below 2^576 to limbs.
func limbsOf(x *big.Int) fe {
	var z fe
	b := x.Bytes()
	for i := 0; i < len(b) && i < 8*maxLimbs; i++ {
		z[i/8] |= uint64(b[len(b)-1-i]) << (8 * (i % 8))
	}
	return z
}

// mul sets z = x·y·R⁻¹ mod p (Montgomery multiplication, CIOS method).
func (f *field) mul(z, x, y *fe) {
	var tt [maxLimbs + 2]uint64
	n := f.n
	xs, ys, ps := x[:n:n], y[:n:n], f.p[:n:n]
	t := tt[: n+2 : n+2]
	pInv := f.pInv
	for _, yi := range ys {
		var c uint64
		for j, xj := range xs {
			hi, lo := bits.Mul64(xj, yi)
			var c1, c2 uint64
			lo, c1 = bits.Add64(lo, t[j], 0)
			lo, c2 = bits.Add64(lo, c, 0)
			t[j], c = lo, hi+c1+c2
		}
		var c3 uint64
		t[n], c3 = bits.Add64(t[n], c, 0)
		t[n+1] = c3

		m := t[0] * pInv
		hi, lo := bits.Mul64(m, ps[0])
		_, c1 := bits.Add64(lo, t[0], 0)
		c = hi + c1
		for j := 1; j < n; j++ {
			hi, lo := bits.Mul64(m, ps[j])
			var c2 uint64
			lo, c1 = bits.Add64(lo, t[j], 0)
			lo, c2 = bits.Add64(lo, c, 0)
			t[j-1], c = lo, hi+c1+c2
		}
		t[n-1], c1 = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + c1
	}
	f.reduceOnce(z, t[:n], t[n])
}

// reduceOnce sets z = t − p if the n-limb value t (with carry limb hi) is at
// least p, else z = t. t must be below 2p.
func (f *field) reduceOnce(z *fe, t []uint64, hi uint64) {
	var s fe
	var b uint64
	for j := range t {
		s[j], b = bits.Sub64(t[j], f.p[j], b)
	}
	_, b = bits.Sub64(hi, 0, b)
	keep := -b // all ones when t < p
	for j := range t {
		z[j] = t[j]&keep | s[j]&^keep
	}
	for j := len(t); j < maxLimbs; j++ {
		z[j] = 0
	}
}

func (f *field) sqr(z, x *fe) { f.mul(z, x, x) }

// add sets z = x + y mod p.
func (f *field) add(z, x, y *fe) {
	var t [maxLimbs]uint64
	var c uint64
	for j := 0; j < f.n; j++ {
		t[j], c = bits.Add64(x[j], y[j], c)
	}
	f.reduceOnce(z, t[:f.n], c)
}

// sub sets z = x − y mod p.
func (f *field) sub(z, x, y *fe) {
	var t fe
	var b uint64
	for j := 0; j < f.n; j++ {
		t[j], b = bits.Sub64(x[j], y[j], b)
	}
	mask := -b // add p back when the subtraction borrowed
	var c uint64
	for j := 0; j < f.n; j++ {
		t[j], c = bits.Add64(t[j], f.p[j]&mask, c)
	}
	*z = t
}

// isZero returns all ones when x is zero and 0 otherwise.
func (f *field) isZero(x *fe) uint64 {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j]
	}
	// acc == 0 ⇔ (acc | −acc) has its top bit clear.
	return ((acc | -acc) >> 63) - 1
}

// equal returns all ones when x == y and 0 otherwise.
func (f *field) equal(x, y *fe) uint64 {
	var d fe
	for j := 0; j < f.n; j++ {
		d[j] = x[j] ^ y[j]
	}
	return f.isZero(&d)
}

// sel sets z = a when mask is all ones and z = b when mask is zero.
func sel(z *fe, mask uint64, a, b *fe) {
	for j := range z {
		z[j] = a[j]&mask | b[j]&^mask
	}
}

// toMont converts an integer in [0, p) to Montgomery form.
func (f *field) toMont(x *big.Int) fe {
	v := limbsOf(x)
	var z fe
	f.mul(&z, &v, &f.r2)
	return z
}

// fromMont converts out of Montgomery form.
func (f *field) fromMont(x *fe) *big.Int { return new(big.Int).SetBytes(f.fromMontBytes(x)) }

// bytes encodes a plain (non-Montgomery) element big-endian in byteLen bytes.
func (f *field) bytes(x *fe) []byte {
	out := make([]byte, f.byteLen)
	for i := 0; i < f.byteLen; i++ {
		out[f.byteLen-1-i] = byte(x[i/8] >> (8 * (i % 8)))
	}
	return out
}

// inv sets z = x⁻¹ (x^(p−2)); the inverse of zero is zero.
func (f *field) inv(z, x *fe) { f.pow(z, x, f.pMinus2) }

// pow sets z = x^e for a public big-endian exponent: square-and-multiply
// branches on the exponent's bits, never on x, so it leaks nothing about
// a secret x.
func (f *field) pow(z, x *fe, e []byte) {
	base := *x
	r := f.one
	for _, byt := range e {
		for bit := 7; bit >= 0; bit-- {
			f.sqr(&r, &r)
			if byt>>uint(bit)&1 == 1 {
				f.mul(&r, &r, &base)
			}
		}
	}
	*z = r
}

// fromBytes reads a big-endian value of exactly byteLen bytes, below p,
// into Montgomery form, in time that depends only on the length.
func (f *field) fromBytes(b []byte) fe {
	var v fe
	for i := 0; i < len(b) && i < 8*maxLimbs; i++ {
		v[i/8] |= uint64(b[len(b)-1-i]) << (8 * (i % 8))
	}
	var z fe
	f.mul(&z, &v, &f.r2)
	return z
}

// fromMontBytes converts out of Montgomery form into byteLen big-endian
// bytes.
func (f *field) fromMontBytes(x *fe) []byte {
	one := fe{1}
	var z fe
	f.mul(&z, x, &one)
	return f.bytes(&z)
}
