package pace

import (
	"encoding/hex"
	"fmt"

	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/sm"
)

// The constants c0 and c1 of the pseudo-random number mapping (ICAO 9303-11
// §4.4.3.3.2): 128-bit for 3DES and AES-128, 256-bit for AES-192/256.
var (
	imC0short = mustHex("a668892a7c41e3ca739f40b057d85904")
	imC1short = mustHex("a4e136ac725f738b01c1f60217c188ad")
	imC0long  = mustHex("d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676")
	imC1long  = mustHex("54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// imNonceLen is the length in bytes of the chip's nonce s for the
// Integrated Mapping: l, the smallest multiple of the block size at least
// the key size, with 3DES counting as 128 bits (§4.4.3.3).
func imNonceLen(c sm.Cipher) int {
	if c == sm.AES192 || c == sm.AES256 {
		return 32
	}
	return 16
}

// imTerminalNonceLen is the length of the terminal's nonce t: the key size.
func imTerminalNonceLen(c sm.Cipher) int { return c.KeySize() }

// pseudoRandom is R(s,t) of §4.4.3.3.2 (figure 2): with E the cipher in CBC
// mode with a zero IV, k0 = E(t, s), then x_i = E(k_i, c1) and
// k_(i+1) = E(k_i, c0) (keys truncated to the key size), concatenating n
// blocks x_i so that n·l ≥ log2(p) + 64.
func pseudoRandom(c sm.Cipher, s, t []byte, pBits int) ([]byte, error) {
	l := imNonceLen(c)
	if len(s) != l {
		return nil, fmt.Errorf("integrated mapping: nonce of %d bytes, want %d", len(s), l)
	}
	if len(t) != imTerminalNonceLen(c) {
		return nil, fmt.Errorf("integrated mapping: terminal nonce of %d bytes, want %d", len(t), imTerminalNonceLen(c))
	}
	c0, c1 := imC0short, imC1short
	if l == 32 {
		c0, c1 = imC0long, imC1long
	}
	k, err := c.Encrypt(t, s)
	if err != nil {
		return nil, err
	}
	n := (pBits + 64 + 8*l - 1) / (8 * l)
	out := make([]byte, 0, n*l)
	for range n {
		k = k[:c.KeySize()]
		x, err := c.Encrypt(k, c1)
		if err != nil {
			return nil, err
		}
		out = append(out, x...)
		if k, err = c.Encrypt(k, c0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mapIntegrated is the Integrated Mapping of the nonces s and t on d.
func mapIntegrated(d keyagree.Domain, c sm.Cipher, s, t []byte) (keyagree.Domain, error) {
	r, err := pseudoRandom(c, s, t, d.PrimeBits())
	if err != nil {
		return keyagree.Domain{}, err
	}
	return d.IntegratedMapping(r)
}
