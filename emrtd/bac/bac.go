// Package bac implements Basic Access Control (ICAO 9303-11 §4.3) for both
// ends of the link: the reader's GET CHALLENGE / EXTERNAL AUTHENTICATE
// (Authenticate) and the chip's answers to them (Chip). Both derive the same
// 3DES secure messaging session (emrtd/sm).
//
// Randomness is injectable so that the ICAO 9303-11 Appendix D exchange is
// reproduced byte for byte. Keys, nonces and cryptograms never appear in
// errors.
package bac

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// Lengths of the BAC exchange.
const (
	nonceLen    = 8  // RND.IFD, RND.IC
	keyLen      = 16 // K.IFD, K.IC
	cryptLen    = 2*nonceLen + keyLen
	authDataLen = cryptLen + 8 // E ‖ M
)

// ErrProtocol is wrapped when the chip's answer is not a valid BAC answer
// (wrong length, a refusal that is not a key's): the chip is broken, but
// it did not refuse the key. An answer that fails its MAC or nonce checks
// wraps access.ErrTokenInvalid instead.
var ErrProtocol = errors.New("bac: invalid answer from the chip")

// keys are the static BAC keys derived from K_seed.
type keys struct {
	enc, mac []byte
}

func deriveKeys(seed []byte) (keys, error) {
	if len(seed) != 16 {
		return keys{}, fmt.Errorf("bac: key seed of %d bytes, want 16", len(seed))
	}
	return keys{enc: sm.KDF(sm.TDES, seed, sm.CounterEnc), mac: sm.KDF(sm.TDES, seed, sm.CounterMAC)}, nil
}

// seal returns E = 3DES-CBC(KEnc, s) ‖ M = MAC(KMAC, E).
func (k keys) seal(s []byte) ([]byte, error) {
	e, err := sm.TDES.Encrypt(k.enc, s)
	if err != nil {
		return nil, err
	}
	m, err := sm.TDES.MAC(k.mac, e)
	if err != nil {
		return nil, err
	}
	return append(e, m...), nil
}

// open checks M and decrypts E of E ‖ M.
func (k keys) open(data []byte) ([]byte, bool) {
	if len(data) != authDataLen {
		return nil, false
	}
	e, m := data[:cryptLen], data[cryptLen:]
	want, err := sm.TDES.MAC(k.mac, e)
	if err != nil || subtle.ConstantTimeCompare(want, m) != 1 {
		return nil, false
	}
	s, err := sm.TDES.Decrypt(k.enc, e)
	return s, err == nil
}

// newSession derives the session keys from K.IFD ⊕ K.IC and the SSC from
// the low halves of the nonces (§9.8.1).
func newSession(kIFD, kIC, rndIC, rndIFD []byte) (*sm.Session, error) {
	seed := make([]byte, keyLen)
	subtle.XORBytes(seed, kIFD, kIC)
	ssc := append(append([]byte(nil), rndIC[4:8]...), rndIFD[4:8]...)
	return sm.NewSession(sm.TDES, sm.KDF(sm.TDES, seed, sm.CounterEnc), sm.KDF(sm.TDES, seed, sm.CounterMAC), ssc)
}

// Authenticate runs BAC with key over t (an unprotected transport, with the
// eMRTD application selected) and returns the secure messaging session. rng
// supplies RND.IFD then K.IFD (crypto/rand when nil). A chip that refuses
// the key gives an error wrapping access.ErrDenied, one that accepts it and
// then fails to prove the key access.ErrTokenInvalid; wrap the session in an
// sm.Channel to read under it.
func Authenticate(ctx context.Context, t nfc.Transport, key access.BACKey, rng io.Reader) (*sm.Session, error) {
	if rng == nil {
		rng = rand.Reader
	}
	k, err := deriveKeys(key.BACSeed())
	if err != nil {
		return nil, err
	}
	rndIC, err := getChallenge(ctx, t)
	if err != nil {
		return nil, err
	}
	own := make([]byte, nonceLen+keyLen)
	if _, err := io.ReadFull(rng, own); err != nil {
		return nil, fmt.Errorf("bac: random: %w", err)
	}
	rndIFD, kIFD := own[:nonceLen], own[nonceLen:]
	s := append(append(append([]byte(nil), rndIFD...), rndIC...), kIFD...)
	sealed, err := k.seal(s)
	if err != nil {
		return nil, fmt.Errorf("bac: %w", err)
	}
	cmd := apdu.Command{INS: apdu.InsExternalAuthenticate, Data: sealed, Ne: authDataLen}
	resp, err := t.Exchange(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("bac: %w", err)
	}
	if denied(resp.SW) {
		return nil, fmt.Errorf("bac: %s answered %04X: %w", apdu.InsName(cmd.INS), uint16(resp.SW), access.ErrDenied)
	}
	if err := resp.Err(cmd); err != nil {
		return nil, fmt.Errorf("bac: %w", err)
	}
	if len(resp.Data) != authDataLen {
		return nil, fmt.Errorf("%w: EXTERNAL AUTHENTICATE response of %d bytes", ErrProtocol, len(resp.Data))
	}
	// A chip that accepted our cryptogram knows the key; one whose answer
	// then fails its MAC or does not return the nonces does not (an
	// attack, not a wrong key).
	r, ok := k.open(resp.Data)
	if !ok {
		return nil, fmt.Errorf("bac: EXTERNAL AUTHENTICATE response fails its MAC: %w", access.ErrTokenInvalid)
	}
	if subtle.ConstantTimeCompare(r[:nonceLen], rndIC)&subtle.ConstantTimeCompare(r[nonceLen:2*nonceLen], rndIFD) != 1 {
		return nil, fmt.Errorf("bac: EXTERNAL AUTHENTICATE response does not return the nonces: %w", access.ErrTokenInvalid)
	}
	return newSession(kIFD, r[2*nonceLen:], rndIC, rndIFD)
}

// denied reports whether an EXTERNAL AUTHENTICATE status word means the
// chip refused the key: 6300 (63Cx with a counter), or the 6982/6A80 some
// chips answer instead.
func denied(sw apdu.SW) bool {
	return sw == apdu.SWVerifyFailed || sw&0xFFF0 == 0x63C0 || sw == apdu.SWSecurityStatus || sw == apdu.SWWrongData
}

func getChallenge(ctx context.Context, t nfc.Transport) ([]byte, error) {
	cmd := apdu.Command{INS: apdu.InsGetChallenge, Ne: nonceLen}
	resp, err := t.Exchange(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("bac: %w", err)
	}
	if err := resp.Err(cmd); err != nil {
		return nil, fmt.Errorf("bac: %w", err)
	}
	if len(resp.Data) != nonceLen {
		return nil, fmt.Errorf("%w: GET CHALLENGE returned %d bytes", ErrProtocol, len(resp.Data))
	}
	return resp.Data, nil
}
