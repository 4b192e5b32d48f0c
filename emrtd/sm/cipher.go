// Package sm implements the secure messaging of ICAO 9303-11 §9.8 for both
// ends of the link: the reader protects commands and checks responses
// (Channel, a protected nfc.Transport), the chip checks commands and protects
// responses (Session.UnwrapCommand, Session.WrapResponse).
//
// It covers 3DES (two-key, ISO/IEC 9797-1 MAC algorithm 3 with padding
// method 2, 8-byte send sequence counter) and AES-128/192/256 (CMAC
// truncated to 8 bytes, 16-byte counter, IV = E(KSenc, SSC)), the key
// derivation function of §9.7.1 and DES parity adjustment, so that BAC,
// PACE and Chip Authentication derive their session keys here.
//
// Keys and plaintext never appear in errors: they name data objects and
// lengths only.
package sm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Cipher is a secure messaging cipher suite.
type Cipher int

// Cipher suites of ICAO 9303-11.
const (
	TDES   Cipher = iota + 1 // two-key 3DES in CBC mode, retail MAC
	AES128                   // AES-128 CBC, CMAC
	AES192                   // AES-192 CBC, CMAC
	AES256                   // AES-256 CBC, CMAC
)

func (c Cipher) String() string {
	switch c {
	case TDES:
		return "3DES"
	case AES128:
		return "AES-128"
	case AES192:
		return "AES-192"
	case AES256:
		return "AES-256"
	}
	return fmt.Sprintf("cipher %d", int(c))
}

// KeySize returns the key length in bytes: 16 for 3DES (K1‖K2) and the AES
// key length otherwise.
func (c Cipher) KeySize() int {
	switch c {
	case TDES, AES128:
		return 16
	case AES192:
		return 24
	case AES256:
		return 32
	}
	return 0
}

// BlockSize returns the cipher's block size, which is also the length of
// the send sequence counter: 8 for 3DES, 16 for AES.
func (c Cipher) BlockSize() int {
	if c == TDES {
		return des.BlockSize
	}
	return aes.BlockSize
}

func (c Cipher) valid() bool { return c >= TDES && c <= AES256 }

// ErrKey is returned for a key of the wrong length or an unknown cipher.
var ErrKey = errors.New("secure messaging: invalid key or cipher")

// NewBlock returns the block cipher of key: two-key 3DES (K1, K2, K1) or AES.
func (c Cipher) NewBlock(key []byte) (cipher.Block, error) {
	if !c.valid() || len(key) != c.KeySize() {
		return nil, fmt.Errorf("%w: %v with a %d-byte key", ErrKey, c, len(key))
	}
	if c == TDES {
		k := make([]byte, 24)
		copy(k, key)
		copy(k[16:], key[:8])
		return des.NewTripleDESCipher(k)
	}
	return aes.NewCipher(key)
}

// Counters of the key derivation function (§9.7.1).
const (
	CounterEnc  uint32 = 1 // session encryption key
	CounterMAC  uint32 = 2 // session MAC key
	CounterPACE uint32 = 3 // PACE password key Kπ
)

// KDF is the key derivation function of ICAO 9303-11 §9.7.1:
// H(secret ‖ counter) with SHA-1 for 3DES and AES-128 and SHA-256 for
// AES-192/256, truncated to the key length; 3DES keys get DES parity.
func KDF(c Cipher, secret []byte, counter uint32) []byte {
	in := make([]byte, 0, len(secret)+4)
	in = append(in, secret...)
	in = binary.BigEndian.AppendUint32(in, counter)
	var sum []byte
	switch c {
	case TDES, AES128:
		h := sha1.Sum(in)
		sum = h[:]
	default:
		h := sha256.Sum256(in)
		sum = h[:]
	}
	key := append([]byte(nil), sum[:c.KeySize()]...)
	if c == TDES {
		AdjustParity(key)
	}
	return key
}

// AdjustParity sets the least significant bit of every byte of a DES key so
// that each byte has odd parity.
func AdjustParity(key []byte) {
	for i, b := range key {
		b &^= 1
		ones := 0
		for v := b; v != 0; v >>= 1 {
			ones += int(v & 1)
		}
		if ones%2 == 0 {
			b |= 1
		}
		key[i] = b
	}
}

// Encrypt encrypts block-aligned data in CBC mode with a zero IV, as BAC
// (EIFD, EIC) and PACE (the encrypted nonce) use it.
func (c Cipher) Encrypt(key, data []byte) ([]byte, error) {
	return c.cbc(key, data, true)
}

// Decrypt decrypts block-aligned data in CBC mode with a zero IV.
func (c Cipher) Decrypt(key, data []byte) ([]byte, error) {
	return c.cbc(key, data, false)
}

func (c Cipher) cbc(key, data []byte, encrypt bool) ([]byte, error) {
	b, err := c.NewBlock(key)
	if err != nil {
		return nil, err
	}
	if len(data)%b.BlockSize() != 0 {
		return nil, fmt.Errorf("secure messaging: %d bytes are not a multiple of the block size", len(data))
	}
	out := make([]byte, len(data))
	iv := make([]byte, b.BlockSize())
	if encrypt {
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, data)
	} else {
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
	}
	return out, nil
}

// MAC computes the 8-byte message authentication code of the cipher suite
// as the access protocols use it (BAC's MIFD/MIC, PACE and CA tokens): for
// 3DES the retail MAC over the message padded with method 2; for AES the
// CMAC of the unpadded message truncated to 8 bytes. Secure messaging pads
// its MAC input itself (Session).
func (c Cipher) MAC(key, msg []byte) ([]byte, error) {
	if !c.valid() || len(key) != c.KeySize() {
		return nil, fmt.Errorf("%w: %v with a %d-byte key", ErrKey, c, len(key))
	}
	if c == TDES {
		return RetailMAC(key, Pad(msg, des.BlockSize))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return CMAC(b, msg)[:8], nil
}
