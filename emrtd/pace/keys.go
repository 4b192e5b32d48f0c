package pace

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"

	"github.com/idagent/idagent/emrtd/sm"
)

// passwordKey is Kπ = KDF(π, 3) (§9.7.3): the key that encrypts the nonce.
func passwordKey(c sm.Cipher, password []byte) []byte {
	return sm.KDF(c, password, sm.CounterPACE)
}

// sessionKeys are KSEnc = KDF(K, 1) and KSMAC = KDF(K, 2) (§9.7.4).
type sessionKeys struct {
	enc, mac []byte
}

func deriveSessionKeys(c sm.Cipher, k []byte) sessionKeys {
	return sessionKeys{enc: sm.KDF(c, k, sm.CounterEnc), mac: sm.KDF(c, k, sm.CounterMAC)}
}

// session starts secure messaging with the keys and SSC 0.
func (k sessionKeys) session(c sm.Cipher) (*sm.Session, error) {
	return sm.NewSession(c, k.enc, k.mac, nil)
}

// authToken is the authentication token (§4.4.3.4): the MAC with KSMAC of
// the public key data object of the other side's ephemeral key.
func authToken(p Params, ksMAC, pub []byte) ([]byte, error) {
	return p.Cipher.MAC(ksMAC, publicKeyObject(p.Protocol, p.Domain, pub))
}

// tokenEqual compares tokens in constant time.
func tokenEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// maxNonceLen bounds the encrypted nonce a reader accepts.
const maxNonceLen = 64

// decryptNonce recovers s = D(Kπ, z) (CBC, zero IV).
func decryptNonce(c sm.Cipher, kpi, z []byte) ([]byte, error) {
	if len(z) == 0 || len(z) > maxNonceLen || len(z)%c.BlockSize() != 0 {
		return nil, fmt.Errorf("%w: encrypted nonce of %d bytes", errMalformed, len(z))
	}
	return c.Decrypt(kpi, z)
}

// camIV is the IV of the encrypted chip authentication data: E(KSEnc, −1),
// the encryption of the all-ones block (§4.4.3.5.4).
func camIV(b cipher.Block) []byte {
	iv := make([]byte, b.BlockSize())
	for i := range iv {
		iv[i] = 0xFF
	}
	b.Encrypt(iv, iv)
	return iv
}

// encryptCAM is A_IC = E(KSEnc, CA_IC): padding method 2, CBC with the
// IV of camIV.
func encryptCAM(c sm.Cipher, ksEnc, ca []byte) ([]byte, error) {
	b, err := c.NewBlock(ksEnc)
	if err != nil {
		return nil, err
	}
	data := sm.Pad(ca, b.BlockSize())
	cipher.NewCBCEncrypter(b, camIV(b)).CryptBlocks(data, data)
	return data, nil
}

// maxCAMLen bounds the encrypted chip authentication data (a 521-bit
// scalar padded).
const maxCAMLen = 96

// decryptCAM recovers CA_IC from A_IC.
func decryptCAM(c sm.Cipher, ksEnc, a []byte) ([]byte, error) {
	b, err := c.NewBlock(ksEnc)
	if err != nil {
		return nil, err
	}
	if len(a) == 0 || len(a) > maxCAMLen || len(a)%b.BlockSize() != 0 {
		return nil, fmt.Errorf("%w: encrypted chip authentication data of %d bytes", errMalformed, len(a))
	}
	data := make([]byte, len(a))
	cipher.NewCBCDecrypter(b, camIV(b)).CryptBlocks(data, a)
	ca, err := sm.Unpad(data)
	if err != nil {
		return nil, fmt.Errorf("%w: chip authentication data padding", errMalformed)
	}
	return ca, nil
}
