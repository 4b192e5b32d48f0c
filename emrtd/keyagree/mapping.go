package keyagree

import (
	"bytes"
	"fmt"
)

// PACE maps its nonce into new domain parameters. The mapped generator is
// as secret as the nonce, so emrtd/ec (constant-time field and point
// arithmetic) and emrtd/dh (filippo.io/bigmod) compute both mappings
// without branching on secret values.

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
		mapped, err := k.ec.GenericMapping(p, s)
		if err != nil {
			return Domain{}, fmt.Errorf("generic mapping: %w", err)
		}
		return Domain{Curve: mapped}, nil
	}
	y, err := d.decodeValue(peer)
	if err != nil {
		return Domain{}, err
	}
	mapped, err := k.dh.GenericMapping(y, s)
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
	return d.Curve == nil || d.Curve.SupportsIntegratedMapping()
}

// IntegratedMapping is PACE's Integrated Mapping (§4.4.3.3.2) of the
// pseudo-random value r = R(s,t) (big-endian, at least PrimeBits()+64
// bits): with x = r mod p the new generator is f_G(x) on a curve and
// x^((p−1)/q) mod p in a MODP group.
func (d Domain) IntegratedMapping(r []byte) (Domain, error) {
	if d.Curve != nil {
		mapped, err := d.Curve.IntegratedMapping(r)
		if err != nil {
			return Domain{}, fmt.Errorf("integrated mapping: %w", err)
		}
		return Domain{Curve: mapped}, nil
	}
	mapped, err := d.Group.IntegratedMapping(r)
	if err != nil {
		return Domain{}, fmt.Errorf("integrated mapping: %w", err)
	}
	return Domain{Group: mapped}, nil
}
