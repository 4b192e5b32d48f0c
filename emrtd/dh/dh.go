// Package dh is finite-field Diffie-Hellman over prime-order subgroups, as
// PACE and Chip Authentication use it with the RFC 5114 MODP groups
// (standardized domain parameters 0, 1 and 2 of ICAO 9303-11 §9.5.1).
//
// Exponentiation uses math/big, which is not constant-time; DH PACE is
// rare on current documents and the keys are ephemeral.
package dh

import (
	"errors"
	"fmt"
	"io"
	"math/big"
)

// Group is a prime modulus P with a generator G of a subgroup of prime
// order Q. Groups are immutable.
type Group struct {
	name    string
	p, g, q *big.Int
}

// ErrInvalidPublic reports a public value outside the subgroup.
var ErrInvalidPublic = errors.New("dh: invalid public value")

// NewGroup validates and returns a group: P an odd prime, Q a prime
// dividing P−1, G in [2, P−2] with G^Q = 1.
func NewGroup(p, g, q *big.Int) (*Group, error) {
	if p == nil || g == nil || q == nil || p.BitLen() < 64 || p.Bit(0) == 0 || p.BitLen() > 8192 {
		return nil, errors.New("dh: modulus missing, even or out of range")
	}
	if !p.ProbablyPrime(10) || !q.ProbablyPrime(10) {
		return nil, errors.New("dh: modulus or order not prime")
	}
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	if new(big.Int).Mod(pm1, q).Sign() != 0 {
		return nil, errors.New("dh: order does not divide P−1")
	}
	grp := &Group{p: new(big.Int).Set(p), g: new(big.Int).Set(g), q: new(big.Int).Set(q)}
	if err := grp.Validate(g); err != nil {
		return nil, fmt.Errorf("dh: generator: %w", err)
	}
	return grp, nil
}

// Name is the group's name ("RFC 5114 1024-bit MODP, 160-bit subgroup"),
// or "" for a group made with NewGroup or WithGenerator.
func (grp *Group) Name() string { return grp.name }

// P returns a copy of the modulus.
func (grp *Group) P() *big.Int { return new(big.Int).Set(grp.p) }

// G returns a copy of the generator.
func (grp *Group) G() *big.Int { return new(big.Int).Set(grp.g) }

// Q returns a copy of the subgroup order.
func (grp *Group) Q() *big.Int { return new(big.Int).Set(grp.q) }

// ByteLen is the length of an encoded public value or shared secret.
func (grp *Group) ByteLen() int { return (grp.p.BitLen() + 7) / 8 }

// Validate checks a public value: 1 < y < P−1 and y^Q = 1 (NIST SP
// 800-56A §5.6.2.3.1), so a peer cannot confine the secret to a small
// subgroup.
func (grp *Group) Validate(y *big.Int) error {
	pm1 := new(big.Int).Sub(grp.p, big.NewInt(1))
	if y == nil || y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(pm1) >= 0 {
		return fmt.Errorf("%w: out of range", ErrInvalidPublic)
	}
	if new(big.Int).Exp(y, grp.q, grp.p).Cmp(big.NewInt(1)) != 0 {
		return fmt.Errorf("%w: not in the prime-order subgroup", ErrInvalidPublic)
	}
	return nil
}

// Exp returns base^e mod P.
func (grp *Group) Exp(base *big.Int, e []byte) *big.Int {
	return new(big.Int).Exp(base, new(big.Int).SetBytes(e), grp.p)
}

// Mul returns a·b mod P (PACE Generic Mapping: g~ = g^s · h).
func (grp *Group) Mul(a, b *big.Int) *big.Int {
	r := new(big.Int).Mul(a, b)
	return r.Mod(r, grp.p)
}

// WithGenerator returns the group with a new generator (the mapped g~ of
// PACE), validated to lie in the prime-order subgroup.
func (grp *Group) WithGenerator(g *big.Int) (*Group, error) {
	if err := grp.Validate(g); err != nil {
		return nil, fmt.Errorf("dh: new generator: %w", err)
	}
	return &Group{p: grp.p, g: new(big.Int).Set(g), q: grp.q}, nil
}

// Encode writes a group element big-endian in ByteLen bytes.
func (grp *Group) Encode(y *big.Int) []byte { return y.FillBytes(make([]byte, grp.ByteLen())) }

// Decode reads and validates a public value.
func (grp *Group) Decode(b []byte) (*big.Int, error) {
	if len(b) == 0 || len(b) > grp.ByteLen() {
		return nil, fmt.Errorf("%w: %d bytes for a %d-byte group", ErrInvalidPublic, len(b), grp.ByteLen())
	}
	y := new(big.Int).SetBytes(b)
	if err := grp.Validate(y); err != nil {
		return nil, err
	}
	return y, nil
}

// PrivateKey is an exponent X in [1, Q−1] with its public value Y = G^X.
type PrivateKey struct {
	Group *Group
	X, Y  *big.Int
}

// NewPrivateKey makes a key from a big-endian exponent in [1, Q−1].
func NewPrivateKey(grp *Group, x []byte) (*PrivateKey, error) {
	v := new(big.Int).SetBytes(x)
	if v.Sign() == 0 || v.Cmp(grp.q) >= 0 {
		return nil, errors.New("dh: private exponent out of range")
	}
	return &PrivateKey{Group: grp, X: v, Y: new(big.Int).Exp(grp.g, v, grp.p)}, nil
}

// GenerateKey draws a private exponent uniformly from [1, Q−1].
func GenerateKey(grp *Group, rand io.Reader) (*PrivateKey, error) {
	n := (grp.q.BitLen() + 7) / 8
	buf := make([]byte, n)
	excess := uint(8*n - grp.q.BitLen())
	for range 1000 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, fmt.Errorf("dh: read randomness: %w", err)
		}
		buf[0] &= 0xFF >> excess
		if k, err := NewPrivateKey(grp, buf); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("dh: randomness source keeps giving out-of-range exponents")
}

// PublicBytes encodes Y in ByteLen bytes.
func (k *PrivateKey) PublicBytes() []byte { return k.Group.Encode(k.Y) }

// SharedElement returns peer^X mod P after validating the peer value (PACE
// Generic Mapping needs the element h itself).
func (k *PrivateKey) SharedElement(peer *big.Int) (*big.Int, error) {
	if err := k.Group.Validate(peer); err != nil {
		return nil, fmt.Errorf("dh peer value: %w", err)
	}
	return new(big.Int).Exp(peer, k.X, k.Group.p), nil
}

// SharedSecret returns peer^X mod P in ByteLen bytes.
func (k *PrivateKey) SharedSecret(peer *big.Int) ([]byte, error) {
	z, err := k.SharedElement(peer)
	if err != nil {
		return nil, err
	}
	return k.Group.Encode(z), nil
}
