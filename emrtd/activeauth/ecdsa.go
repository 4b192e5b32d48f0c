package activeauth

import (
	"crypto"
	"errors"
	"fmt"
	"math/big"
	"slices"

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

// fallbackHashes are tried after the default when DG14 names no hash.
var fallbackHashes = []crypto.Hash{crypto.SHA256, crypto.SHA224, crypto.SHA384, crypto.SHA512, crypto.SHA1}

// verifyECDSA checks an ECDSA signature of the challenge: plain r ‖ s
// (TR-03111), or DER from chips that send it. With a hash named by DG14
// only that hash is tried.
func verifyECDSA(pub *ec.PublicKey, named crypto.Hash, challenge, sig []byte) (crypto.Hash, error) {
	r, s, err := parseSignature(pub.Curve, sig)
	if err != nil {
		return 0, err
	}
	hashes := []crypto.Hash{named}
	if named == 0 {
		first := defaultHash(pub.Curve)
		hashes = append([]crypto.Hash{first}, slices.DeleteFunc(slices.Clone(fallbackHashes), func(h crypto.Hash) bool { return h == first })...)
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
