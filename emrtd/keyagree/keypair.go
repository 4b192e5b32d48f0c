package keyagree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
)

// ErrInvalidPublic is wrapped when the peer's public value is malformed,
// off the curve, outside the subgroup, or equal to ours.
var ErrInvalidPublic = errors.New("keyagree: invalid public key")

// KeyPair is a Diffie-Hellman key of a domain (ephemeral, or a chip's
// static key) with its encoded public value.
type KeyPair struct {
	ec  *ec.PrivateKey
	dh  *dh.PrivateKey
	pub []byte
}

// NewKeyPair wraps a static key: an *ec.PrivateKey or a *dh.PrivateKey.
func NewKeyPair(priv any) (*KeyPair, error) {
	switch k := priv.(type) {
	case *ec.PrivateKey:
		return &KeyPair{ec: k, pub: k.PublicKey.Bytes()}, nil
	case *dh.PrivateKey:
		return &KeyPair{dh: k, pub: k.PublicBytes()}, nil
	}
	return nil, fmt.Errorf("%w: key of type %T", ErrDomain, priv)
}

// PublicKey returns the encoded public value: the uncompressed point, or
// the DH value in the length of the modulus.
func (k *KeyPair) PublicKey() []byte { return append([]byte(nil), k.pub...) }

// Domain returns the domain of the key.
func (k *KeyPair) Domain() Domain {
	if k.ec != nil {
		return Domain{Curve: k.ec.Curve}
	}
	return Domain{Group: k.dh.Group}
}

// GenerateKey draws a key pair of the domain's current generator.
func (d Domain) GenerateKey(rng io.Reader) (*KeyPair, error) {
	if d.Curve != nil {
		k, err := ec.GenerateKey(d.Curve, rng)
		if err != nil {
			return nil, err
		}
		return &KeyPair{ec: k, pub: k.PublicKey.Bytes()}, nil
	}
	k, err := dh.GenerateKey(d.Group, rng)
	if err != nil {
		return nil, err
	}
	return &KeyPair{dh: k, pub: k.PublicBytes()}, nil
}

// decodePoint decodes and validates a peer's uncompressed point (PACE and
// CA use uncompressed points only).
func (d Domain) decodePoint(b []byte) (ec.Point, error) {
	if len(b) == 0 || b[0] != 4 {
		return ec.Point{}, fmt.Errorf("%w: not an uncompressed point", ErrInvalidPublic)
	}
	p, err := d.Curve.Unmarshal(b)
	if err != nil {
		return ec.Point{}, fmt.Errorf("%w: %v", ErrInvalidPublic, err)
	}
	return p, nil
}

// decodeValue decodes and validates a peer's DH public value.
func (d Domain) decodeValue(b []byte) (*big.Int, error) {
	y, err := d.Group.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublic, err)
	}
	return y, nil
}

// ValidatePublic checks a peer's public value: an uncompressed point on
// the curve, or a DH value in the prime-order subgroup.
func (d Domain) ValidatePublic(b []byte) error {
	if d.Curve != nil {
		_, err := d.decodePoint(b)
		return err
	}
	_, err := d.decodeValue(b)
	return err
}

// Agree is the key agreement KA of ICAO 9303-11 §9.6: the x-coordinate of
// the shared point (ECDH) or the shared value (DH), each encoded in the
// field's length. A peer key equal to ours is refused, as §4.4.1 asks.
func (k *KeyPair) Agree(peer []byte) ([]byte, error) {
	if bytes.Equal(peer, k.pub) {
		return nil, fmt.Errorf("%w: the peer's key equals ours", ErrInvalidPublic)
	}
	if k.ec != nil {
		p, err := Domain{Curve: k.ec.Curve}.decodePoint(peer)
		if err != nil {
			return nil, err
		}
		return k.ec.ECDH(p)
	}
	y, err := Domain{Group: k.dh.Group}.decodeValue(peer)
	if err != nil {
		return nil, err
	}
	return k.dh.SharedSecret(y)
}

// Private returns the private key: an *ec.PrivateKey or a *dh.PrivateKey
// (the chip of PACE-CAM computes with its mapping key). It is a secret.
func (k *KeyPair) Private() any {
	if k.ec != nil {
		return k.ec
	}
	return k.dh
}
