package testpki

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
)

// Document signers of the PKI quirks real documents show
// (../shared/reference/real-chips.md P-04, P-07, P-08). Unlike the
// committed signers, the test CSCA issues them at run time (its key is
// committed), deterministically: their keys derive from their kind (the
// RSA key is committed as ds-rsa.key) and ECDSA signatures are RFC 6979,
// so every build has the same certificates.
const (
	// RSASigner has an RSA-2048 key (rsaEncryption): SODs signed with
	// RSASSA-PSS (Philippines) or with rsaEncryption as the signature
	// algorithm (United States).
	RSASigner SignerKind = "rsa"
	// RSAPSSKeySigner publishes the same RSA key under id-RSASSA-PSS
	// without parameters and signs PKCS#1 v1.5 (Turkey).
	RSAPSSKeySigner SignerKind = "rsa-pss-key"
	// SHA1Signer's certificate is signed by the CSCA with
	// ecdsa-with-SHA1, and it signs SODs with SHA-1 (BSI TR-03105 5.1's
	// SHA-1 profile).
	SHA1Signer SignerKind = "sha1"
	// NoKeyUsageSigner's certificate has no keyUsage extension, as many
	// real document signer certificates (a defect, WARN by policy).
	NoKeyUsageSigner SignerKind = "no-key-usage"
)

// QuirkSignerKinds lists the signers issued at run time.
var QuirkSignerKinds = []SignerKind{RSASigner, RSAPSSKeySigner, SHA1Signer, NoKeyUsageSigner}

const (
	cscaKeyFile = "csca.key"
	rsaKeyFile  = "ds-rsa.key"
)

var quirkSigners sync.Map // SignerKind → func() (*Signer, error)

func quirkSigner(kind SignerKind) (*Signer, error) {
	f, _ := quirkSigners.LoadOrStore(kind, sync.OnceValues(func() (*Signer, error) { return issueQuirkSigner(kind) }))
	return f.(func() (*Signer, error))()
}

func issueQuirkSigner(kind SignerKind) (*Signer, error) {
	csca, err := cert.Parse(CSCA())
	if err != nil {
		return nil, fmt.Errorf("testpki: CSCA: %w", err)
	}
	cscaKey, err := ParseKey(mustRead(cscaKeyFile))
	if err != nil {
		return nil, fmt.Errorf("testpki: CSCA key: %w", err)
	}
	s := &Signer{Kind: kind, CSCADER: csca.Raw}
	t := &cert.Template{
		Serial:    big.NewInt(200 + int64(slices.Index(QuirkSignerKinds, kind))),
		Subject:   name("VN", "TEST Document Signer "+string(kind)),
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: cert.KeyUsageDigitalSignature, Hash: crypto.SHA512, ExplicitParams: true,
	}
	var pub crypto.PublicKey
	switch kind {
	case RSASigner, RSAPSSKeySigner:
		if s.RSA, err = parseRSAKey(mustRead(rsaKeyFile)); err != nil {
			return nil, err
		}
		pub, t.RSAPSSKey = &s.RSA.PublicKey, kind == RSAPSSKeySigner
	case SHA1Signer, NoKeyUsageSigner:
		if s.Key, err = derivedKey(kind); err != nil {
			return nil, err
		}
		pub = &s.Key.PublicKey
		if kind == SHA1Signer {
			t.Hash = crypto.SHA1
		} else {
			t.KeyUsage = 0
		}
	}
	if s.CertDER, err = cert.Create(t, pub, csca, cscaKey); err != nil {
		return nil, fmt.Errorf("testpki: issue %s signer: %w", kind, err)
	}
	if s.Cert, err = cert.Parse(s.CertDER); err != nil {
		return nil, fmt.Errorf("testpki: parse %s signer: %w", kind, err)
	}
	return s, nil
}

// name is the subject of a test certificate.
func name(country, cn string) []cert.Attribute {
	return []cert.Attribute{
		{Type: cert.OIDCountry, Value: country},
		{Type: cert.OIDOrganization, Value: "idagent TEST PKI"},
		{Type: cert.OIDCommonName, Value: cn},
	}
}

// derivedKey is a brainpoolP256r1 key derived from the signer's kind (a
// public derivation: these are test keys).
func derivedKey(kind SignerKind) (*ec.PrivateKey, error) {
	curve := ec.BrainpoolP256r1()
	var stream []byte
	for i := byte(0); len(stream) < curve.OrderByteLen()+16; i++ {
		h := sha256.Sum256(append([]byte("idagent testpki signer "+string(kind)), i))
		stream = append(stream, h[:]...)
	}
	n1 := new(big.Int).Sub(curve.N(), big.NewInt(1))
	d := new(big.Int).Mod(new(big.Int).SetBytes(stream), n1)
	d.Add(d, big.NewInt(1))
	return ec.NewPrivateKey(curve, d.FillBytes(make([]byte, curve.OrderByteLen())))
}

func parseRSAKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		return nil, errors.New("testpki: no RSA PRIVATE KEY PEM block")
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("testpki: RSA key: %w", err)
	}
	return k, nil
}
