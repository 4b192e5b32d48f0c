package issue

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// ChipKey derives the private key a chip of the given seed holds for one
// purpose ("aa", "ca", ...): the same seed and purpose always give the same
// key. These are test keys; their derivation is public.
func ChipKey(seed uint64, purpose string) (*ecdsa.PrivateKey, error) {
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seed)
	for counter := byte(0); counter < 16; counter++ {
		mac := hmac.New(sha256.New, []byte("idagent simulator test key"))
		mac.Write(s[:])
		mac.Write([]byte(purpose))
		mac.Write([]byte{counter})
		// A scalar outside [1, n-1] is rejected; the next counter gives
		// another candidate.
		if key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), mac.Sum(nil)); err == nil {
			return key, nil
		}
	}
	return nil, fmt.Errorf("derive %s key: no valid scalar", purpose)
}
