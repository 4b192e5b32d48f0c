package ec

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// hashToInt converts a digest to an integer as ECDSA does: its leftmost
// bits, as many as the order has (SEC 1 §4.1.3 step 5, RFC 6979 bits2int).
func hashToInt(c *Curve, digest []byte) *big.Int {
	e := new(big.Int).SetBytes(digest)
	if excess := 8*len(digest) - c.params.N.BitLen(); excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// Verify reports whether (r, s) is a valid ECDSA signature of digest by pub.
func Verify(pub *PublicKey, digest []byte, r, s *big.Int) bool {
	c := pub.Curve
	n := c.params.N
	if r == nil || s == nil || r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
		return false
	}
	if c.Validate(pub.Point) != nil {
		return false
	}
	e := hashToInt(c, digest)
	w := new(big.Int).ModInverse(s, n)
	if w == nil {
		return false
	}
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)
	q := c.toJac(pub.Point)
	sum := c.mulAddVar(u1.Bytes(), &c.g, u2.Bytes(), &q)
	x := c.toAffine(&sum)
	if x.IsInfinity() {
		return false
	}
	v := new(big.Int).Mod(x.X, n)
	return v.Cmp(r) == 0
}

// VerifyASN1 verifies a DER signature SEQUENCE { r INTEGER, s INTEGER }, as
// X.509 and CMS carry it.
func VerifyASN1(pub *PublicKey, digest, sig []byte) bool {
	r, s, err := ParseASN1Signature(sig)
	if err != nil {
		return false
	}
	return Verify(pub, digest, r, s)
}

// VerifyPlain verifies a plain signature r ‖ s, each OrderByteLen bytes
// (BSI TR-03111 §5.2.1), as Active Authentication and CV certificates use.
func VerifyPlain(pub *PublicKey, digest, sig []byte) bool {
	r, s, err := ParsePlainSignature(pub.Curve, sig)
	if err != nil {
		return false
	}
	return Verify(pub, digest, r, s)
}

// ParseASN1Signature decodes a DER ECDSA signature.
func ParseASN1Signature(sig []byte) (r, s *big.Int, err error) {
	r, s = new(big.Int), new(big.Int)
	in := cryptobyte.String(sig)
	var inner cryptobyte.String
	if !in.ReadASN1(&inner, casn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) || !inner.Empty() {
		return nil, nil, errors.New("ec: malformed ECDSA signature")
	}
	return r, s, nil
}

// ParsePlainSignature splits a plain r ‖ s signature.
func ParsePlainSignature(c *Curve, sig []byte) (r, s *big.Int, err error) {
	if len(sig) != 2*c.orderLen {
		return nil, nil, fmt.Errorf("ec: plain signature of %d bytes, want %d", len(sig), 2*c.orderLen)
	}
	return new(big.Int).SetBytes(sig[:c.orderLen]), new(big.Int).SetBytes(sig[c.orderLen:]), nil
}

// MarshalASN1Signature encodes (r, s) in DER.
func MarshalASN1Signature(r, s *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.BytesOrPanic()
}

// MarshalPlainSignature encodes (r, s) as r ‖ s, each OrderByteLen bytes.
func MarshalPlainSignature(c *Curve, r, s *big.Int) []byte {
	out := make([]byte, 2*c.orderLen)
	r.FillBytes(out[:c.orderLen])
	s.FillBytes(out[c.orderLen:])
	return out
}

// Sign signs a digest. The nonce is derived as in RFC 6979 (HMAC with the
// hash whose size matches the digest), so signing is deterministic when
// rand is nil; when rand is not nil, 32 bytes from it are mixed in as the
// additional data of RFC 6979 §3.6. It is meant for the software chip and
// test PKI: the modular inversions use math/big, which is not constant-time.
func Sign(rand io.Reader, priv *PrivateKey, digest []byte) (r, s *big.Int, err error) {
	c := priv.Curve
	n := c.params.N
	var extra []byte
	if rand != nil {
		extra = make([]byte, 32)
		if _, err := io.ReadFull(rand, extra); err != nil {
			return nil, nil, fmt.Errorf("ec: read randomness: %w", err)
		}
	}
	e := hashToInt(c, digest)
	nonces := newRFC6979(c, priv.D, digest, extra)
	for range 100 {
		k := nonces.next()
		p := c.ScalarBaseMult(k.FillBytes(make([]byte, c.orderLen)))
		r = new(big.Int).Mod(p.X, n)
		if r.Sign() == 0 {
			continue
		}
		kInv := new(big.Int).ModInverse(k, n)
		s = new(big.Int).Mul(r, priv.D)
		s.Add(s, e).Mul(s, kInv).Mod(s, n)
		if s.Sign() != 0 {
			return r, s, nil
		}
	}
	return nil, nil, errors.New("ec: no valid nonce found")
}

// SignASN1 signs a digest and returns a DER signature.
func SignASN1(rand io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := Sign(rand, priv, digest)
	if err != nil {
		return nil, err
	}
	return MarshalASN1Signature(r, s), nil
}

// SignPlain signs a digest and returns r ‖ s.
func SignPlain(rand io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := Sign(rand, priv, digest)
	if err != nil {
		return nil, err
	}
	return MarshalPlainSignature(priv.Curve, r, s), nil
}

// rfc6979 generates the nonces of RFC 6979 §3.2.
type rfc6979 struct {
	c    *Curve
	k, v []byte
	h    func() hash.Hash
	more bool
}

func hmacHashFor(digestLen int) func() hash.Hash {
	switch digestLen {
	case 20:
		return sha1.New
	case 28:
		return sha256.New224
	case 48:
		return sha512.New384
	case 64:
		return sha512.New
	}
	return sha256.New
}

func newRFC6979(c *Curve, d *big.Int, digest, extra []byte) *rfc6979 {
	g := &rfc6979{c: c, h: hmacHashFor(len(digest))}
	size := g.h().Size()
	g.v = make([]byte, size)
	for i := range g.v {
		g.v[i] = 1
	}
	g.k = make([]byte, size)
	x := d.FillBytes(make([]byte, c.orderLen))
	z := hashToInt(c, digest)
	z.Mod(z, c.params.N)
	h1 := z.FillBytes(make([]byte, c.orderLen))
	g.k = g.mac(g.k, g.v, []byte{0}, x, h1, extra)
	g.v = g.mac(g.k, g.v)
	g.k = g.mac(g.k, g.v, []byte{1}, x, h1, extra)
	g.v = g.mac(g.k, g.v)
	return g
}

func (g *rfc6979) mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(g.h, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// next returns the next candidate nonce in [1, N−1].
func (g *rfc6979) next() *big.Int {
	n := g.c.params.N
	for {
		if g.more {
			g.k = g.mac(g.k, g.v, []byte{0})
			g.v = g.mac(g.k, g.v)
		}
		g.more = true
		var t []byte
		for len(t)*8 < n.BitLen() {
			g.v = g.mac(g.k, g.v)
			t = append(t, g.v...)
		}
		k := hashToInt(g.c, t)
		if k.Sign() > 0 && k.Cmp(n) < 0 {
			return k
		}
	}
}
