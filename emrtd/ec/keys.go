package ec

import (
	"errors"
	"fmt"
	"io"
	"math/big"
)

// PublicKey is a validated point on a curve.
type PublicKey struct {
	Curve *Curve
	Point Point
}

// PrivateKey is a scalar D in [1, N−1] with its public point D·G.
type PrivateKey struct {
	PublicKey
	D *big.Int
}

// NewPublicKey validates the point and returns the key.
func NewPublicKey(c *Curve, p Point) (*PublicKey, error) {
	if err := c.Validate(p); err != nil {
		return nil, err
	}
	return &PublicKey{Curve: c, Point: p}, nil
}

// ParsePublicKey decodes an encoded point (uncompressed or compressed).
func ParsePublicKey(c *Curve, b []byte) (*PublicKey, error) {
	p, err := c.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	return &PublicKey{Curve: c, Point: p}, nil
}

// Bytes encodes the public point uncompressed.
func (k *PublicKey) Bytes() []byte { return k.Curve.Marshal(k.Point) }

// Equal reports whether two public keys are the same point on curves with
// the same parameters.
func (k *PublicKey) Equal(o *PublicKey) bool {
	return o != nil && k.Curve.SameParams(o.Curve) && k.Point.Equal(o.Point)
}

// NewPrivateKey makes a key from a big-endian scalar in [1, N−1].
func NewPrivateKey(c *Curve, d []byte) (*PrivateKey, error) {
	v := new(big.Int).SetBytes(d)
	if v.Sign() == 0 || v.Cmp(c.params.N) >= 0 {
		return nil, errors.New("ec: private scalar out of range")
	}
	return &PrivateKey{PublicKey: PublicKey{Curve: c, Point: c.ScalarBaseMult(d)}, D: v}, nil
}

// GenerateKey draws a private key uniformly from [1, N−1].
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	d, err := randScalar(c, rand)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

// randScalar draws a scalar in [1, N−1] by rejection sampling.
func randScalar(c *Curve, rand io.Reader) ([]byte, error) {
	n := c.params.N
	buf := make([]byte, c.orderLen)
	excess := uint(8*c.orderLen - n.BitLen())
	for range 1000 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, fmt.Errorf("ec: read randomness: %w", err)
		}
		buf[0] &= 0xFF >> excess
		v := new(big.Int).SetBytes(buf)
		if v.Sign() > 0 && v.Cmp(n) < 0 {
			return buf, nil
		}
	}
	return nil, errors.New("ec: randomness source keeps giving out-of-range scalars")
}

// Bytes encodes the private scalar in OrderByteLen bytes.
func (k *PrivateKey) Bytes() []byte {
	return k.D.FillBytes(make([]byte, k.Curve.orderLen))
}

// ECDH returns the shared secret with a peer's public point: the
// x-coordinate of D·peer in ByteLen bytes (the form ICAO 9303-11 and BSI
// TR-03111 use). The peer point is validated first.
func (k *PrivateKey) ECDH(peer Point) ([]byte, error) {
	c := k.Curve
	if err := c.Validate(peer); err != nil {
		return nil, fmt.Errorf("ecdh peer key: %w", err)
	}
	pj := c.toJac(peer)
	s := c.ladder(&pj, k.Bytes())
	f := c.f
	if f.isZero(&s.z) != 0 {
		return nil, errors.New("ec: ecdh result is the point at infinity")
	}
	// x encoded from the field element: the secret never passes through
	// math/big.
	x, _ := c.affine(&s)
	return f.fromMontBytes(&x), nil
}

// SharedPoint returns D·peer (PACE Generic Mapping needs the whole point H).
// The peer point is validated first.
func (k *PrivateKey) SharedPoint(peer Point) (Point, error) {
	c := k.Curve
	if err := c.Validate(peer); err != nil {
		return Point{}, fmt.Errorf("ecdh peer key: %w", err)
	}
	s := c.ScalarMult(peer, k.Bytes())
	if s.IsInfinity() {
		return Point{}, errors.New("ec: ecdh result is the point at infinity")
	}
	return s, nil
}
