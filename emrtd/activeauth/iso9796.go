package activeauth

import (
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math/big"

	_ "crypto/sha1" // hashes of the ISO/IEC 9796-2 trailers
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// ISO/IEC 9796-2 digital signature scheme 1 with RSA, as ICAO 9303-11
// §6.1.2.2 uses it for Active Authentication: the message representative
// is
//
//	6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer
//
// where 6A is the header (bits 01, partial recovery, no padding, border
// nibble A), M1 the recoverable part (a nonce the chip chooses), M2 the
// non-recoverable part (the reader's challenge) and the trailer BC
// (implicit hash: SHA-1) or hash-id ‖ CC (explicit: 33 SHA-1, 38 SHA-224,
// 34 SHA-256, 36 SHA-384, 35 SHA-512). The signature is the
// representative raised to the private exponent.

// trailerHashes maps the ISO/IEC 10118-3 hash identifiers of an explicit
// trailer to hashes.
var trailerHashes = map[byte]crypto.Hash{
	0x33: crypto.SHA1,
	0x38: crypto.SHA224,
	0x34: crypto.SHA256,
	0x36: crypto.SHA384,
	0x35: crypto.SHA512,
}

// errRecovery is wrapped when a signature does not open to a valid
// message representative.
var errRecovery = errors.New("not an ISO/IEC 9796-2 scheme 1 signature")

// trailerID returns the hash identifier of an explicit trailer.
func trailerID(h crypto.Hash) (byte, bool) {
	for id, th := range trailerHashes {
		if th == h {
			return id, true
		}
	}
	return 0, false
}

// recovered is an opened ISO/IEC 9796-2 signature.
type recovered struct {
	hash crypto.Hash
	m1   []byte
}

// verify9796 opens sig with pub and checks H(M1 ‖ challenge). It returns
// the hash that verified and the recovered M1.
func verify9796(pub *rsa.PublicKey, challenge, sig []byte) (recovered, error) {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) == 0 || len(sig) > k {
		return recovered{}, fmt.Errorf("%w: signature of %d bytes for a %d-byte modulus", errRecovery, len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Sign() == 0 || s.Cmp(pub.N) >= 0 {
		return recovered{}, fmt.Errorf("%w: signature out of range", errRecovery)
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	r, err := openRepresentative(m.FillBytes(make([]byte, k)), challenge)
	if err == nil {
		return r, nil
	}
	// The alternative signature of ISO/IEC 9796-2: some signers send
	// min(σ, n − σ), whose representative is n − J.
	if r, err2 := openRepresentative(m.Sub(pub.N, m).FillBytes(make([]byte, k)), challenge); err2 == nil {
		return r, nil
	}
	return recovered{}, err
}

// openRepresentative checks a message representative completely: header
// and padding, trailer, and the hash of the recovered part with the
// challenge. One hash is tried, the one the trailer names (BC: SHA-1).
func openRepresentative(rep, challenge []byte) (recovered, error) {
	start, err := recoverableStart(rep)
	if err != nil {
		return recovered{}, err
	}
	h, t, err := trailerHash(rep)
	if err != nil {
		return recovered{}, err
	}
	off := len(rep) - t - h.Size()
	if off <= start {
		return recovered{}, fmt.Errorf("%w: no recoverable message before the %v hash", errRecovery, h)
	}
	m1 := rep[start:off]
	d := h.New()
	d.Write(m1)
	d.Write(challenge)
	if subtle.ConstantTimeCompare(d.Sum(nil), rep[off:off+h.Size()]) != 1 {
		return recovered{}, fmt.Errorf("%w: the hash of the recovered message and the challenge does not match", errRecovery)
	}
	return recovered{hash: h, m1: append([]byte(nil), m1...)}, nil
}

// recoverableStart checks the header and padding of a representative with
// partial recovery and returns where M1 starts. ISO/IEC 9796-2 scheme 1
// allows exactly two forms: 6A (header 01, more-data bit 1, padding bit
// 0, border nibble A) with M1 from the next byte, or 6B followed by any
// number of BB and one BA (padding nibbles B, border nibble A). Anything
// else, a representative of total recovery (4x) included, which would
// leave the challenge out, is refused.
func recoverableStart(rep []byte) (int, error) {
	if len(rep) < 3 {
		return 0, fmt.Errorf("%w: representative too short", errRecovery)
	}
	switch rep[0] {
	case 0x6A:
		return 1, nil
	case 0x6B:
		i := 1
		for i < len(rep) && rep[i] == 0xBB {
			i++
		}
		if i < len(rep) && rep[i] == 0xBA {
			return i + 1, nil
		}
		return 0, fmt.Errorf("%w: padding", errRecovery)
	}
	if rep[0]&0xC0 == 0x40 && rep[0]&0x20 == 0 {
		return 0, fmt.Errorf("%w: total recovery does not bind the challenge", errRecovery)
	}
	return 0, fmt.Errorf("%w: header %02X", errRecovery, rep[0])
}

// trailerHash reads the trailer: BC (implicit: SHA-1, as ICAO 9303-11
// §6.1.2.2 says), or a hash identifier followed by CC. It returns the
// hash and the trailer's length.
func trailerHash(rep []byte) (crypto.Hash, int, error) {
	switch last := rep[len(rep)-1]; last {
	case 0xBC:
		return crypto.SHA1, 1, nil
	case 0xCC:
		h, ok := trailerHashes[rep[len(rep)-2]]
		if !ok {
			return 0, 0, fmt.Errorf("%w: trailer %02XCC names an unknown hash", errRecovery, rep[len(rep)-2])
		}
		return h, 2, nil
	}
	return 0, 0, fmt.Errorf("%w: trailer", errRecovery)
}

// scheme9796 is how a chip forms its representative.
type scheme9796 struct {
	hash         crypto.Hash
	explicitSHA1 bool // SHA-1 with trailer 33CC instead of BC
	malformed    bool // padding 6B 3A instead of the header 6A (an attack)
}

// sign9796 signs the challenge: representative 6A ‖ M1 ‖ H(M1 ‖ M2) ‖
// trailer with a random M1 filling the modulus, raised to the private
// exponent. SHA-1 gets the implicit trailer BC unless explicitSHA1 is set.
// The modulus must be a whole number of bytes.
func sign9796(priv *rsa.PrivateKey, s scheme9796, challenge []byte, rng io.Reader) ([]byte, error) {
	h := s.hash
	bits := priv.N.BitLen()
	if bits%8 != 0 {
		return nil, fmt.Errorf("activeauth: RSA modulus of %d bits is not a whole number of bytes", bits)
	}
	k := bits / 8
	var trailer []byte
	if h == crypto.SHA1 && !s.explicitSHA1 {
		trailer = []byte{0xBC}
	} else {
		id, ok := trailerID(h)
		if !ok {
			return nil, fmt.Errorf("activeauth: no ISO/IEC 9796-2 trailer for %v", h)
		}
		trailer = []byte{id, 0xCC}
	}
	header := []byte{0x6A}
	if s.malformed {
		header = []byte{0x6B, 0x3A}
	}
	m1Len := k - len(header) - h.Size() - len(trailer)
	if m1Len < 1 {
		return nil, fmt.Errorf("activeauth: a %d-bit key is too short for %v", bits, h)
	}
	rep := make([]byte, 0, k)
	rep = append(rep, header...)
	m1 := make([]byte, m1Len)
	if _, err := io.ReadFull(rng, m1); err != nil {
		return nil, fmt.Errorf("activeauth: random: %w", err)
	}
	d := h.New()
	d.Write(m1)
	d.Write(challenge)
	rep = append(append(append(rep, m1...), d.Sum(nil)...), trailer...)
	return rsaPrivate(priv, new(big.Int).SetBytes(rep)).FillBytes(make([]byte, k)), nil
}

// rsaPrivate computes c^d mod n, with the Chinese remainder theorem when
// the key has two primes and precomputed values. math/big is not constant
// time: this is the software chip's signer, not a production key store.
func rsaPrivate(priv *rsa.PrivateKey, c *big.Int) *big.Int {
	pc := priv.Precomputed
	if len(priv.Primes) != 2 || pc.Dp == nil || pc.Dq == nil || pc.Qinv == nil {
		return new(big.Int).Exp(c, priv.D, priv.N)
	}
	p, q := priv.Primes[0], priv.Primes[1]
	m1 := new(big.Int).Exp(c, pc.Dp, p)
	m2 := new(big.Int).Exp(c, pc.Dq, q)
	h := m1.Sub(m1, m2)
	h.Mul(h, pc.Qinv).Mod(h, p)
	return h.Mul(h, q).Add(h, m2)
}
