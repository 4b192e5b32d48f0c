// Package chipauth implements Chip Authentication version 1 (ICAO 9303-11
// §6.2, BSI TR-03110): an ephemeral-static Diffie-Hellman key agreement
// that proves the chip holds the private key of the
// ChipAuthenticationPublicKeyInfo in DG14 (or EF.CardSecurity) and
// restarts secure messaging with fresh session keys. Both ends are here:
// the reader (Authenticate) and the chip (Chip).
//
// ECDH and DH keys, 3DES (MSE:Set KAT) and AES-128/192/256 (MSE:Set AT and
// GENERAL AUTHENTICATE). Without a ChipAuthenticationInfo the protocol is
// inferred from the key: 3DES with the key's agreement (French passports).
//
// # Reader side
//
//	p, err := chipauth.Select(dg14Infos) // after passive authentication of DG14
//	session, res, err := chipauth.Authenticate(ctx, plain, session, p, nil)
//	switch {
//	case errors.Is(err, chipauth.ErrFailed): // FAIL: the chip does not hold the key (a clone)
//	case errors.Is(err, chipauth.ErrUnconfirmed): // UNKNOWN: no protected answer under the new keys
//	case err != nil: // not run (unsupported, refused, card removed)
//	}
//	ch := sm.NewChannel(plain, session) // read on under the new keys
//
// Authenticate sends the key agreement under the current secure messaging
// session, switches to KSEnc = KDF(K,1), KSMAC = KDF(K,2) with the SSC at
// zero, and proves the switch with one protected exchange (a SELECT of
// EF.COM by default, or the caller's next command, whose answer it
// returns). With 3DES it sends MSE:Set KAT and, when the chip refuses it,
// MSE:Set AT and GENERAL AUTHENTICATE (ICAO 9303-11 §6.2.4 allows either;
// C-01 in the catalogue of real chips). After ErrFailed or ErrUnconfirmed the chip has dropped secure
// messaging: open the chip again (PACE or BAC) to read on.
//
// # Chip side
//
//	chip, _ := chipauth.NewChip(chipauth.ChipConfig{Key: caKey, Protocol: oid})
//	if chip.Accepts(cmd) { // an unwrapped MSE:Set KAT, MSE:Set AT (41A4) or GENERAL AUTHENTICATE
//		resp, next := chip.Respond(cmd) // protect resp with the current session, then switch to next
//	}
//
// A chip configured with a key other than the one DG14 publishes plays a
// clone: it completes the key agreement but cannot speak under the keys
// the reader derives.
//
// Keys and shared secrets never appear in errors.
package chipauth

import (
	"errors"
	"io"

	"github.com/idagent/idagent/nfc/apdu"
)

// Errors of this package.
var (
	// ErrFailed: the chip answered the first command under the new keys
	// with a secure messaging error or a wrong MAC. It does not hold the
	// private key of the public key it was authenticated against: the
	// check fails.
	ErrFailed = errors.New("chipauth: the chip failed chip authentication")
	// ErrUnconfirmed: the chip answered the first command under the new
	// keys without secure messaging, with a status that is no secure
	// messaging error; the check cannot be decided.
	ErrUnconfirmed = errors.New("chipauth: the chip's answer under the new keys was not protected")
	// ErrProtocol: the chip refused or garbled the key agreement commands.
	// The previous session may still be valid.
	ErrProtocol = errors.New("chipauth: invalid answer from the chip")
	// ErrUnsupported: no usable chip authentication key or protocol.
	ErrUnsupported = errors.New("chipauth: unsupported configuration")
	// ErrKATRefused (with ErrProtocol): the chip refused MSE:Set KAT with
	// an unprotected status word, so the session may be gone. Open the
	// chip again and run with Params.SetAT (MSE:Set AT and GENERAL
	// AUTHENTICATE). A protected refusal needs none of this: Authenticate
	// goes on with MSE:Set AT itself.
	ErrKATRefused = errors.New("chipauth: the chip refused MSE:Set KAT")
)

// Options tune the reader side. The zero value (or nil) is fine.
type Options struct {
	// Rand supplies the ephemeral key (crypto/rand when nil).
	Rand io.Reader
	// Probe is the first command sent under the new keys; its protected
	// answer proves the chip derived them. nil means SELECT EF.COM
	// (00 A4 02 0C 02 011E). A read pipeline can pass the next command it
	// needs and use Result.Probe.
	Probe *apdu.Command
}

// Result describes a successful Chip Authentication.
type Result struct {
	Params Params
	// EphemeralPublicKey is the reader's PK_DH,IFD (Terminal
	// Authentication signs over it).
	EphemeralPublicKey []byte
	// Probe is the chip's answer to the probe command, checked and
	// decrypted under the new keys.
	Probe apdu.Response
}
