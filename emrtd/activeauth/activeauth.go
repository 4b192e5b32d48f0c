// Package activeauth implements Active Authentication (ICAO 9303-11
// §6.1) for both ends of the link: the reader sends INTERNAL AUTHENTICATE
// with an 8-byte challenge and verifies the signature with the DG15 key
// (Verify, or VerifySignature for a server checking a chip's answer
// later), and the chip signs the challenge (Chip).
//
// Signatures: RSA with ISO/IEC 9796-2 digital signature scheme 1 (partial
// message recovery), with the implicit trailer BC (SHA-1) or the explicit
// trailers 33CC (SHA-1), 38CC (SHA-224), 34CC (SHA-256), 36CC (SHA-384),
// 35CC (SHA-512), fully verified: the header and padding (6A, or 6B BB…
// BA, nothing else), the trailer, and the hash the trailer names over the
// recovered message M1 with the challenge M2 (one hash: the trailer
// declares it). ECDSA on any curve emrtd/ec knows (named, standardized or
// explicit parameters), with plain r ‖ s signatures (DER is accepted too,
// real-chips.md C-06). The ECDSA hash is the one DG14's
// ActiveAuthenticationInfo names (signed data; only that one is tried);
// without one, the SHA-2 hashes ICAO 9303-11 §6.1.2.3 allows are tried,
// those not longer than the key, the longest first (never SHA-1). Result.Hash
// tells which hash verified.
//
// # Reader side
//
//	res, err := activeauth.Verify(ctx, channel, dg15.PublicKey, aaInfo, challenge, nil)
//	switch {
//	case errors.Is(err, activeauth.ErrFailed): // FAIL: wrong key (a clone) or a corrupted signature
//	case err != nil: // not run: unsupported key, chip refused, card removed
//	}
//	// res carries challenge, signature and public key (SPKI) for a server.
//
// A nil challenge draws a random one; a caller-supplied challenge lets a
// server verify the chip's signature itself with VerifySignature. Long RSA
// signatures under secure messaging need extended length (ICAO: keys above
// 1848 bits with 3DES, 1792 with AES): Verify asks with extended length
// for them and falls back to a short Le 00 (the chip may chain with 61xx)
// when the reader or chip refuses extended length, and the other way
// round.
//
// # Chip side
//
//	chip, _ := activeauth.NewChip(activeauth.ChipConfig{Key: aaKey, Hash: crypto.SHA256})
//	if chip.Accepts(cmd) {
//		resp := chip.Respond(cmd) // INTERNAL AUTHENTICATE
//	}
//
// A chip configured with a key other than DG15's plays a clone. Keys never
// appear in errors.
package activeauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// ChallengeLen is the length of RND.IFD (§6.1.2.1).
const ChallengeLen = 8

// Errors of this package.
var (
	// ErrFailed: the signature does not verify with the DG15 key: the chip
	// does not hold the key (a clone), or the signature is corrupted.
	ErrFailed = errors.New("activeauth: the signature does not verify")
	// ErrUnsupported: the DG15 key is of a kind this package cannot use.
	ErrUnsupported = errors.New("activeauth: unsupported key")
	// ErrProtocol: the chip refused INTERNAL AUTHENTICATE or answered
	// nothing usable.
	ErrProtocol = errors.New("activeauth: invalid answer from the chip")
)

// Algorithm names the signature scheme.
type Algorithm string

const (
	RSA9796 Algorithm = "RSA ISO/IEC 9796-2 scheme 1"
	ECDSA   Algorithm = "ECDSA"
)

// Options tune the reader side. The zero value (or nil) is fine.
type Options struct {
	// Rand draws the challenge when none is given (crypto/rand when nil).
	Rand io.Reader
	// Le is how INTERNAL AUTHENTICATE asks for the signature.
	Le LeForm
}

// LeForm is how INTERNAL AUTHENTICATE asks for the signature.
type LeForm int

const (
	// LeAuto: extended for a signature longer than a short protected
	// answer carries, short otherwise, and the other form once when the
	// reader or the chip refuses the first.
	LeAuto LeForm = iota
	LeShort
	LeExtended
)

