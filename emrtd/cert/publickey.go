package cert

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/ec"
)

// KeyAlgorithm is the kind of a public key.
type KeyAlgorithm int

const (
	KeyUnknown KeyAlgorithm = iota
	KeyRSA
	KeyEC
)

// PublicKey is a parsed SubjectPublicKeyInfo. Exactly one of RSA and EC is
// set for a supported key; an unsupported one keeps only its algorithm.
type PublicKey struct {
	Algorithm AlgorithmIdentifier
	RSA       *rsa.PublicKey
	PSS       *PSSParams // when the key is restricted to RSASSA-PSS (id-RSASSA-PSS with parameters)
	EC        *ec.PublicKey
	Raw       []byte // the whole SubjectPublicKeyInfo
}

// Kind tells what the key is.
func (k *PublicKey) Kind() KeyAlgorithm {
	switch {
	case k == nil:
		return KeyUnknown
	case k.RSA != nil:
		return KeyRSA
	case k.EC != nil:
		return KeyEC
	}
	return KeyUnknown
}

// String describes the key for people ("RSA 4096", "EC brainpoolP512r1").
func (k *PublicKey) String() string {
	switch k.Kind() {
	case KeyRSA:
		return fmt.Sprintf("RSA %d", k.RSA.N.BitLen())
	case KeyEC:
		return "EC " + k.EC.Curve.String()
	}
	if k == nil {
		return "no key"
	}
	return "unsupported key " + k.Algorithm.OID.String()
}

// ErrUnsupported reports an algorithm or key this package cannot verify
// with; the caller reports NOT_SUPPORTED rather than a failure.
var ErrUnsupported = errors.New("cert: unsupported algorithm")

// ErrSignature reports a signature that does not verify.
var ErrSignature = errors.New("cert: signature invalid")

// ParsePublicKey decodes a SubjectPublicKeyInfo. Keys of unknown
// algorithms parse without error (Kind is KeyUnknown); a known algorithm
// with a malformed or invalid key is an error.
func ParsePublicKey(der []byte) (*PublicKey, error) {
	v, err := ber.Decode(der)
	if err != nil {
		return nil, fmt.Errorf("subject public key info: %w", err)
	}
	return parsePublicKey(v)
}

func parsePublicKey(v ber.Value) (*PublicKey, error) {
	if v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("%w: subject public key info", ber.ErrMalformed)
	}
	r := v.Children()
	algV, err := r.Expect(ber.TagSequence, "public key algorithm")
	if err != nil {
		return nil, err
	}
	alg, err := ParseAlgorithmIdentifier(algV)
	if err != nil {
		return nil, err
	}
	bitsV, err := r.Expect(ber.TagBitString, "public key")
	if err != nil {
		return nil, err
	}
	bits, unused, err := bitsV.BitString()
	if err != nil || unused != 0 {
		return nil, fmt.Errorf("public key bits: %w", ber.ErrMalformed)
	}
	k := &PublicKey{Algorithm: alg, Raw: v.Raw}
	switch {
	case alg.OID.Equal(OIDRSAEncryption), alg.OID.Equal(OIDRSASSAPSS):
		if k.RSA, err = parseRSAKey(bits); err != nil {
			return nil, err
		}
		if alg.OID.Equal(OIDRSASSAPSS) && !alg.hasNoParams() {
			if k.PSS, err = parsePSSParams(alg.Params); err != nil {
				return nil, err
			}
		}
	case alg.OID.Equal(OIDECPublicKey):
		curve, err := ec.ParseParameters(alg.Params)
		if err != nil {
			return nil, fmt.Errorf("EC key parameters: %w", err)
		}
		if k.EC, err = ec.ParsePublicKey(curve, bits); err != nil {
			return nil, fmt.Errorf("EC public key: %w", err)
		}
	}
	return k, nil
}

// maxRSABits bounds the modulus size (verification cost grows with it).
const maxRSABits = 16384

