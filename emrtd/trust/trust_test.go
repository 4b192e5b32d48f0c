package trust

import (
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
)

const sharedML = "../../../shared/pki/DE_masterlist_2026-05-28.ml"

type ca struct {
	cert *cert.Certificate
	key  *ec.PrivateKey
}

func newCA(t testing.TB, country, cn string, notAfter time.Time) ca {
	t.Helper()
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	tmpl := cert.Template{Serial: big.NewInt(time.Now().UnixNano()), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: country}, {Type: cert.OIDCommonName, Value: cn}},
		NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: notAfter, IsCA: true, KeyUsage: cert.KeyUsageCertSign | cert.KeyUsageCRLSign}
	der, err := cert.Create(&tmpl, &key.PublicKey, nil, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := cert.Parse(der)
	return ca{c, key}
}

func (c ca) issue(t testing.TB, tmpl cert.Template, pub crypto.PublicKey) *cert.Certificate {
	t.Helper()
	der, err := cert.Create(&tmpl, pub, c.cert, c.key)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := cert.Parse(der)
	return out
}

func writeTemp(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportCertificatesAndCRLs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	vn := newCA(t, "VN", "CSCA VN", time.Now().AddDate(0, 1, 0)) // expires soon
	pemFile := writeTemp(t, "vn.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vn.cert.Raw}))
	res, err := s.Import(pemFile, ImportOptions{})
	if err != nil || res.Kind != "CSCA certificate" || res.Added != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if res, _ := s.Import(pemFile, ImportOptions{}); res.Duplicates != 1 || res.Added != 0 {
		t.Errorf("duplicate: %+v", res)
	}
	if res, _ := s.Import(pemFile, ImportOptions{Test: true}); len(res.Warnings) == 0 {
		t.Error("re-import as test without a warning")
	}
	// A CRL needs its CSCA.
	crlDER, _ := cert.CreateCRL(vn.cert, vn.key, nil, time.Now(), time.Now().AddDate(0, 1, 0), big.NewInt(1), 0)
	if res, err := s.Import(writeTemp(t, "vn.crl", crlDER), ImportOptions{}); err != nil || res.Kind != "CRL" || res.Added != 1 {
		t.Fatalf("CRL: %+v %v", res, err)
	}
	la := newCA(t, "LA", "CSCA LA", time.Now().AddDate(5, 0, 0))
	laCRL, _ := cert.CreateCRL(la.cert, la.key, nil, time.Now(), time.Now().AddDate(0, 1, 0), big.NewInt(1), 0)
	if _, err := s.Import(writeTemp(t, "la.crl", laCRL), ImportOptions{}); !errors.Is(err, ErrRejected) {
		t.Errorf("CRL without its CSCA: %v", err)
	}
	// A test anchor and a DS certificate.
	if res, err := s.ImportBytes(la.cert.Raw, "la.der", ImportOptions{Test: true}); err != nil || !res.Test {
		t.Fatalf("test anchor: %+v %v", res, err)
	}
	dsKey, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	ds := vn.issue(t, cert.Template{Serial: big.NewInt(77), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "DS"}},
		NotBefore: time.Now(), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: cert.KeyUsageDigitalSignature}, &dsKey.PublicKey)
	if res, err := s.ImportBytes(ds.Raw, "ds.der", ImportOptions{}); err != nil || res.Kind != "document signer certificate" || len(res.Warnings) != 0 {
		t.Fatalf("DS: %+v %v", res, err)
	}
	if _, err := s.ImportBytes([]byte("hello"), "junk", ImportOptions{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("junk: %v", err)
	}

	// Reopen: everything is back, with its kind, test flag and source.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s2.Problems()) != 0 {
		t.Fatalf("problems: %v", s2.Problems())
	}
	anchors, total := s2.Len()
	if anchors != 2 || total != 3 || len(s2.AllCRLs()) != 1 {
		t.Fatalf("reopened: %d anchors, %d certificates, %d CRLs", anchors, total, len(s2.AllCRLs()))
	}
	if is := s2.Issuers(ds); len(is) != 1 || is[0].Test || is[0].Source != "vn.pem" {
		t.Fatalf("issuers of the DS: %+v", is)
	}
	if c := s2.DocumentSigners(&ds.Issuer, ds.Serial, nil); len(c) != 1 {
		t.Error("DS not found by issuer and serial")
	}
	if c := s2.DocumentSigners(nil, nil, ds.SubjectKeyID); len(c) != 1 {
		t.Error("DS not found by key identifier")
	}
	if len(s2.CRLs(s2.Issuers(ds)[0])) != 1 {
		t.Error("CRL not attached to its CSCA")
	}
	list := s2.List(time.Now())
	if len(list) != 2 || list[0].Country != "LA" || !list[0].Anchors[0].Test || list[1].Anchors[0].Status != "expires-soon" || len(list[1].DocumentSigners) != 1 || len(list[1].CRLs) != 1 {
		t.Fatalf("list: %+v", list)
	}
	if _, err := os.Stat(filepath.Join(dir, "test-csca")); err != nil {
		t.Error("test anchors not in test-csca/")
	}
	// A damaged file is reported, not fatal.
	os.WriteFile(filepath.Join(dir, "csca", "broken.der"), []byte{0x30, 0x01}, 0o644)
	s3, err := Open(dir)
	if err != nil || len(s3.Problems()) != 1 {
		t.Fatalf("damaged file: %v %v", err, s3.Problems())
	}
}