// ShortSignatureError: the chip answered INTERNAL AUTHENTICATE with fewer
// bytes than DG15's RSA key signs (nothing, or a signature cut to what a
// short answer carries: real-chips T-04) and they do not verify. It
// proves nothing either way: active authentication is inconclusive, not
// failed (it wraps ErrProtocol, not ErrFailed). A reader asks once more
// with the other Le form on a fresh session.
type ShortSignatureError struct {
	Got, Want int
	// Extended: the signature was asked for with an extended Le (false
	// when unknown: VerifySignature).
	Extended bool
}

func (e *ShortSignatureError) Error() string {
	return fmt.Sprintf("activeauth: signature of %d bytes where the key signs %d: cut by the chip or the reader, inconclusive", e.Got, e.Want)
}

func (e *ShortSignatureError) Unwrap() error { return ErrProtocol }

// Result is the outcome of Active Authentication. It is returned with
// ErrFailed too, so the caller can report what was checked.
type Result struct {
	Challenge []byte // RND.IFD
	Signature []byte // as the chip returned it
	PublicKey []byte // the DG15 SubjectPublicKeyInfo (DER)
	Algorithm Algorithm
	// Hash is the digest that verified, 0 when the signature failed.
	Hash     crypto.Hash
	Verified bool
}

// Verify runs INTERNAL AUTHENTICATE over t (the secure messaging channel,
// or a plain transport for a chip without access control) and checks the
// signature with the DG15 key. info is DG14's ActiveAuthenticationInfo
// (nil when absent). challenge must be 8 bytes, or nil for a random one.
func Verify(ctx context.Context, t nfc.Transport, dg15 *lds.PublicKey, info *lds.ActiveAuthenticationInfo, challenge []byte, opts *Options) (*Result, error) {
	v, err := newVerifier(dg15, info)
	if err != nil {
		return nil, err
	}
	if challenge == nil {
		rng := io.Reader(rand.Reader)
		if opts != nil && opts.Rand != nil {
			rng = opts.Rand
		}
		challenge = make([]byte, ChallengeLen)
		if _, err := io.ReadFull(rng, challenge); err != nil {
			return nil, fmt.Errorf("activeauth: random: %w", err)
		}
	}
	if len(challenge) != ChallengeLen {
		return nil, fmt.Errorf("activeauth: challenge of %d bytes, want %d", len(challenge), ChallengeLen)
	}
	le := LeAuto
	if opts != nil {
		le = opts.Le
	}
	sig, extended, err := internalAuthenticate(ctx, t, challenge, v.signatureLen(), le)
	if err != nil {
		return nil, err
	}
	res, err := v.verify(challenge, sig)
	var short *ShortSignatureError
	if errors.As(err, &short) {
		short.Extended = extended
	}
	return res, err
}

// VerifySignature checks a signature the chip gave for challenge, without
// talking to the chip (a server verifying a read later).
func VerifySignature(dg15 *lds.PublicKey, info *lds.ActiveAuthenticationInfo, challenge, signature []byte) (*Result, error) {
	v, err := newVerifier(dg15, info)
	if err != nil {
		return nil, err
	}
	return v.verify(challenge, signature)
}

// verifier holds a parsed DG15 key.
type verifier struct {
	spki []byte
	rsa  *rsa.PublicKey
	ec   *ec.PublicKey
	hash crypto.Hash // from ActiveAuthenticationInfo, 0 when absent
}

func newVerifier(dg15 *lds.PublicKey, info *lds.ActiveAuthenticationInfo) (*verifier, error) {
	if dg15 == nil {
		return nil, fmt.Errorf("%w: no DG15 key", ErrUnsupported)
	}
	v := &verifier{spki: append([]byte(nil), dg15.SPKI...)}
	if info != nil {
		v.hash = info.Hash
	}
	switch {
	case dg15.RSA != nil:
		if dg15.RSA.N.BitLen() < 512 || dg15.RSA.N.BitLen() > 8192 {
			return nil, fmt.Errorf("%w: RSA key of %d bits", ErrUnsupported, dg15.RSA.N.BitLen())
		}
		v.rsa = dg15.RSA
		return v, nil
	case dg15.Algorithm == "EC" || dg15.StandardizedParameterID != nil:
		d, err := keyagree.DomainOfKey(dg15)
		if err != nil || d.Curve == nil {
			return nil, fmt.Errorf("%w: EC key parameters: %v", ErrUnsupported, err)
		}
		k, err := ec.ParsePublicKey(d.Curve, dg15.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: EC key: %v", ErrUnsupported, err)
		}
		v.ec = k
		return v, nil
	}
	return nil, fmt.Errorf("%w: %s key", ErrUnsupported, dg15.AlgorithmOID)
}

