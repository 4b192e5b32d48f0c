// Package testpki holds the simulator's TEST public key infrastructure: a
// test CSCA for Vietnam, document signer certificates in every state the
// tamper kinds need (valid, expired, revoked, wrong country, issued by an
// untrusted CSCA), their private keys and a CRL.
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
	"crypto/ecdsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"sync"
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

// Signer is a document signer: its certificate, its private key and the
// CSCA certificate that issued it.
type Signer struct {
	Kind    SignerKind
	CertDER []byte
	Cert    *x509.Certificate
	Key     *ecdsa.PrivateKey
	CSCADER []byte
}

// File names inside the package directory.
const (
	cscaFile          = "csca.cer"
	cscaKeyFile       = "csca.key"
	untrustedFile     = "untrusted-csca.cer"
	untrustedKeyFile  = "untrusted-csca.key"
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

// DocumentSigner returns the committed document signer of the given kind.
func DocumentSigner(kind SignerKind) (*Signer, error) {
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
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("testpki: parse %s signer certificate: %w", kind, err)
	}
	key, err := parseKey(mustRead(fmt.Sprintf(signerKeyPattern, kind)))
	if err != nil {
		return nil, fmt.Errorf("testpki: %s signer key: %w", kind, err)
	}
	issuer := CSCA()
	if kind == Untrusted {
		issuer = UntrustedCSCA()
	}
	return &Signer{Kind: kind, CertDER: certDER, Cert: cert, Key: key, CSCADER: issuer}, nil
}

func parseKey(pemBytes []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, not ECDSA", k)
	}
	return ec, nil
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("testpki: embedded file missing: " + name) // build invariant
	}
	return b
}
