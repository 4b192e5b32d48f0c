package activeauth

import (
	"crypto"
	"errors"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/ec"
)

// defaultHash is the ECDSA hash when DG14 names none: the longest SHA-2
// hash not longer than the key (§6.1.2.3), SHA-256 for 257–383 bits.
func defaultHash(c *ec.Curve) crypto.Hash {
	switch bits := c.N().BitLen(); {
	case bits <= 224:
		return crypto.SHA224
	case bits < 384:
		return crypto.SHA256
	case bits < 512:
		return crypto.SHA384
	}
	return crypto.SHA512
}

// undeclaredHashes are the hashes tried when DG14 declares none: the
// SHA-2 hashes ICAO 9303-11 §6.1.2.3 allows ("output length the same as
// the key's or shorter"; SHA-1 and RIPEMD-160 SHALL NOT be used), the
// key-size default first. Chips without DG14 sign with a shorter one
// than the default (a Portuguese ID card: P-384 with SHA-256, gmrtd #477).
func undeclaredHashes(c *ec.Curve) []crypto.Hash {
	first := defaultHash(c)
	out := []crypto.Hash{first}
	for _, h := range []crypto.Hash{crypto.SHA512, crypto.SHA384, crypto.SHA256, crypto.SHA224} {
		if h != first && h.Size() <= first.Size() {
			out = append(out, h)
		}
	}
	return out
}

// verifyECDSA checks an ECDSA signature of the challenge: plain r ‖ s
// (TR-03111), or DER from chips that send it. With a hash named by DG14
// (signed data) only that hash is tried; without, undeclaredHashes.
func verifyECDSA(pub *ec.PublicKey, named crypto.Hash, challenge, sig []byte) (crypto.Hash, error) {
	r, s, err := parseSignature(pub.Curve, sig)
	if err != nil {
		return 0, err
	}
	hashes := []crypto.Hash{named}
	if named == 0 {
		hashes = undeclaredHashes(pub.Curve)
	}
	for _, h := range hashes {
		if !h.Available() {
			continue
		}
		d := h.New()
		d.Write(challenge)
		if ec.Verify(pub, d.Sum(nil), r, s) {
			return h, nil
		}
	}
	return 0, errors.New("ECDSA signature does not verify")
}

// parseSignature reads r ‖ s, each the length of the order, or a DER
// SEQUENCE of two INTEGERs.
func parseSignature(c *ec.Curve, sig []byte) (*big.Int, *big.Int, error) {
	if len(sig) == 2*c.OrderByteLen() {
		return ec.ParsePlainSignature(c, sig)
	}
	r, s, err := ec.ParseASN1Signature(sig)
	if err != nil {
		return nil, nil, fmt.Errorf("ECDSA signature of %d bytes is neither plain (%d) nor DER", len(sig), 2*c.OrderByteLen())
	}
	return r, s, nil
}