func TestImportMasterList(t *testing.T) {
	germany := newCA(t, "DE", "CSCA DE test", time.Now().AddDate(5, 0, 0))
	signerKey, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	signer := germany.issue(t, cert.Template{Serial: big.NewInt(5), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "DE"}, {Type: cert.OIDCommonName, Value: "ML signer"}},
		NotBefore: time.Now().AddDate(0, -1, 0), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: cert.KeyUsageDigitalSignature,
		ExtKeyUsage: []asn1.ObjectIdentifier{cert.OIDMasterListSigning}}, &signerKey.PublicKey)
	others := []*cert.Certificate{germany.cert, newCA(t, "FR", "CSCA FR", time.Now().AddDate(3, 0, 0)).cert, newCA(t, "VN", "CSCA VN", time.Now().AddDate(3, 0, 0)).cert}
	ml, err := cms.Sign(cms.OIDCSCAMasterList, cms.MarshalMasterList(others), signer, signerKey, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := New()
	res, err := s.ImportBytes(ml, "ml.ml", ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "master list" || res.Added != 3 || res.SignerTrusted || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "does not chain") {
		t.Fatalf("first import: %+v", res)
	}
	// Now that the German CSCA is trusted, the same list's signer chains.
	res, err = s.ImportBytes(ml, "ml.ml", ImportOptions{})
	if err != nil || !res.SignerTrusted || res.Duplicates != 3 || len(res.Warnings) != 0 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	// A list whose signature does not verify is rejected.
	bad := append([]byte{}, ml...)
	bad[len(bad)-3] ^= 1
	if _, err := New().ImportBytes(bad, "bad.ml", ImportOptions{}); !errors.Is(err, ErrRejected) {
		t.Errorf("bad signature: %v", err)
	}
}

func TestGermanMasterList(t *testing.T) {
	b, err := os.ReadFile(sharedML)
	if err != nil {
		t.Skipf("shared reference data not available (%v); skipping", err)
	}
	dir := t.TempDir()
	s, _ := Open(dir)
	res, err := s.ImportBytes(b, filepath.Base(sharedML), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("import: added %d, duplicates %d, skipped %d, signer %s, signer trusted %v, warnings %v", res.Added, res.Duplicates, len(res.Skipped), res.Signer, res.SignerTrusted, res.Warnings)
	if res.Added != 588 || len(res.Skipped) != 0 {
		t.Errorf("added %d, skipped %v", res.Added, res.Skipped)
	}
	start := time.Now()
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("store of %d certificates loads in %v", len(s2.Entries()), time.Since(start))
	if anchors, _ := s2.Len(); anchors != 588 || len(s2.Problems()) != 0 {
		t.Fatalf("reopened: %d anchors, problems %v", anchors, s2.Problems())
	}
	countries := s2.List(time.Now())
	t.Logf("%d countries", len(countries))
	// Importing the list again into the store that now holds the German
	// CSCA: the signer chains.
	res, err = s2.ImportBytes(b, "again", ImportOptions{})
	if err != nil || !res.SignerTrusted || res.Added != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
}

func BenchmarkLoadGermanMasterListStore(b *testing.B) {
	ml, err := os.ReadFile(sharedML)
	if err != nil {
		b.Skip("shared reference data not available")
	}
	dir := b.TempDir()
	s, _ := Open(dir)
	if _, err := s.ImportBytes(ml, "ml", ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Open(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImportGermanMasterList(b *testing.B) {
	ml, err := os.ReadFile(sharedML)
	if err != nil {
		b.Skip("shared reference data not available")
	}
	for range b.N {
		if _, err := New().ImportBytes(ml, "ml", ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUnreadableStoreIsNotEmpty: a store directory that cannot be listed
// fails to open, and a sub-directory that cannot be read is a problem, so
// that neither passes for an empty store (every read UNKNOWN, no reason).
func TestUnreadableStoreIsNotEmpty(t *testing.T) {
	dir := t.TempDir()
	// "csca" as a file: listing it fails whoever runs the test.
	if err := os.WriteFile(filepath.Join(dir, "csca"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Problems(); len(p) != 1 || !strings.Contains(p[0], filepath.Join(dir, "csca")) {
		t.Fatalf("problems %q", p)
	}
	if os.Geteuid() == 0 {
		t.Log("root reads every directory: the permission case is not exercised")
		return
	}
	locked := t.TempDir()
	if err := os.Chmod(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o700)
	if _, err := Open(locked); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("unreadable store: %v", err)
	}
}
