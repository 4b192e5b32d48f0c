package issue

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// keyStream returns at least n pseudo-random bytes (whole HMAC blocks) for
// a seed and a purpose (HMAC-SHA-256 in counter mode). The derivation is
// public: these are test keys.
func keyStream(seed uint64, purpose string, n int) []byte {
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seed)
	var stream []byte
	for counter := byte(0); len(stream) < n; counter++ {
		mac := hmac.New(sha256.New, []byte("idagent simulator test key"))
		mac.Write(s[:])
		mac.Write([]byte(purpose))
		mac.Write([]byte{counter})
		stream = mac.Sum(stream)
	}
	return stream
}

// scalar draws a value in [1, order−1] from the key stream; 16 extra bytes
// make the reduction's bias negligible.
func scalar(seed uint64, purpose string, order *big.Int) *big.Int {
	stream := keyStream(seed, purpose, (order.BitLen()+7)/8+16)
	n1 := new(big.Int).Sub(order, big.NewInt(1))
	d := new(big.Int).Mod(new(big.Int).SetBytes(stream), n1)
	return d.Add(d, big.NewInt(1))
}

// ChipKey derives the private key a chip of the given seed holds for one
// purpose ("aa", "ca", ...) on curve: the same seed, purpose and curve
// always give the same key. These are test keys; their derivation is
// public.
func ChipKey(seed uint64, purpose string, curve *ec.Curve) (*ec.PrivateKey, error) {
	d := scalar(seed, purpose, curve.N())
	key, err := ec.NewPrivateKey(curve, d.FillBytes(make([]byte, curve.OrderByteLen())))
	if err != nil {
		return nil, fmt.Errorf("derive %s key: %w", purpose, err)
	}
	return key, nil
}

// ChipDHKey derives a chip's Diffie-Hellman key for a purpose in the
// standardized group (0–2, RFC 5114), like ChipKey.
func ChipDHKey(seed uint64, purpose string, group int) (*dh.PrivateKey, error) {
	grp, err := dh.Standard(group)
	if err != nil {
		return nil, fmt.Errorf("derive %s key: %w", purpose, err)
	}
	x := scalar(seed, purpose, grp.Q())
	key, err := dh.NewPrivateKey(grp, x.FillBytes(make([]byte, (grp.Q().BitLen()+7)/8)))
	if err != nil {
		return nil, fmt.Errorf("derive %s key: %w", purpose, err)
	}
	return key, nil
}

// PublicKeyInfo encodes the public half of a chip key as a
// SubjectPublicKeyInfo: id-ecPublicKey with the curve's OID or (explicit)
// its domain parameters (RFC 3279 SpecifiedECDomain, as eMRTDs often carry
// them); dhpublicnumber with X9.42 DomainParameters {p, g, q} and the
// public value as an INTEGER; rsaEncryption.
func PublicKeyInfo(key any, explicit bool) ([]byte, error) {
	switch k := key.(type) {
	case *ec.PrivateKey:
		return ECPublicKeyInfo(&k.PublicKey, explicit)
	case *dh.PrivateKey:
		return dhPublicKeyInfo(k)
	case *rsa.PrivateKey:
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	}
	return nil, fmt.Errorf("encode public key: key of type %T", key)
}

var oidPrimeField = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}

// ECPublicKeyInfo encodes an EC public key as a SubjectPublicKeyInfo
// (id-ecPublicKey, RFC 5480): with the named curve's OID, or with explicit
// domain parameters (SpecifiedECDomain v1 of X9.62/RFC 3279: prime field,
// a, b, uncompressed base point, order, cofactor) as eMRTDs often carry.
func ECPublicKeyInfo(pub *ec.PublicKey, explicit bool) ([]byte, error) {
	c := pub.Curve
	if !explicit && c.OID() == nil {
		return nil, fmt.Errorf("encode public key: curve %v has no OID", c)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(lds.OIDECPublicKey)
			if explicit {
				addExplicitParams(b, c)
			} else {
				b.AddASN1ObjectIdentifier(c.OID())
			}
		})
		b.AddASN1BitString(pub.Bytes())
	})
	return b.Bytes()
}

func addExplicitParams(b *cryptobyte.Builder, c *ec.Curve) {
	p := c.Params()
	size := c.ByteLen()
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidPrimeField)
			b.AddASN1BigInt(p.P)
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(p.A.FillBytes(make([]byte, size)))
			b.AddASN1OctetString(p.B.FillBytes(make([]byte, size)))
		})
		b.AddASN1OctetString(c.Marshal(c.G()))
		b.AddASN1BigInt(p.N)
		b.AddASN1BigInt(p.H)
	})
}

// dhPublicKeyInfo encodes a DH public key (RFC 3279 dhpublicnumber).
func dhPublicKeyInfo(k *dh.PrivateKey) ([]byte, error) { return dhKeyInfo(k, false) }

// dhPKCS3PublicKeyInfo encodes a DH public key as PKCS #3 (dhKeyAgreement
// with DHParameter {prime, base}): no subgroup order.
func dhPKCS3PublicKeyInfo(k *dh.PrivateKey) ([]byte, error) { return dhKeyInfo(k, true) }

func dhKeyInfo(k *dh.PrivateKey, pkcs3 bool) ([]byte, error) {
	var y cryptobyte.Builder
	y.AddASN1BigInt(k.Y)
	value, err := y.Bytes()
	if err != nil {
		return nil, err
	}
	alg := lds.OIDDHPublicNumber
	if pkcs3 {
		alg = lds.OIDDHKeyAgreement
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1BigInt(k.Group.P())
				b.AddASN1BigInt(k.Group.G())
				if !pkcs3 {
					b.AddASN1BigInt(k.Group.Q())
				}
			})
		})
		b.AddASN1BitString(value)
	})
	return b.Bytes()
}