func parseRSAKey(b []byte) (*rsa.PublicKey, error) {
	v, err := ber.Decode(b)
	if err != nil || v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("RSA public key: %w", ber.ErrMalformed)
	}
	r := v.Children()
	nV, err := r.Expect(ber.TagInteger, "RSA modulus")
	if err != nil {
		return nil, err
	}
	eV, err := r.Expect(ber.TagInteger, "RSA exponent")
	if err != nil {
		return nil, err
	}
	// Some issuers forget the leading zero of a modulus with its top bit
	// set; the magnitude is what they meant.
	n, err := nV.Unsigned()
	if err != nil {
		return nil, err
	}
	e, err := eV.Int()
	if err != nil {
		return nil, err
	}
	if n.BitLen() < 512 || n.BitLen() > maxRSABits || n.Bit(0) == 0 {
		return nil, fmt.Errorf("RSA modulus of %d bits", n.BitLen())
	}
	if e.Sign() <= 0 || e.BitLen() > 31 || e.Bit(0) == 0 {
		return nil, errors.New("RSA public exponent out of range")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// KeyID returns the SHA-256 of the key's SubjectPublicKeyInfo, a stable
// identifier for deduplication (not the certificate's SKI).
func (k *PublicKey) KeyID() [32]byte { return sha256.Sum256(k.Raw) }

// Equal reports whether two keys encode the same key material.
func (k *PublicKey) Equal(o *PublicKey) bool {
	switch {
	case k.Kind() == KeyRSA && o.Kind() == KeyRSA:
		return k.RSA.N.Cmp(o.RSA.N) == 0 && k.RSA.E == o.RSA.E
	case k.Kind() == KeyEC && o.Kind() == KeyEC:
		return k.EC.Equal(o.EC)
	}
	return false
}

// Verify checks a signature over data (not a digest) with the algorithm.
// hash overrides the algorithm's hash when the algorithm names none (CMS
// SignerInfo with rsaEncryption). Errors wrap ErrSignature or
// ErrUnsupported.
func (k *PublicKey) Verify(alg SignatureAlgorithm, hash crypto.Hash, data, sig []byte) error {
	h := alg.Hash
	if h == 0 {
		h = hash
	}
	if h == 0 || !h.Available() {
		return fmt.Errorf("%w: no usable hash for %s", ErrUnsupported, alg)
	}
	hh := h.New()
	hh.Write(data)
	return k.VerifyDigest(alg, h, hh.Sum(nil), sig)
}

// VerifyDigest checks a signature over a digest computed with hash h.
func (k *PublicKey) VerifyDigest(alg SignatureAlgorithm, h crypto.Hash, digest, sig []byte) error {
	switch alg.Scheme {
	case SchemeRSAPKCS1:
		if k.Kind() != KeyRSA {
			return mismatch(alg.Scheme, k)
		}
		if k.PSS != nil {
			return fmt.Errorf("%w: key restricted to RSA-PSS used with PKCS#1 v1.5", ErrSignature)
		}
		if err := rsa.VerifyPKCS1v15(k.RSA, h, digest, sig); err != nil {
			return rsaError(err)
		}
		return nil
	case SchemeRSAPSS:
		return k.verifyPSS(alg.PSS, h, digest, sig)
	case SchemeECDSA, SchemeECDSAPlain:
		if k.Kind() != KeyEC {
			return mismatch(alg.Scheme, k)
		}
		ok := false
		if alg.Scheme == SchemeECDSA {
			ok = ec.VerifyASN1(k.EC, digest, sig)
		} else {
			ok = ec.VerifyPlain(k.EC, digest, sig)
		}
		if !ok {
			return ErrSignature
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrUnsupported, alg)
}

func (k *PublicKey) verifyPSS(p *PSSParams, h crypto.Hash, digest, sig []byte) error {
	if k.Kind() != KeyRSA {
		return mismatch(SchemeRSAPSS, k)
	}
	if p == nil {
		return fmt.Errorf("%w: RSA-PSS without parameters", ErrUnsupported)
	}
	if p.MGFHash != p.Hash {
		// crypto/rsa uses the message hash for MGF1.
		return fmt.Errorf("%w: RSA-PSS with MGF1 hash %s differing from %s", ErrUnsupported, p.MGFHash, p.Hash)
	}
	if k.PSS != nil && (k.PSS.Hash != p.Hash || p.SaltLength < k.PSS.SaltLength) {
		return fmt.Errorf("%w: RSA-PSS parameters violate the key's restrictions", ErrSignature)
	}
	if err := rsa.VerifyPSS(k.RSA, h, digest, sig, &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: p.Hash}); err != nil {
		return rsaError(err)
	}
	return nil
}

// rsaError separates keys crypto/rsa refuses outright (too small) from bad
// signatures.
func rsaError(err error) error {
	if errors.Is(err, rsa.ErrVerification) {
		return ErrSignature
	}
	return fmt.Errorf("%w: %v", ErrUnsupported, err)
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// mismatch reports a signature scheme that does not fit the key: a bad
// signature for a known key type, unsupported for an unknown one.
func mismatch(s Scheme, k *PublicKey) error {
	if k.Kind() == KeyUnknown {
		return fmt.Errorf("%w: %s signature for a %s", ErrUnsupported, s, k)
	}
	return fmt.Errorf("%w: %s signature for a %s", ErrSignature, s, k)
}
