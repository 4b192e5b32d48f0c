// Package dh is finite-field Diffie-Hellman over prime-order subgroups, as
// PACE and Chip Authentication use it with the RFC 5114 MODP groups
// (standardized domain parameters 0, 1 and 2 of ICAO 9303-11 §9.5.1) and,
// for chip authentication keys, with explicit groups.
//
// Every exponentiation with a secret (private exponents, the PACE nonce,
// the mapped generator of PACE) runs on filippo.io/bigmod, whose modular
// arithmetic takes the same time whatever the values; math/big (which is
// not constant-time) only sees public values: validating a peer's value,
// testing a group's primes.
package dh

import (
	"errors"
	"fmt"
	"io"
	"math/big"

	"filippo.io/bigmod"
)

// Group is a prime modulus P with a generator G of a subgroup of prime
// order Q. Groups are immutable.
type Group struct {
	name    string
	p, g, q *big.Int
	mod     *bigmod.Modulus
	gen     []byte // G in ByteLen bytes: a PACE-mapped generator is a secret
	qLen    int    // bytes of an exponent
}

// ErrInvalidPublic reports a public value outside the subgroup.
var ErrInvalidPublic = errors.New("dh: invalid public value")

// ErrMapping is wrapped when a PACE nonce maps to no usable generator (a
// degenerate value; with honest randomness it does not happen).
var ErrMapping = errors.New("dh: the mapping gives no generator")

// newGroup builds a group from values known to be consistent.
func newGroup(name string, p, g, q *big.Int) (*Group, error) {
	mod, err := bigmod.NewModulus(p.Bytes())
	if err != nil {
		return nil, fmt.Errorf("dh: modulus: %w", err)
	}
	grp := &Group{name: name, p: p, g: g, q: q, mod: mod, qLen: (q.BitLen() + 7) / 8}
	grp.gen = g.FillBytes(make([]byte, grp.ByteLen()))
	return grp, nil
}

// Name is the group's name ("RFC 5114 1024-bit MODP, 160-bit subgroup"),
// or "" for a group made with NewGroup or by a mapping.
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
// subgroup. Public values only: it uses math/big.
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

// nat reads ByteLen (or fewer) big-endian bytes below P.
func (grp *Group) nat(b []byte) *bigmod.Nat {
	n, err := bigmod.NewNat().SetBytes(b, grp.mod)
	if err != nil {
		panic("dh: element not below the modulus") // callers pass reduced values
	}
	return n
}

// exp returns base^e mod P for a secret base or exponent, in time that
// depends only on the lengths.
func (grp *Group) exp(base *bigmod.Nat, e []byte) *bigmod.Nat {
	return bigmod.NewNat().Exp(base, e, grp.mod)
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
	x     []byte // X in the length of Q, for fixed-time exponentiation
}

// NewPrivateKey makes a key from a big-endian exponent in [1, Q−1].
func NewPrivateKey(grp *Group, x []byte) (*PrivateKey, error) {
	v := new(big.Int).SetBytes(x)
	if v.Sign() == 0 || v.Cmp(grp.q) >= 0 {
		return nil, errors.New("dh: private exponent out of range")
	}
	fixed := v.FillBytes(make([]byte, grp.qLen))
	y := grp.exp(grp.nat(grp.gen), fixed)
	return &PrivateKey{Group: grp, X: v, Y: new(big.Int).SetBytes(y.Bytes(grp.mod)), x: fixed}, nil
}

// GenerateKey draws a private exponent uniformly from [1, Q−1].
func GenerateKey(grp *Group, rand io.Reader) (*PrivateKey, error) {
	buf := make([]byte, grp.qLen)
	excess := uint(8*grp.qLen - grp.q.BitLen())
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

// shared returns peer^X after validating the peer value.
func (k *PrivateKey) shared(peer *big.Int) (*bigmod.Nat, error) {
	if err := k.Group.Validate(peer); err != nil {
		return nil, fmt.Errorf("dh peer value: %w", err)
	}
	return k.Group.exp(k.Group.nat(k.Group.Encode(peer)), k.x), nil
}

// SharedElement returns peer^X mod P after validating the peer value (the
// element h of PACE's generic mapping; tests compare it with ICAO's).
func (k *PrivateKey) SharedElement(peer *big.Int) (*big.Int, error) {
	z, err := k.shared(peer)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(z.Bytes(k.Group.mod)), nil
}

// SharedSecret returns peer^X mod P in ByteLen bytes.
func (k *PrivateKey) SharedSecret(peer *big.Int) ([]byte, error) {
	z, err := k.shared(peer)
	if err != nil {
		return nil, err
	}
	return z.Bytes(k.Group.mod), nil
}

// GenericMapping is PACE's generic mapping (ICAO 9303-11 §4.4.3.3.1) with
// k as the mapping key: g~ = g^s · h with h = peer^X (peer is validated).
// It returns the group with g~ as generator; g~ lies in the subgroup
// since g and h do.
func (k *PrivateKey) GenericMapping(peer *big.Int, s []byte) (*Group, error) {
	h, err := k.shared(peer)
	if err != nil {
		return nil, err
	}
	grp := k.Group
	g := grp.exp(grp.nat(grp.gen), s)
	g.Mul(h, grp.mod)
	return grp.withMapped(g)
}

// IntegratedMapping is PACE's integrated mapping (§4.4.3.3.2) of r =
// R(s,t), the pseudo-random bytes (at least 64 bits longer than P): g~ =
// (r mod P)^((P−1)/Q), in the subgroup of order Q by construction.
func (grp *Group) IntegratedMapping(r []byte) (*Group, error) {
	e := new(big.Int).Sub(grp.p, big.NewInt(1))
	e.Div(e, grp.q)
	return grp.withMapped(grp.exp(grp.reduce(r), e.Bytes()))
}

// reduce returns r mod P by Horner's rule over chunks of ByteLen−1 bytes
// (each below P), in time that depends only on len(r).
func (grp *Group) reduce(r []byte) *bigmod.Nat {
	k := grp.ByteLen() - 1
	padded := make([]byte, (len(r)+k-1)/k*k)
	copy(padded[len(padded)-len(r):], r)
	shift := grp.nat(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), uint(8*k)), grp.p).Bytes())
	acc := bigmod.NewNat().ExpandFor(grp.mod)
	for i := 0; i < len(padded); i += k {
		acc.Mul(shift, grp.mod)
		acc.Add(grp.nat(padded[i:i+k]), grp.mod)
	}
	return acc
}

// withMapped returns the group with a mapped generator, refusing 0 and 1
// (degenerate nonces; a branch on them leaks nothing useful).
func (grp *Group) withMapped(g *bigmod.Nat) (*Group, error) {
	if g.IsZero()|g.IsOne() == 1 {
		return nil, ErrMapping
	}
	gen := g.Bytes(grp.mod)
	return &Group{p: grp.p, g: new(big.Int).SetBytes(gen), q: grp.q, mod: grp.mod, gen: gen, qLen: grp.qLen}, nil
}
