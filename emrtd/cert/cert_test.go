package cert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/ec"
)

const sharedPKI = "../../../shared/pki/"

func readShared(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedPKI + name)
	if err != nil {
		t.Skipf("shared reference data not available (%v); skipping", err)
	}
	return b
}

func TestVietnamCSCA(t *testing.T) {
	c, err := Parse(readShared(t, "CSCA_ePassport_Vietnam_2022.der"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject.Country() != "VN" || c.Subject.CommonName() != "CSCA ePassport Vietnam" || !c.SelfIssued() {
		t.Errorf("subject %s", c.Subject)
	}
	if c.Serial.Text(16) != "506f1357a3a196c24dc32cf464140cae" {
		t.Errorf("serial %x", c.Serial)
	}
	wantFrom := time.Date(2022, 6, 29, 1, 37, 7, 0, time.UTC)
	wantTo := time.Date(2037, 10, 1, 1, 37, 6, 0, time.UTC)
	if !c.NotBefore.Equal(wantFrom) || !c.NotAfter.Equal(wantTo) {
		t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
	}
	if c.PublicKey.Kind() != KeyEC || c.PublicKey.EC.Curve.Name() != "brainpoolP512r1" {
		t.Fatalf("key %s", c.PublicKey)
	}
	if c.SigAlg.Scheme != SchemeECDSA || c.SigAlg.Hash != crypto.SHA512 {
		t.Errorf("signature algorithm %s", c.SigAlg)
	}
	if !c.IsCA || !c.HasKeyUsage || c.KeyUsage&KeyUsageCertSign == 0 || len(c.AuthorityKeyID) == 0 {
		t.Errorf("extensions: CA %v key usage %b AKI %x", c.IsCA, c.KeyUsage, c.AuthorityKeyID)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Fatalf("self-signature: %v", err)
	}
	// Go's crypto/x509 refuses it, which is why this package exists.
	if _, err := x509.ParseCertificate(c.Raw); err == nil {
		t.Log("note: crypto/x509 now parses the Vietnamese CSCA")
	}
	tampered := append([]byte{}, c.Raw...)
	tampered[200] ^= 1
	if tc, err := Parse(tampered); err == nil && tc.CheckSignatureFrom(c) == nil {
		t.Error("tampered certificate verifies")
	}
}

// masterListCertificates extracts the certificates of a CSCA master list
// without the cms package (which depends on this one).
func masterListCertificates(t testing.TB, b []byte) []ber.Value {
	t.Helper()
	step := func(v ber.Value, skip int) ber.Value {
		r := v.Children()
		for range skip {
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		}
		n, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ci, err := ber.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	sd := step(step(ci, 1), 0)
	eci := step(sd, 2)
	octets, err := step(step(eci, 1), 0).OctetString()
	if err != nil {
		t.Fatal(err)
	}
	ml, err := ber.Decode(octets)
	if err != nil {
		t.Fatal(err)
	}
	var out []ber.Value
	r := step(ml, 1).Children()
	for !r.Empty() {
		v, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// Every certificate of the German master list parses with a usable key;
// every self-signed one verifies; every one but the link certificates whose
// predecessor has left the list verifies with a certificate of the list.
func TestMasterListCertificates(t *testing.T) {
	vals := masterListCertificates(t, readShared(t, "DE_masterlist_2026-05-28.ml"))
	if len(vals) != 588 {
		t.Errorf("%d certificates, want 588", len(vals))
	}
	var certs []*Certificate
	for i, v := range vals {
		c, err := ParseValue(v)
		if err != nil {
			t.Errorf("certificate %d: %v", i, err)
			continue
		}
		if c.KeyErr != nil {
			t.Errorf("certificate %d (%s): key: %v", i, c.Subject, c.KeyErr)
			continue
		}
		certs = append(certs, c)
	}
	t.Logf("%d of %d certificates parse with usable keys", len(certs), len(vals))
	explicit, selfSigned, chained := 0, 0, 0
	var orphans []string
	for _, c := range certs {
		if ae := c.PublicKey.Algorithm; ae.OID.Equal(OIDECPublicKey) && len(ae.Params) > 0 && ae.Params[0] == 0x30 {
			explicit++
		}
		if c.CheckSignatureFrom(c) == nil {
			selfSigned++
			continue
		}
		if issuerIn(c, certs) {
			chained++
			continue
		}
		orphans = append(orphans, c.Subject.Country())
	}
	t.Logf("%d with explicit EC parameters; %d self-signed verify; %d link certificates verify with another list certificate; %d link certificates without their predecessor: %v",
		explicit, selfSigned, chained, len(orphans), orphans)
	if len(orphans) > 14 {
		t.Errorf("%d certificates verify with no list certificate", len(orphans))
	}
}

func issuerIn(c *Certificate, certs []*Certificate) bool {
	for _, is := range certs {
		if (is.Subject.Equal(c.Issuer) || (len(c.AuthorityKeyID) > 0 && string(is.SubjectKeyID) == string(c.AuthorityKeyID))) && c.CheckSignatureFrom(is) == nil {
			return true
		}
	}
	return false
}

type testCA struct {
	cert *Certificate
	key  crypto.PrivateKey
}

func newCA(t testing.TB, key crypto.PrivateKey, pub crypto.PublicKey, tmpl Template) testCA {
	t.Helper()
	tmpl.IsCA, tmpl.MaxPathLen, tmpl.KeyUsage = true, 0, KeyUsageCertSign|KeyUsageCRLSign
	der, err := Create(&tmpl, pub, nil, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{c, key}
}

func baseTemplate(cn string) Template {
	now := time.Now().UTC().Truncate(time.Second)
	return Template{
		Serial:    big.NewInt(time.Now().UnixNano()),
		Subject:   []Attribute{{OIDCountry, "VN"}, {OIDOrganization, "Test"}, {OIDCommonName, cn}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
	}
}

func TestCreateAndVerify(t *testing.T) {
	bp, _ := ec.GenerateKey(ec.BrainpoolP512r1(), rand.Reader)
	p256, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	cases := []struct {
		name     string
		key      crypto.PrivateKey
		pub      crypto.PublicKey
		hash     crypto.Hash
		pss      bool
		explicit bool
	}{
		{"brainpool explicit SHA-512", bp, &bp.PublicKey, crypto.SHA512, false, true},
		{"brainpool named SHA-384", bp, &bp.PublicKey, crypto.SHA384, false, false},
		{"P-256 SHA-256", p256, &p256.PublicKey, crypto.SHA256, false, false},
		{"RSA PKCS#1 SHA-1", rsaKey, &rsaKey.PublicKey, crypto.SHA1, false, false},
		{"RSA-PSS SHA-256", rsaKey, &rsaKey.PublicKey, crypto.SHA256, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := baseTemplate("CSCA " + tc.name)
			tmpl.Hash, tmpl.PSS, tmpl.ExplicitParams = tc.hash, tc.pss, tc.explicit
			ca := newCA(t, tc.key, tc.pub, tmpl)
			if err := ca.cert.CheckSignatureFrom(ca.cert); err != nil {
				t.Fatalf("self-signature: %v", err)
			}
			if ca.cert.SigAlg.Hash != tc.hash || (tc.pss != (ca.cert.SigAlg.Scheme == SchemeRSAPSS)) {
				t.Errorf("algorithm %s", ca.cert.SigAlg)
			}
			ds, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
			dt := baseTemplate("DS")
			dt.KeyUsage = KeyUsageDigitalSignature
			dt.Hash, dt.PSS = tc.hash, tc.pss
			dt.PrivateKeyNotBefore, dt.PrivateKeyNotAfter = dt.NotBefore, dt.NotBefore.AddDate(0, 3, 0)
			dt.DocumentTypes = []string{"P", "ID"}
			der, err := Create(&dt, &ds.PublicKey, ca.cert, ca.key)
			if err != nil {
				t.Fatal(err)
			}
			dc, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := dc.CheckSignatureFrom(ca.cert); err != nil {
				t.Fatalf("DS signature: %v", err)
			}
			if string(dc.AuthorityKeyID) != string(ca.cert.SubjectKeyID) || !dc.Issuer.Equal(ca.cert.Subject) {
				t.Error("DS does not name its issuer")
			}
			if dc.IsCA || dc.KeyUsage != KeyUsageDigitalSignature || dc.PrivateKeyNotAfter.IsZero() || len(dc.DocumentTypes) != 2 {
				t.Errorf("DS extensions: CA %v usage %b PKUP %v types %v", dc.IsCA, dc.KeyUsage, dc.PrivateKeyNotAfter, dc.DocumentTypes)
			}
			if err := dc.CheckSignatureFrom(dc); err == nil {
				t.Error("DS verifies with its own key")
			}
			bad, _ := Parse(der)
			bad.RawTBS = append([]byte{}, bad.RawTBS...)
			bad.RawTBS[len(bad.RawTBS)-1] ^= 1
			if err := bad.CheckSignatureFrom(ca.cert); !errors.Is(err, ErrSignature) {
				t.Errorf("tampered TBS: %v", err)
			}
		})
	}
}

// Certificates from crypto/x509 parse and verify here, and ours (named NIST
// curves) parse and verify there.
func TestInteropWithCryptoX509(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{Country: []string{"DE"}, CommonName: "x509 CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		SignatureAlgorithm: x509.ECDSAWithSHA384,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(c); err != nil || c.Subject.Country() != "DE" || !c.IsCA {
		t.Fatalf("x509 certificate: %v", err)
	}

	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rt := *tmpl
	rt.SignatureAlgorithm = x509.SHA384WithRSAPSS
	der, err = x509.CreateCertificate(rand.Reader, &rt, &rt, &rsaKey.PublicKey, rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err = Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.SigAlg.Scheme != SchemeRSAPSS || c.SigAlg.PSS.SaltLength != 48 || c.SigAlg.PSS.MGFHash != crypto.SHA384 {
		t.Errorf("PSS parameters %+v", c.SigAlg.PSS)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Fatalf("x509 RSA-PSS certificate: %v", err)
	}

	ours, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	ot := baseTemplate("ours")
	ot.IsCA, ot.KeyUsage = true, KeyUsageCertSign
	der, err = Create(&ot, &ours.PublicKey, nil, ours)
	if err != nil {
		t.Fatal(err)
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("crypto/x509 refuses our certificate: %v", err)
	}
	if err := xc.CheckSignatureFrom(xc); err != nil {
		t.Fatalf("crypto/x509 rejects our signature: %v", err)
	}
}

func TestCRL(t *testing.T) {
	key, _ := ec.GenerateKey(ec.BrainpoolP384r1(), rand.Reader)
	ca := newCA(t, key, &key.PublicKey, baseTemplate("CSCA CRL"))
	now := time.Now().UTC().Truncate(time.Second)
	revoked := []RevokedCertificate{{Serial: big.NewInt(42), RevocationTime: now}, {Serial: big.NewInt(-5), RevocationTime: now}}
	der, err := CreateCRL(ca.cert, key, revoked, now, now.AddDate(0, 1, 0), big.NewInt(3), crypto.SHA384)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(ca.cert); err != nil {
		t.Fatal(err)
	}
	if !crl.Issuer.Equal(ca.cert.Subject) || string(crl.AuthorityKeyID) != string(ca.cert.SubjectKeyID) || crl.Number.Int64() != 3 {
		t.Error("CRL issuer fields")
	}
	if _, ok := crl.Lookup(big.NewInt(42)); !ok {
		t.Error("serial 42 not revoked")
	}
	if _, ok := crl.Lookup(big.NewInt(-5)); !ok {
		t.Error("negative serial not revoked")
	}
	if _, ok := crl.Lookup(big.NewInt(43)); ok {
		t.Error("serial 43 revoked")
	}
	if !crl.ThisUpdate.Equal(now) || !crl.NextUpdate.Equal(now.AddDate(0, 1, 0)) {
		t.Error("CRL dates")
	}
	// PEM input works too.
	p := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
	if _, err := ParseCRL(p); err != nil {
		t.Fatal(err)
	}
	other, _ := ec.GenerateKey(ec.BrainpoolP384r1(), rand.Reader)
	oca := newCA(t, other, &other.PublicKey, baseTemplate("CSCA CRL"))
	if err := crl.CheckSignatureFrom(oca.cert); !errors.Is(err, ErrSignature) {
		t.Errorf("CRL verifies with another key: %v", err)
	}
}

func TestNameCanonical(t *testing.T) {
	a := Name{Attributes: []Attribute{{OIDCountry, "vn"}, {OIDCommonName, "  CSCA   ePassport\tVietnam "}}, Raw: []byte{1}}
	b := Name{Attributes: []Attribute{{OIDCountry, "VN"}, {OIDCommonName, "csca epassport vietnam"}}, Raw: []byte{2}}
	// The same attributes in another order match (real-chips.md P-03:
	// SignerInfos that list the issuer's RDNs reversed); other values do not.
	c := Name{Attributes: []Attribute{{OIDCommonName, "csca epassport vietnam"}, {OIDCountry, "VN"}}, Raw: []byte{3}}
	d := Name{Attributes: []Attribute{{OIDCountry, "VN"}, {OIDCommonName, "csca epassport viet nam"}}, Raw: []byte{4}}
	e := Name{Attributes: []Attribute{{OIDCountry, "VN"}}, Raw: []byte{5}}
	if !a.Equal(b) || !a.Equal(c) || a.Equal(d) || a.Equal(e) {
		t.Error("canonical name matching")
	}
	if a.Country() != "VN" || b.String() != "C=VN, CN=csca epassport vietnam" {
		t.Errorf("%q %q", a.Country(), b.String())
	}
}

func TestParseRejects(t *testing.T) {
	good, _ := hex.DecodeString("3003020101")
	for _, b := range [][]byte{nil, {0x30}, {0x30, 0x80}, good, make([]byte, maxCertSize+1)} {
		if _, err := Parse(b); err == nil {
			t.Errorf("%X accepted", b)
		}
		if _, err := ParseCRL(b); err == nil {
			t.Errorf("CRL %X accepted", b)
		}
	}
}

func BenchmarkParseVietnamCSCA(b *testing.B) {
	der := readShared(b, "CSCA_ePassport_Vietnam_2022.der")
	for range b.N {
		if _, err := Parse(der); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyVietnamCSCA(b *testing.B) {
	c, _ := Parse(readShared(b, "CSCA_ePassport_Vietnam_2022.der"))
	for range b.N {
		if err := c.CheckSignatureFrom(c); err != nil {
			b.Fatal(err)
		}
	}
}

// Keys of crypto/ecdsa work for building test PKIs.
func TestCreateWithCryptoECDSAKeys(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := baseTemplate("ecdsa keys")
	tmpl.IsCA, tmpl.KeyUsage = true, KeyUsageCertSign
	der, err := Create(&tmpl, &key.PublicKey, nil, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(c); err != nil || c.PublicKey.EC.Curve != ec.P256() {
		t.Fatalf("%v %s", err, c.PublicKey)
	}
}
