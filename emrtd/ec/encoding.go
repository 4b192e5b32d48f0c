package ec

import (
	"fmt"
	"math/big"
)

// Marshal encodes a point uncompressed (04 ‖ X ‖ Y, SEC 1 §2.3.3), the
// form eMRTD protocols exchange. The point at infinity encodes as 00.
func (c *Curve) Marshal(p Point) []byte {
	if p.IsInfinity() {
		return []byte{0}
	}
	n := c.f.byteLen
	out := make([]byte, 1+2*n)
	out[0] = 4
	p.X.FillBytes(out[1 : 1+n])
	p.Y.FillBytes(out[1+n:])
	return out
}

// MarshalCompressed encodes a point as 02/03 ‖ X.
func (c *Curve) MarshalCompressed(p Point) []byte {
	if p.IsInfinity() {
		return []byte{0}
	}
	out := make([]byte, 1+c.f.byteLen)
	out[0] = 2 | byte(p.Y.Bit(0))
	p.X.FillBytes(out[1:])
	return out
}

// Unmarshal decodes an uncompressed or compressed point and validates it
// (on the curve, not infinity, in the prime-order subgroup).
func (c *Curve) Unmarshal(b []byte) (Point, error) {
	p, err := c.decode(b)
	if err != nil {
		return Point{}, err
	}
	if err := c.Validate(p); err != nil {
		return Point{}, err
	}
	return p, nil
}

func (c *Curve) decode(b []byte) (Point, error) {
	n := c.f.byteLen
	if len(b) == 0 {
		return Point{}, fmt.Errorf("%w: empty encoding", ErrInvalidPoint)
	}
	switch {
	case b[0] == 4 && len(b) == 1+2*n:
		return Point{X: new(big.Int).SetBytes(b[1 : 1+n]), Y: new(big.Int).SetBytes(b[1+n:])}, nil
	case (b[0] == 2 || b[0] == 3) && len(b) == 1+n:
		return c.decompress(new(big.Int).SetBytes(b[1:]), uint(b[0]&1))
	}
	return Point{}, fmt.Errorf("%w: encoding of %d bytes with prefix %02X for a %d-byte field", ErrInvalidPoint, len(b), b[0], n)
}

// decompress finds y with y² = x³ + ax + b and the given parity.
func (c *Curve) decompress(x *big.Int, parity uint) (Point, error) {
	p := c.params.P
	if x.Cmp(p) >= 0 {
		return Point{}, fmt.Errorf("%w: x not below the prime", ErrInvalidPoint)
	}
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, c.params.A).Mul(rhs, x).Add(rhs, c.params.B).Mod(rhs, p)
	y := new(big.Int).ModSqrt(rhs, p)
	if y == nil {
		return Point{}, fmt.Errorf("%w: x is not on the curve", ErrInvalidPoint)
	}
	if y.Bit(0) != parity {
		y.Sub(p, y).Mod(y, p)
	}
	return Point{X: x, Y: y}, nil
}
