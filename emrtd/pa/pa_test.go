package pa

import (
	"crypto"
	"crypto/rand"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/trust"
)

// testPKI is a CSCA with document signers for the scenarios.
type testPKI struct {
	t      *testing.T
	csca   *cert.Certificate
	key    *ec.PrivateKey
	now    time.Time
	serial int64
}

func newTestPKI(t *testing.T, country string) *testPKI {
	key, _ := ec.GenerateKey(ec.BrainpoolP384r1(), rand.Reader)
	p := &testPKI{t: t, key: key, now: time.Now().UTC().Truncate(time.Second), serial: 100}
	tmpl := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: country}, {Type: cert.OIDCommonName, Value: "CSCA " + country + " test"}},
		NotBefore: p.now.AddDate(-5, 0, 0), NotAfter: p.now.AddDate(10, 0, 0), IsCA: true, MaxPathLen: 0,
		KeyUsage: cert.KeyUsageCertSign | cert.KeyUsageCRLSign, ExplicitParams: true, Hash: crypto.SHA384}
	der, err := cert.Create(&tmpl, &key.PublicKey, nil, key)
	if err != nil {
		t.Fatal(err)
	}
	p.csca, _ = cert.Parse(der)
	return p
}

type dsSpec struct {
	country             string
	notBefore, notAfter time.Time
}

func (p *testPKI) ds(spec dsSpec) (*cert.Certificate, *ec.PrivateKey) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	if spec.country == "" {
		spec.country = p.csca.Subject.Country()
	}
	if spec.notBefore.IsZero() {
		spec.notBefore, spec.notAfter = p.now.AddDate(0, -1, 0), p.now.AddDate(10, 0, 0)
	}
	p.serial++
	tmpl := cert.Template{Serial: big.NewInt(p.serial), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: spec.country}, {Type: cert.OIDCommonName, Value: "DS test"}},
		NotBefore: spec.notBefore, NotAfter: spec.notAfter, KeyUsage: cert.KeyUsageDigitalSignature, DocumentTypes: []string{"ID"}}
	der, err := cert.Create(&tmpl, &key.PublicKey, p.csca, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	c, _ := cert.Parse(der)
	return c, key
}

func (p *testPKI) crl(revoked ...*cert.Certificate) []byte {
	var list []cert.RevokedCertificate
	for _, c := range revoked {
		list = append(list, cert.RevokedCertificate{Serial: c.Serial, RevocationTime: p.now.AddDate(0, 0, -1)})
	}
	der, err := cert.CreateCRL(p.csca, p.key, list, p.now.AddDate(0, 0, -1), p.now.AddDate(0, 1, 0), big.NewInt(1), crypto.SHA384)
	if err != nil {
		p.t.Fatal(err)
	}
	return der
}

var testDGs = map[int][]byte{
	1:  []byte("\x61\x05DG1..."),
	2:  []byte("\x75\x05DG2..."),
	13: []byte("\x6D\x05DG13.."),
}

func makeSOD(t *testing.T, ds *cert.Certificate, key crypto.PrivateKey, dgs map[int][]byte, o cms.SignOptions) []byte {
	lds, err := EncodeLDSSecurityObject(crypto.SHA256, HashDataGroups(crypto.SHA256, dgs), "0108", "040000")
	if err != nil {
		t.Fatal(err)
	}
	if o.SigningTime.IsZero() {
		o.SigningTime = time.Now().Add(-time.Hour)
	}
	sod, err := SignSOD(lds, ds, key, o)
	if err != nil {
		t.Fatal(err)
	}
	return sod
}

