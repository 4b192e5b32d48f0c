package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"
)

// TestRegenerate rewrites every committed file of the test PKI. It runs only
// with IDAGENT_REGEN_TESTPKI=1; after it, commit the files and update any
// test that pins certificate bytes.
func TestRegenerate(t *testing.T) {
	if os.Getenv("IDAGENT_REGEN_TESTPKI") != "1" {
		t.Skip("set IDAGENT_REGEN_TESTPKI=1 to regenerate the test PKI")
	}
	if err := generate("."); err != nil {
		t.Fatal(err)
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type issued struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func generate(dir string) error {
	csca, err := newCSCA("VN", "TEST CSCA Vietnam (idagent simulator, NOT TRUSTED)", 1)
	if err != nil {
		return err
	}
	untrusted, err := newCSCA("VN", "TEST unknown CSCA (idagent simulator)", 2)
	if err != nil {
		return err
	}
	if err := writeIssued(dir, "csca", csca); err != nil {
		return err
	}
	if err := writeIssued(dir, "untrusted-csca", untrusted); err != nil {
		return err
	}
	specs := []struct {
		kind     SignerKind
		country  string
		from, to time.Time
		issuer   issued
	}{
		{Valid, "VN", date(2020, 1, 1), date(2040, 1, 1), csca},
		{Expired, "VN", date(2012, 1, 1), date(2018, 1, 1), csca},
		{Revoked, "VN", date(2020, 1, 1), date(2040, 1, 1), csca},
		{WrongCountry, "LA", date(2020, 1, 1), date(2040, 1, 1), csca},
		{Untrusted, "VN", date(2020, 1, 1), date(2040, 1, 1), untrusted},
	}
	var revoked *x509.Certificate
	for i, s := range specs {
		ds, err := newSigner(s.issuer, s.country, string(s.kind), int64(100+i), s.from, s.to)
		if err != nil {
			return fmt.Errorf("signer %s: %w", s.kind, err)
		}
		if err := writeIssued(dir, "ds-"+string(s.kind), ds); err != nil {
			return err
		}
		if s.kind == Revoked {
			revoked = ds.cert
		}
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: date(2025, 1, 1),
		NextUpdate: date(2040, 1, 1),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: revoked.SerialNumber, RevocationTime: date(2024, 6, 1), ReasonCode: 1}, // keyCompromise
		},
	}, csca.cert, csca.key)
	if err != nil {
		return fmt.Errorf("crl: %w", err)
	}
	return os.WriteFile(dir+"/"+crlFile, crl, 0o644)
}

func newCSCA(country, cn string, serial int64) (issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return issued{}, err
	}
	ski := keyID(&key.PublicKey)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{Country: []string{country}, Organization: []string{"idagent TEST PKI"}, CommonName: cn},
		NotBefore:             date(2019, 1, 1),
		NotAfter:              date(2045, 1, 1),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          ski,
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return issued{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return issued{cert: cert, der: der, key: key}, err
}

func newSigner(ca issued, country, kind string, serial int64, from, to time.Time) (issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return issued{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(serial),
		Subject:            pkix.Name{Country: []string{country}, Organization: []string{"idagent TEST PKI"}, CommonName: "TEST Document Signer " + kind},
		NotBefore:          from,
		NotAfter:           to,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SubjectKeyId:       keyID(&key.PublicKey),
		AuthorityKeyId:     ca.cert.SubjectKeyId,
		SignatureAlgorithm: x509.ECDSAWithSHA256,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return issued{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return issued{cert: cert, der: der, key: key}, err
}

// keyID is the SHA-1 of the public key point (RFC 5280 method 1).
func keyID(pub *ecdsa.PublicKey) []byte {
	point, _ := pub.Bytes()
	sum := sha1.Sum(point)
	return sum[:]
}

func writeIssued(dir, name string, c issued) error {
	if err := os.WriteFile(dir+"/"+name+".cer", c.der, 0o644); err != nil {
		return err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		return err
	}
	return os.WriteFile(dir+"/"+name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o644)
}
