package issue

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/ec"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ChipKey derives the private key a chip of the given seed holds for one
// purpose ("aa", "ca", ...) on curve: the same seed, purpose and curve
// always give the same key. These are test keys; their derivation is
// public.
func ChipKey(seed uint64, purpose string, curve *ec.Curve) (*ec.PrivateKey, error) {
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seed)
	var stream []byte
	for counter := byte(0); len(stream) < curve.OrderByteLen()+16; counter++ {
		mac := hmac.New(sha256.New, []byte("idagent simulator test key"))
		mac.Write(s[:])
		mac.Write([]byte(purpose))
		mac.Write([]byte{counter})
		stream = mac.Sum(stream)
	}
	// 16 extra bytes make the reduction's bias negligible; +1 keeps the
	// scalar in [1, N−1].
	n1 := new(big.Int).Sub(curve.N(), big.NewInt(1))
	d := new(big.Int).Mod(new(big.Int).SetBytes(stream), n1)
	d.Add(d, big.NewInt(1))
	key, err := ec.NewPrivateKey(curve, d.FillBytes(make([]byte, curve.OrderByteLen())))
	if err != nil {
		return nil, fmt.Errorf("derive %s key: %w", purpose, err)
	}
	return key, nil
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField  = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
)

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
			b.AddASN1ObjectIdentifier(oidECPublicKey)
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
