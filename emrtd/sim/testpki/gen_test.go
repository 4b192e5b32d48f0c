package testpki

import (
	"crypto"
	"crypto/rand"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
)

// TestRegenerate rewrites every committed file of the test PKI. It runs only
// with IDAGENT_REGEN_TESTPKI=1; after it, commit the files.
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
	cert *cert.Certificate
	der  []byte
	key  *ec.PrivateKey
}

func generate(dir string) error {
	csca, err := newCSCA("TEST CSCA Vietnam (idagent simulator, NOT TRUSTED)", 1)
	if err != nil {
		return err
	}
	untrusted, err := newCSCA("TEST unknown CSCA (idagent simulator)", 2)
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
	var revoked *cert.Certificate
	for i, s := range specs {
		ds, err := newSigner(s.issuer, s.country, string(s.kind), int64(100+i), s.from, s.to)
		if err != nil {
			return err
		}
		if err := writeIssued(dir, "ds-"+string(s.kind), ds); err != nil {
			return err
		}
		if s.kind == Revoked {
			revoked = ds.cert
		}
	}
	crl, err := cert.CreateCRL(csca.cert, csca.key,
		[]cert.RevokedCertificate{{Serial: revoked.Serial, RevocationTime: date(2024, 6, 1), Reason: 1}}, // keyCompromise
		date(2025, 1, 1), date(2040, 1, 1), big.NewInt(1), crypto.SHA512)
	if err != nil {
		return err
	}
	return os.WriteFile(dir+"/"+crlFile, crl, 0o644)
}

func newCSCA(cn string, serial int64) (issued, error) {
	key, err := ec.GenerateKey(ec.BrainpoolP512r1(), rand.Reader)
	if err != nil {
		return issued{}, err
	}
	der, err := cert.Create(&cert.Template{
		Serial: big.NewInt(serial), Subject: name("VN", cn),
		NotBefore: date(2019, 1, 1), NotAfter: date(2045, 1, 1),
		KeyUsage: cert.KeyUsageCertSign | cert.KeyUsageCRLSign, IsCA: true, MaxPathLen: 0,
		Hash: crypto.SHA512, ExplicitParams: true,
	}, &key.PublicKey, nil, key)
	if err != nil {
		return issued{}, err
	}
	c, err := cert.Parse(der)
	return issued{cert: c, der: der, key: key}, err
}

func newSigner(ca issued, country, kind string, serial int64, from, to time.Time) (issued, error) {
	key, err := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	if err != nil {
		return issued{}, err
	}
	der, err := cert.Create(&cert.Template{
		Serial: big.NewInt(serial), Subject: name(country, "TEST Document Signer "+kind),
		NotBefore: from, NotAfter: to, KeyUsage: cert.KeyUsageDigitalSignature,
		Hash: crypto.SHA512, ExplicitParams: true,
	}, &key.PublicKey, ca.cert, ca.key)
	if err != nil {
		return issued{}, err
	}
	c, err := cert.Parse(der)
	return issued{cert: c, der: der, key: key}, err
}

func writeIssued(dir, base string, c issued) error {
	if err := os.WriteFile(dir+"/"+base+".cer", c.der, 0o644); err != nil {
		return err
	}
	pemKey, err := MarshalKey(c.key)
	if err != nil {
		return err
	}
	return os.WriteFile(dir+"/"+base+".key", pemKey, 0o644)
}
