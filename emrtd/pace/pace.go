// Package pace implements Password Authenticated Connection Establishment
// (ICAO 9303-11 §4.4) for both ends of the link: the reader's MSE:Set AT
// and four GENERAL AUTHENTICATE steps (Establish, Run) and the chip's
// answers to them (Chip). Both derive the same secure messaging session
// (emrtd/sm) with the send sequence counter at zero.
//
// Mappings: Generic Mapping over ECDH (every standardized curve, IDs 8–18,
// and explicit curves from PACEDomainParameterInfo) and over DH (the RFC
// 5114 groups, IDs 0–2); Integrated Mapping over ECDH (the point encoding
// of Appendix B, on curves with p ≡ 3 mod 4: all standardized curves but
// P-224) and over DH; Chip Authentication Mapping over ECDH. Ciphers: 3DES
// and AES-128/192/256 with CMAC (CAM: AES only).
//
// # Reader side
//
//	infos, _ := lds.ParseSecurityInfos(cardAccess)
//	session, res, err := pace.Establish(ctx, nfc.NewTransport(card), can, infos, nil)
//	switch {
//	case errors.Is(err, access.ErrDenied): // wrong CAN or MRZ: do not retry with it
//	case errors.Is(err, access.ErrTokenInvalid): // an attack: end the read, try nothing else
//	case err != nil: // PACE failed: fall back to BAC if the key allows it
//	}
//	ch := sm.NewChannel(nfc.NewTransport(card), session)
//	if res.CAM != nil { // after passive authentication of EF.CardSecurity:
//		err = res.CAM.Verify(caPublicKeyInfo.PublicKey) // wraps ErrChipAuthentication for a clone
//	}
//
// Establish selects the strongest configuration EF.CardAccess lists (see
// Select for the order) and always sends its parameter ID. A wrong password
// (6300, 63Cx or 6982 at the last step) gives an error wrapping
// access.ErrDenied; a chip that answers step 4 with 9000 and a token that
// does not verify wraps access.ErrTokenInvalid (a genuine chip refuses a
// wrong password instead, so this is an attack); a malformed answer
// wraps ErrProtocol; transport errors (nfc.ErrCardRemoved, ...) come
// wrapped as they are.
//
// # Chip side
//
//	chip, _ := pace.NewChip(pace.ChipConfig{Params: params, Keys: []access.Key{can, mrzKey}, CAKey: caKey})
//	if chip.Accepts(cmd) { // an unprotected MSE:Set AT (C1A4) or GENERAL AUTHENTICATE
//		resp, session := chip.Respond(cmd) // session != nil only after a successful step 4
//	}
//
// The chip answers like real ones: 6300 (or the configured DeniedStatus,
// 6982 on a 2021 CCCD) at step 4 for a wrong password, and a failed run
// leaves no session.
//
// Randomness (nonces, ephemeral keys) is injectable on both sides, so the
// worked examples of ICAO 9303-11 Appendices G, H and I are reproduced
// byte for byte. Passwords, keys and nonces never appear in errors.
package pace

import (
	"errors"
	"io"

	"github.com/idagent/idagent/emrtd/access"
)

// Errors of this package. Wrong passwords wrap access.ErrDenied instead,
// invalid chip tokens access.ErrTokenInvalid.
var (
	// ErrProtocol: the chip's answer is not a valid PACE answer (malformed
	// data, invalid public key, wrong lengths), or the chip refused a step
	// for another reason than the password.
	ErrProtocol = errors.New("pace: invalid answer from the chip")
	// ErrUnsupported: the configuration (protocol, domain parameters) is
	// not one this package runs, or EF.CardAccess lists none.
	ErrUnsupported = errors.New("pace: unsupported configuration")
)

// Options tune the reader side. The zero value (or nil) is fine.
type Options struct {
	// Rand supplies the mapping data (GM: the mapping key, IM: the nonce
	// t) and the ephemeral key, in that order. nil means crypto/rand.
	Rand io.Reader
}

// Result describes a successful PACE run. It holds no secret.
type Result struct {
	// Params is the configuration that ran.
	Params Params
	// Password is the password reference used (MRZ or CAN).
	Password access.PasswordRef
	// ChipPublicKey is the chip's ephemeral public key PK_DH,IC; Terminal
	// Authentication identifies the chip by it.
	ChipPublicKey []byte
	// CAR and PreviousCAR are the certification authority references the
	// chip returned (tags 87 and 88), nil when absent.
	CAR, PreviousCAR []byte
	// CAM is set for the chip authentication mapping: the data to verify
	// against EF.CardSecurity's chip authentication key.
	CAM *CAM
	// Attempts counts the configurations tried (MSE:Set AT sent): more than
	// one when the chip refused a stronger configuration it listed.
	Attempts int
}