// signatureLen is the expected signature length.
func (v *verifier) signatureLen() int {
	if v.rsa != nil {
		return (v.rsa.N.BitLen() + 7) / 8
	}
	return 2 * v.ec.Curve.OrderByteLen()
}

// verify checks the signature and builds the result.
func (v *verifier) verify(challenge, sig []byte) (*Result, error) {
	res := &Result{Challenge: append([]byte(nil), challenge...), Signature: append([]byte(nil), sig...), PublicKey: v.spki}
	var err error
	if v.rsa != nil {
		res.Algorithm = RSA9796
		var r recovered
		if r, err = verify9796(v.rsa, challenge, sig); err == nil {
			res.Hash = r.hash
		}
	} else {
		res.Algorithm = ECDSA
		res.Hash, err = verifyECDSA(v.ec, v.hash, challenge, sig)
	}
	if err != nil && v.rsa != nil && len(sig) < v.signatureLen() {
		return res, &ShortSignatureError{Got: len(sig), Want: v.signatureLen()}
	}
	if err != nil {
		return res, fmt.Errorf("%w: %v", ErrFailed, err)
	}
	res.Verified = true
	return res, nil
}

// extendedThreshold is the longest signature asked for with short length
// first: above it, the protected answer under AES secure messaging no
// longer fits 256 bytes (ICAO: keys above 1792 bits).
const extendedThreshold = 224

// internalAuthenticate sends INTERNAL AUTHENTICATE and returns the
// signature and whether it was asked for with an extended Le. With
// LeAuto it asks for a long signature with extended length first and
// retries once with the other form when the reader or chip refuses it.
func internalAuthenticate(ctx context.Context, t nfc.Transport, challenge []byte, sigLen int, le LeForm) ([]byte, bool, error) {
	extended := le == LeExtended || le == LeAuto && sigLen > extendedThreshold
	for attempt := 0; ; attempt++ {
		cmd := apdu.Command{INS: apdu.InsInternalAuthenticate, Data: challenge, Ne: apdu.MaxShortNe}
		if extended {
			cmd.Ne, cmd.ForceExtended = apdu.MaxExtendedNe, true
		}
		resp, err := t.Exchange(ctx, cmd)
		if attempt == 0 && le == LeAuto && lengthRefused(resp, err) {
			extended = !extended
			continue
		}
		if err != nil {
			return nil, extended, exchangeError(cmd, err)
		}
		if err := resp.Err(cmd); err != nil {
			return nil, extended, fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		return resp.Data, extended, nil
	}
}

// lengthRefused reports an answer that means "not with this length":
// the reader cannot pass it, or the chip answers 6700 or 6Cxx (plain or
// protected).
func lengthRefused(resp apdu.Response, err error) bool {
	if errors.Is(err, nfc.ErrAPDUTooLong) {
		return true
	}
	sw := resp.SW
	var plain *sm.PlainStatusError
	switch {
	case errors.As(err, &plain):
		sw = plain.SW
	case err != nil:
		return false
	}
	return sw == apdu.SWWrongLength || sw.SW1() == 0x6C
}

// exchangeError wraps a failed INTERNAL AUTHENTICATE: a chip's refusal
// (an unprotected status under secure messaging) is ErrProtocol; secure
// messaging and transport errors pass through.
func exchangeError(cmd apdu.Command, err error) error {
	var plain *sm.PlainStatusError
	if errors.As(err, &plain) {
		return fmt.Errorf("%w: %s: %v", ErrProtocol, cmd, err)
	}
	return fmt.Errorf("activeauth: %s: %w", cmd, err)
}
