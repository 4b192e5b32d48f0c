package activeauth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/nfc/apdu"
)

// ChipConfig is what the chip side of Active Authentication knows.
type ChipConfig struct {
	// Key is the chip's private key: an *rsa.PrivateKey (whole bytes) or an
	// *ec.PrivateKey. A key other than the one DG15 publishes plays a
	// cloned chip.
	Key any
	// Hash is the digest: for RSA SHA-1 (the default, trailer BC) or
	// SHA-224/256/384/512 (explicit trailers); for ECDSA the hash DG14's
	// ActiveAuthenticationInfo names (default SHA-256).
	Hash crypto.Hash
	// ExplicitSHA1Trailer makes an RSA chip with SHA-1 use the explicit
	// trailer 33CC instead of BC.
	ExplicitSHA1Trailer bool
	// DERSignature makes an ECDSA chip answer a DER ECDSA-Sig-Value
	// instead of the plain r ‖ s ICAO asks for (a Portuguese ID card,
	// real-chips.md C-06).
	DERSignature bool
	// MalformedPadding makes an RSA chip (which holds the key) sign a
	// representative whose ISO/IEC 9796-2 padding is invalid (6B 3A
	// before M1), which a verifier that skips padding nibbles until a
	// border nibble accepts: an attack-catalogue chip, never a real one.
	MalformedPadding bool
	// Rand supplies M1 (RSA) and the ECDSA nonce's extra entropy;
	// crypto/rand when nil.
	Rand io.Reader
}

// Chip is the chip end of Active Authentication: it answers INTERNAL
// AUTHENTICATE. A Chip is not safe for concurrent use.
type Chip struct {
	cfg ChipConfig
	rsa *rsa.PrivateKey
	ec  *ec.PrivateKey
	rng io.Reader
}

// NewChip checks the configuration and returns the chip side.
func NewChip(cfg ChipConfig) (*Chip, error) {
	c := &Chip{cfg: cfg, rng: cfg.Rand}
	if c.rng == nil {
		c.rng = rand.Reader
	}
	switch k := cfg.Key.(type) {
	case *rsa.PrivateKey:
		if c.cfg.Hash == 0 {
			c.cfg.Hash = crypto.SHA1
		}
		if _, ok := trailerID(c.cfg.Hash); !ok || k.N.BitLen()%8 != 0 {
			return nil, fmt.Errorf("activeauth: RSA chip with %v and a %d-bit key", c.cfg.Hash, k.N.BitLen())
		}
		c.rsa = k
	case *ec.PrivateKey:
		if c.cfg.Hash == 0 {
			c.cfg.Hash = crypto.SHA256
		}
		c.ec = k
	default:
		return nil, fmt.Errorf("%w: chip key of type %T", ErrUnsupported, cfg.Key)
	}
	if !c.cfg.Hash.Available() {
		return nil, fmt.Errorf("activeauth: hash %v not available", c.cfg.Hash)
	}
	return c, nil
}

// Accepts reports whether cmd is INTERNAL AUTHENTICATE.
func (c *Chip) Accepts(cmd apdu.Command) bool { return cmd.INS == apdu.InsInternalAuthenticate }

// signatureLen is the length of the chip's signatures.
func (c *Chip) signatureLen() int {
	if c.rsa != nil {
		return c.rsa.N.BitLen() / 8
	}
	return 2 * c.ec.Curve.OrderByteLen()
}

// Respond answers INTERNAL AUTHENTICATE (00 88 00 00 08 RND.IFD Le) with
// the signature. An Le too short for it answers 6Cxx (or 6700 beyond
// 256).
func (c *Chip) Respond(cmd apdu.Command) apdu.Response {
	if cmd.P1 != 0 || cmd.P2 != 0 {
		return apdu.Response{SW: apdu.SWIncorrectP1P2}
	}
	if len(cmd.Data) != ChallengeLen {
		return apdu.Response{SW: apdu.SWWrongLength}
	}
	if n := c.signatureLen(); cmd.Ne != 0 && cmd.Ne < n {
		if n <= apdu.MaxShortNe {
			return apdu.Response{SW: apdu.SW(0x6C00 | n&0xFF)}
		}
		return apdu.Response{SW: apdu.SWWrongLength}
	}
	sig, err := c.sign(cmd.Data)
	if err != nil {
		return apdu.Response{SW: apdu.SWNoPreciseDiagnosis}
	}
	return apdu.Response{Data: sig, SW: apdu.SWOK}
}

func (c *Chip) sign(challenge []byte) ([]byte, error) {
	if c.rsa != nil {
		return sign9796(c.rsa, scheme9796{hash: c.cfg.Hash, explicitSHA1: c.cfg.ExplicitSHA1Trailer, malformed: c.cfg.MalformedPadding}, challenge, c.rng)
	}
	d := c.cfg.Hash.New()
	d.Write(challenge)
	if c.cfg.DERSignature {
		return ec.SignASN1(c.rng, c.ec, d.Sum(nil))
	}
	return ec.SignPlain(c.rng, c.ec, d.Sum(nil))
}
