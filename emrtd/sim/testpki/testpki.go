// Package testpki holds the simulator's TEST public key infrastructure: a
// test CSCA for Vietnam, document signer certificates in every state the
// tamper kinds need (valid, expired, revoked, wrong country, issued by an
// untrusted CSCA), their private keys and a CRL.
//
// Like the real Vietnamese PKI, the CSCAs are ECDSA over brainpoolP512r1
// with explicit domain parameters signing with SHA-512; the document
// signers are brainpoolP256r1 with explicit parameters. Go's crypto/x509
// cannot read them: emrtd/cert and emrtd/ec can.
//
// These are TEST anchors. Their private keys are public (they are committed
// next to this file), so anything they sign proves nothing: they must never
// be trusted by a production read. The agent loads CSCA only in its
// simulate mode and marks it as a test anchor.
//
// The files are generated once by TestRegenerate (run with
// IDAGENT_REGEN_TESTPKI=1) and embedded, so every build signs with the same
// keys and a verifier can be tested against fixed anchors.
package testpki

import (
	"crypto"
	"crypto/rsa"
	"embed"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

//go:embed *.cer *.key *.crl
var files embed.FS

// SignerKind names one of the committed document signers.
type SignerKind string

// The document signers. Each is issued by the test CSCA except Untrusted,
// which is issued by UntrustedCSCA (a CSCA no trust store holds).
const (
	Valid        SignerKind = "valid"         // in force, country VN
	Expired      SignerKind = "expired"       // validity ended before any simulated document was issued
	Revoked      SignerKind = "revoked"       // listed on the test CSCA's CRL
	WrongCountry SignerKind = "wrong-country" // issued by the VN CSCA but for country LA
	Untrusted    SignerKind = "untrusted"     // issued by the untrusted CSCA
)

// SignerKinds lists every document signer kind.
var SignerKinds = []SignerKind{Valid, Expired, Revoked, WrongCountry, Untrusted}

// Signer is a document signer: its certificate, its private key (Key for
// EC, RSA for RSA signers) and the CSCA certificate that issued it.
type Signer struct {
	Kind    SignerKind
	CertDER []byte
	Cert    *cert.Certificate
	Key     *ec.PrivateKey
	RSA     *rsa.PrivateKey
	CSCADER []byte
}

// PrivateKey is the signer's key, EC or RSA.
func (s *Signer) PrivateKey() crypto.PrivateKey {
	if s.RSA != nil {
		return s.RSA
	}
	return s.Key
}

// File names inside the package directory.
const (
	cscaFile          = "csca.cer"
	untrustedFile     = "untrusted-csca.cer"
	crlFile           = "csca.crl"
	signerFilePattern = "ds-%s.cer"
	signerKeyPattern  = "ds-%s.key"
)

// CSCA returns the DER of the test CSCA certificate: the TEST trust anchor
// of simulated documents.
func CSCA() []byte { return mustRead(cscaFile) }

// UntrustedCSCA returns the DER of the CSCA that issued the Untrusted
// signer. Tests use it to check that an unknown issuer is reported as such;
// it belongs in no trust store.
func UntrustedCSCA() []byte { return mustRead(untrustedFile) }

// CRL returns the DER of the test CSCA's certificate revocation list, which
// lists the Revoked signer.
func CRL() []byte { return mustRead(crlFile) }

var signers = sync.OnceValues(loadSigners)

// DocumentSigner returns the document signer of the given kind: a
// committed one (SignerKinds) or one the test CSCA issues at run time
// (QuirkSignerKinds).
func DocumentSigner(kind SignerKind) (*Signer, error) {
	if slices.Contains(QuirkSignerKinds, kind) {
		return quirkSigner(kind)
	}
	all, err := signers()
	if err != nil {
		return nil, err
	}
	s, ok := all[kind]
	if !ok {
		return nil, fmt.Errorf("testpki: unknown document signer %q", kind)
	}
	return s, nil
}

func loadSigners() (map[SignerKind]*Signer, error) {
	out := make(map[SignerKind]*Signer, len(SignerKinds))
	for _, kind := range SignerKinds {
		s, err := loadSigner(kind)
		if err != nil {
			return nil, err
		}
		out[kind] = s
	}
	return out, nil
}

func loadSigner(kind SignerKind) (*Signer, error) {
	certDER := mustRead(fmt.Sprintf(signerFilePattern, kind))
	c, err := cert.Parse(certDER)
	if err != nil {
		return nil, fmt.Errorf("testpki: parse %s signer certificate: %w", kind, err)
	}
	key, err := ParseKey(mustRead(fmt.Sprintf(signerKeyPattern, kind)))
	if err != nil {
		return nil, fmt.Errorf("testpki: %s signer key: %w", kind, err)
	}
	issuer := CSCA()
	if kind == Untrusted {
		issuer = UntrustedCSCA()
	}
	return &Signer{Kind: kind, CertDER: certDER, Cert: c, Key: key, CSCADER: issuer}, nil
}

// MarshalKey encodes an EC private key as an RFC 5915 ECPrivateKey in PEM
// ("EC PRIVATE KEY") with the curve's OID.
func MarshalKey(k *ec.PrivateKey) ([]byte, error) {
	if k.Curve.OID() == nil {
		return nil, errors.New("testpki: key curve has no OID")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1OctetString(k.Bytes())
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(k.Curve.OID())
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// ParseKey decodes what MarshalKey writes.
func ParseKey(pemBytes []byte) (*ec.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "EC PRIVATE KEY" {
		return nil, errors.New("no EC PRIVATE KEY PEM block")
	}
	s := cryptobyte.String(block.Bytes)
	var seq, params cryptobyte.String
	var version int
	var d []byte
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&version) || version != 1 ||
		!seq.ReadASN1Bytes(&d, cbasn1.OCTET_STRING) ||
		!seq.ReadASN1(&params, cbasn1.Tag(0).ContextSpecific().Constructed()) || !params.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("malformed ECPrivateKey")
	}
	curve := ec.ByOID(oid)
	if curve == nil {
		return nil, fmt.Errorf("unknown curve %v", oid)
	}
	return ec.NewPrivateKey(curve, d)
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("testpki: embedded file missing: " + name) // build invariant
	}
	return b
}