func storeWith(t testing.TB, test bool, files ...[]byte) *trust.Store {
	s := trust.New()
	for _, f := range files {
		if _, err := s.ImportBytes(f, "test", trust.ImportOptions{Test: test}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func statuses(r check.Report) map[string]string {
	out := map[string]string{}
	for _, c := range r {
		out[c.Name] = string(c.Status) + "/" + c.Reason
	}
	return out
}

func expect(t *testing.T, r *Result, want map[string]string) {
	t.Helper()
	got := statuses(r.Report)
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s = %s, want %s", name, got[name], w)
		}
	}
	for _, c := range r.Report {
		if c.Message == "" || strings.Contains(c.Message, "DG1...") {
			t.Errorf("%s: message %q", c.Name, c.Message)
		}
	}
}

func TestScenarios(t *testing.T) {
	p := newTestPKI(t, "VN")
	good, goodKey := p.ds(dsSpec{})
	revoked, revokedKey := p.ds(dsSpec{})
	expired, expiredKey := p.ds(dsSpec{notBefore: p.now.AddDate(-11, 0, 0), notAfter: p.now.AddDate(-1, 0, 0)})
	future, futureKey := p.ds(dsSpec{notBefore: p.now.AddDate(0, 1, 0), notAfter: p.now.AddDate(1, 0, 0)})
	wrongCountry, wrongKey := p.ds(dsSpec{country: "LA"})
	other := newTestPKI(t, "VN")
	untrusted, untrustedKey := other.ds(dsSpec{})
	store := storeWith(t, false, p.csca.Raw, p.crl(revoked))
	opts := func() Options {
		return Options{Trust: store, IssuingState: "VNM", DataGroups: testDGs, Now: p.now}
	}
	allPass := map[string]string{
		check.SODSignature: "PASS/SIGNATURE_VALID", check.DSChain: "PASS/CHAIN_VALID", check.DSValidity: "PASS/DS_VALID",
		check.DSRevocation: "PASS/NOT_REVOKED", check.DSCountry: "PASS/COUNTRY_MATCH", check.DSProfile: "PASS/PROFILE_VALID",
		"dg.hash.DG1": "PASS/HASH_MATCH", "dg.hash.DG2": "PASS/HASH_MATCH", "dg.hash.DG13": "PASS/HASH_MATCH",
	}

	t.Run("genuine", func(t *testing.T) {
		r := VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), opts())
		expect(t, r, allPass)
		if r.Report.Overall() != check.Pass || r.CSCA == nil || r.DS == nil {
			t.Fatalf("overall %s", r.Report.Overall())
		}
	})
	t.Run("dg edited", func(t *testing.T) {
		o := opts()
		o.DataGroups = map[int][]byte{1: testDGs[1], 2: testDGs[2], 13: []byte("\x6D\x05DG13!!")}
		r := VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), o)
		expect(t, r, map[string]string{"dg.hash.DG13": "FAIL/HASH_MISMATCH", "dg.hash.DG1": "PASS/HASH_MATCH", check.SODSignature: "PASS/SIGNATURE_VALID"})
		if r.Report.Overall() != check.Fail {
			t.Error("overall")
		}
	})
	t.Run("dg not listed", func(t *testing.T) {
		o := opts()
		o.DataGroups = map[int][]byte{1: testDGs[1], 11: []byte("\x6B\x01x")}
		expect(t, VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), o), map[string]string{"dg.hash.DG11": "FAIL/HASH_MISSING"})
	})
	t.Run("bad signature", func(t *testing.T) {
		sod := makeSOD(t, good, goodKey, testDGs, cms.SignOptions{})
		parsed, _ := ParseSOD(sod)
		parsed.SignedData.Signers[0].Signature[10] ^= 1
		expect(t, Verify(parsed, opts()), map[string]string{check.SODSignature: "FAIL/SIGNATURE_INVALID", check.DSChain: "PASS/CHAIN_VALID"})
	})
	t.Run("hash list altered", func(t *testing.T) {
		parsed, _ := ParseSOD(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}))
		parsed.SignedData.Content = append([]byte{}, parsed.SignedData.Content...)
		parsed.SignedData.Content[len(parsed.SignedData.Content)-1] ^= 1
		expect(t, Verify(parsed, opts()), map[string]string{check.SODSignature: "FAIL/DIGEST_MISMATCH"})
	})
	t.Run("untrusted CSCA", func(t *testing.T) {
		// A CSCA with the trusted one's name but another key (a newer CSCA
		// the store lacks, or an impostor): unknown, not failed.
		r := VerifyBytes(makeSOD(t, untrusted, untrustedKey, testDGs, cms.SignOptions{}), opts())
		expect(t, r, map[string]string{check.SODSignature: "PASS/SIGNATURE_VALID", check.DSChain: "UNKNOWN/CSCA_NOT_TRUSTED", check.DSRevocation: "SKIPPED/NO_CSCA"})
		if r.Report.Overall() != check.Unknown {
			t.Errorf("overall %s", r.Report.Overall())
		}
	})
	t.Run("no trust store", func(t *testing.T) {
		o := opts()
		o.Trust = nil
		expect(t, VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), o), map[string]string{check.DSChain: "UNKNOWN/CSCA_NOT_TRUSTED"})
	})
	t.Run("forged DS with the trusted CSCA's name", func(t *testing.T) {
		// An impostor CSCA copies the trusted CSCA's name and key
		// identifier: its DS claims the trusted key, which did not sign it.
		impostor := newTestPKI(t, "VN")
		tmpl := cert.Template{Serial: big.NewInt(9), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "CSCA VN test"}},
			NotBefore: p.now.AddDate(-1, 0, 0), NotAfter: p.now.AddDate(1, 0, 0), IsCA: true, KeyUsage: cert.KeyUsageCertSign, SubjectKeyID: p.csca.SubjectKeyID}
		der, err := cert.Create(&tmpl, &impostor.key.PublicKey, nil, impostor.key)
		if err != nil {
			t.Fatal(err)
		}
		impostor.csca, _ = cert.Parse(der)
		fake, fakeKey := impostor.ds(dsSpec{})
		expect(t, VerifyBytes(makeSOD(t, fake, fakeKey, testDGs, cms.SignOptions{}), opts()), map[string]string{check.DSChain: "FAIL/CHAIN_BROKEN"})
	})
	t.Run("expired DS", func(t *testing.T) {
		r := VerifyBytes(makeSOD(t, expired, expiredKey, testDGs, cms.SignOptions{SigningTime: p.now.AddDate(-5, 0, 0)}), opts())
		expect(t, r, map[string]string{check.DSValidity: "WARN/DS_EXPIRED", check.DSChain: "PASS/CHAIN_VALID"})
		if r.Report.Overall() != check.Warn {
			t.Errorf("overall %s", r.Report.Overall())
		}
	})
	t.Run("signed after the DS expired", func(t *testing.T) {
		expect(t, VerifyBytes(makeSOD(t, expired, expiredKey, testDGs, cms.SignOptions{}), opts()), map[string]string{check.DSValidity: "FAIL/SIGNED_OUTSIDE_VALIDITY"})
	})
	t.Run("DS not yet valid", func(t *testing.T) {
		expect(t, VerifyBytes(makeSOD(t, future, futureKey, testDGs, cms.SignOptions{SigningTime: p.now.AddDate(0, 2, 0)}), opts()), map[string]string{check.DSValidity: "FAIL/DS_NOT_YET_VALID"})
	})
	t.Run("revoked", func(t *testing.T) {
		expect(t, VerifyBytes(makeSOD(t, revoked, revokedKey, testDGs, cms.SignOptions{}), opts()), map[string]string{check.DSRevocation: "FAIL/DS_REVOKED"})
	})
	t.Run("no CRL", func(t *testing.T) {
		o := opts()
		o.Trust = storeWith(t, false, p.csca.Raw)
		r := VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), o)
		expect(t, r, map[string]string{check.DSRevocation: "WARN/NO_CRL"})
		if r.Report.Overall() != check.Warn {
			t.Errorf("overall %s", r.Report.Overall())
		}
	})
	t.Run("wrong country", func(t *testing.T) {
		expect(t, VerifyBytes(makeSOD(t, wrongCountry, wrongKey, testDGs, cms.SignOptions{}), opts()), map[string]string{check.DSCountry: "FAIL/COUNTRY_MISMATCH"})
		o := opts()
		o.IssuingState = "D"
		expect(t, VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), o), map[string]string{check.DSCountry: "FAIL/COUNTRY_MISMATCH"})
		o.IssuingState = ""
		expect(t, VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{}), o), map[string]string{check.DSCountry: "SKIPPED/NO_ISSUING_STATE"})
	})
	t.Run("test anchor", func(t *testing.T) {
		o := opts()
		o.Trust = storeWith(t, true, p.csca.Raw, p.crl())
		sod := makeSOD(t, good, goodKey, testDGs, cms.SignOptions{})
		r := VerifyBytes(sod, o)
		expect(t, r, map[string]string{check.DSChain: "FAIL/TEST_ANCHOR"})
		c, _ := r.Report.Get(check.DSChain)
		if !strings.Contains(c.Message, "TEST") {
			t.Errorf("message does not say TEST: %q", c.Message)
		}
		o.AllowTestAnchors = true
		r = VerifyBytes(sod, o)
		expect(t, r, map[string]string{check.DSChain: "PASS/TEST_ANCHOR", check.DSRevocation: "PASS/NOT_REVOKED"})
	})
	t.Run("DS only in the trust store", func(t *testing.T) {
		o := opts()
		o.Trust = storeWith(t, false, p.csca.Raw, p.crl(), good.Raw)
		for _, ski := range []bool{false, true} {
			r := VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{OmitCertificate: true, SubjectKeyID: ski}), o)
			expect(t, r, allPass)
			if !r.DSFromStore {
				t.Error("DS not marked as from the store")
			}
		}
		r := VerifyBytes(makeSOD(t, good, goodKey, testDGs, cms.SignOptions{OmitCertificate: true}), opts())
		expect(t, r, map[string]string{check.SODSignature: "UNKNOWN/DS_NOT_FOUND", check.DSChain: "SKIPPED/NO_DS"})
	})
	t.Run("malformed", func(t *testing.T) {
		r := VerifyBytes([]byte{0x77, 0x03, 0x30, 0x01, 0x00}, opts())
		expect(t, r, map[string]string{check.SODSignature: "FAIL/SOD_MALFORMED", "dg.hash.DG1": "FAIL/SOD_MALFORMED"})
	})
}

func TestLDSSecurityObjectRoundTrip(t *testing.T) {
	hashes := HashDataGroups(crypto.SHA512, testDGs)
	b, err := EncodeLDSSecurityObject(crypto.SHA512, hashes, "", "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLDSSecurityObject(b)
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != 0 || l.Hash != crypto.SHA512 || len(l.Hashes) != 3 || l.DataGroups()[2] != 13 {
		t.Fatalf("%+v", l)
	}
	b, _ = EncodeLDSSecurityObject(crypto.SHA1, hashes, "0108", "040000")
	if l, err = ParseLDSSecurityObject(b); err != nil || l.Version != 1 || l.LDSVersion != "0108" || l.UnicodeVersion != "040000" {
		t.Fatalf("v1: %+v %v", l, err)
	}
}

func TestCountryOf(t *testing.T) {
	for in, want := range map[string]string{"VNM": "VN", "D": "DE", "D<<": "DE", "GBR": "GB", "GBD": "GB", "USA": "US", "vn": "VN", "AUT": "AT", "FIN": "FI", "FRA": "FR", "EUE": "EU", "RKS": "XK"} {
		if got, ok := CountryOf(in); !ok || got != want {
			t.Errorf("%s: %q %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "UTO", "XXX", "12", "ABCD"} {
		if got, ok := CountryOf(bad); ok {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

// The six real passports' SODs verify (signature and chain) against the
// German master list.
func TestRealWorldSODs(t *testing.T) {
	ml, err := os.ReadFile("../../../shared/pki/DE_masterlist_2026-05-28.ml")
	if err != nil {
		t.Skipf("shared reference data not available (%v); skipping", err)
	}
	store := trust.New()
	if _, err := store.ImportBytes(ml, "DE_masterlist_2026-05-28.ml", trust.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{"AT": "AUT", "DE": "D", "FI": "FIN", "FR": "FRA", "UK": "GBR", "US": "USA"}
	for name, state := range states {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("../../../shared/realworld", name+".sod"))
			if err != nil {
				t.Skip("missing")
			}
			r := VerifyBytes(raw, Options{Trust: store, IssuingState: state})
			expect(t, r, map[string]string{check.SODSignature: "PASS/SIGNATURE_VALID", check.DSChain: "PASS/CHAIN_VALID",
				check.DSCountry: "PASS/COUNTRY_MATCH", check.DSProfile: "PASS/PROFILE_VALID"})
			for _, c := range r.Report {
				t.Logf("%-14s %-8s %-22s %s", c.Name, c.Status, c.Reason, c.Message)
			}
			t.Logf("DS key %s, SOD %s, LDS hash %s, DGs %v", r.DS.PublicKey, r.Signer.SigAlg, r.SOD.LDS.Hash, r.SOD.LDS.DataGroups())
		})
	}
}

func BenchmarkVerifyRealSOD(b *testing.B) {
	ml, err := os.ReadFile("../../../shared/pki/DE_masterlist_2026-05-28.ml")
	if err != nil {
		b.Skip("shared reference data not available")
	}
	store := trust.New()
	if _, err := store.ImportBytes(ml, "ml", trust.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"AT", "DE", "FI", "FR", "UK", "US"} {
		raw, err := os.ReadFile(filepath.Join("../../../shared/realworld", name+".sod"))
		if err != nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				r := VerifyBytes(raw, Options{Trust: store})
				if c, _ := r.Report.Get(check.DSChain); c.Status != check.Pass {
					b.Fatal(c.Message)
				}
			}
		})
	}
}

func TestRealWorldCardSecurity(t *testing.T) {
	ml, err := os.ReadFile("../../../shared/pki/DE_masterlist_2026-05-28.ml")
	if err != nil {
		t.Skipf("shared reference data not available (%v); skipping", err)
	}
	store := trust.New()
	if _, err := store.ImportBytes(ml, "ml", trust.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, state := range map[string]string{"DE": "D", "FI": "FIN"} {
		raw, err := os.ReadFile(filepath.Join("../../../shared/realworld", name+".cardsecurity"))
		if err != nil {
			continue
		}
		sd, r, err := VerifyCardSecurity(raw, Options{Trust: store, IssuingState: state})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		expect(t, r, map[string]string{check.SODSignature: "PASS/SIGNATURE_VALID", check.DSChain: "PASS/CHAIN_VALID", check.DSCountry: "PASS/COUNTRY_MATCH"})
		if len(sd.Content) == 0 {
			t.Errorf("%s: no SecurityInfos", name)
		}
	}
	if _, _, err := VerifyCardSecurity([]byte{0x30, 0x00}, Options{}); err == nil {
		t.Error("malformed accepted")
	}
}

// Two certificates of one CSCA key (an expired one and its renewal): the
// chain ends at the one valid when the document was signed.
func TestRenewedCSCACertificate(t *testing.T) {
	p := newTestPKI(t, "VN")
	old := cert.Template{Serial: big.NewInt(50), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "CSCA VN test"}},
		NotBefore: p.now.AddDate(-10, 0, 0), NotAfter: p.now.AddDate(-4, 0, 0), IsCA: true, KeyUsage: cert.KeyUsageCertSign}
	der, err := cert.Create(&old, &p.key.PublicKey, nil, p.key)
	if err != nil {
		t.Fatal(err)
	}
	ds, dsKey := p.ds(dsSpec{})
	store := storeWith(t, false, der, p.csca.Raw, p.crl())
	r := VerifyBytes(makeSOD(t, ds, dsKey, testDGs, cms.SignOptions{}), Options{Trust: store, Now: p.now})
	expect(t, r, map[string]string{check.DSChain: "PASS/CHAIN_VALID", check.DSValidity: "PASS/DS_VALID", check.DSRevocation: "PASS/NOT_REVOKED"})
	if r.CSCA.Cert.Serial.Int64() != 1 {
		t.Errorf("chain ends at serial %v", r.CSCA.Cert.Serial)
	}
}
