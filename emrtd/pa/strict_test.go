package pa

import (
	"crypto"
	"crypto/rand"
	"math/big"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Issue 13's strict passive authentication, on SODs the simulator's
// issuer forges: a second SignerInfo that does not verify lowers the
// signature check to WARN (the document stands on the one that does, and
// the other is reported); a signer without signed attributes fails.
func TestStrictSignerInfos(t *testing.T) {
	sod, dgs, _ := quirkyDocument(t, issue.SODOptions{ExtraInvalidSigner: true})
	opts := simStore(t)
	opts.DataGroups = dgs
	r := VerifyBytes(sod, opts)
	expect(t, r, map[string]string{check.SODSignature: "WARN/OTHER_SIGNER_INVALID", check.DSChain: "PASS/TEST_ANCHOR", "dg.hash.DG1": "PASS/HASH_MATCH"})
	if len(r.Signers) != 2 || r.Signers[0].Err != nil || r.Signers[1].Err == nil {
		t.Fatalf("signers: %+v", r.Signers)
	}
	if c, _ := r.Report.Get(check.SODSignature); !strings.Contains(c.Message, "signer 2: SIGNATURE_INVALID") {
		t.Errorf("message does not name the bad signer: %s", c.Message)
	}

	sod, dgs, _ = quirkyDocument(t, issue.SODOptions{NoSignedAttributes: true})
	opts.DataGroups = dgs
	expect(t, VerifyBytes(sod, opts), map[string]string{check.SODSignature: "FAIL/NO_SIGNED_ATTRIBUTES"})
}

// The chosen signer is the one that verifies, wherever it stands.
func TestValidSignerSecond(t *testing.T) {
	sod, dgs, _ := quirkyDocument(t, issue.SODOptions{ExtraInvalidSigner: true})
	parsed, err := ParseSOD(sod)
	if err != nil {
		t.Fatal(err)
	}
	s := parsed.SignedData.Signers
	s[0], s[1] = s[1], s[0]
	opts := simStore(t)
	opts.DataGroups = dgs
	r := Verify(parsed, opts)
	expect(t, r, map[string]string{check.SODSignature: "WARN/OTHER_SIGNER_INVALID", check.DSChain: "PASS/TEST_ANCHOR"})
	if r.Signer != s[1] {
		t.Error("the document does not stand on the signer that verifies")
	}
}

// P-08 policy: missing markings are WARN, markings that forbid the role
// FAIL.
func TestCertificateProfile(t *testing.T) {
	sod, dgs, _ := quirkyDocument(t, issue.SODOptions{NoKeyUsage: true})
	opts := simStore(t)
	opts.DataGroups = dgs
	r := VerifyBytes(sod, opts)
	expect(t, r, map[string]string{check.DSProfile: "WARN/DS_KEY_USAGE_MISSING", check.SODSignature: "PASS/SIGNATURE_VALID"})
	if r.Report.Overall() != check.Warn {
		t.Errorf("overall %s", r.Report.Overall())
	}

	for name, c := range map[string]struct {
		caKU    cert.KeyUsage
		caIsCA  bool
		dsKU    cert.KeyUsage
		want    string
		overall check.Status
	}{
		"conformant":           {cert.KeyUsageCertSign, true, cert.KeyUsageDigitalSignature, "PASS/PROFILE_VALID", check.Pass},
		"DS may not sign":      {cert.KeyUsageCertSign, true, cert.KeyUsageCertSign, "FAIL/DS_KEY_USAGE_INVALID", check.Fail},
		"CSCA may not certify": {cert.KeyUsageCRLSign, true, cert.KeyUsageDigitalSignature, "FAIL/CSCA_NOT_CERT_SIGNER", check.Fail},
		"CSCA not marked CA":   {cert.KeyUsageCertSign, false, cert.KeyUsageDigitalSignature, "WARN/CSCA_NOT_MARKED_CA", check.Warn},
		"CSCA without KU":      {0, true, cert.KeyUsageDigitalSignature, "WARN/CSCA_KEY_USAGE_MISSING", check.Warn},
	} {
		t.Run(name, func(t *testing.T) {
			p := newTestPKIWith(t, "VN", c.caKU, c.caIsCA)
			ds, key := p.dsWithKeyUsage(c.dsKU)
			store := storeWith(t, false, p.csca.Raw, p.crl())
			r := VerifyBytes(makeSOD(t, ds, key, testDGs, cms.SignOptions{}), Options{Trust: store, IssuingState: "VNM", DataGroups: testDGs, Now: p.now})
			expect(t, r, map[string]string{check.DSProfile: c.want, check.SODSignature: "PASS/SIGNATURE_VALID", check.DSChain: "PASS/CHAIN_VALID"})
			if got := r.Report.Overall(); got != c.overall {
				t.Errorf("overall %s, want %s", got, c.overall)
			}
		})
	}
}

// A document signer certificate whose outer signatureAlgorithm is not the
// one its signed part names fails its chain, even though the CSCA's key
// verifies the signature under the outer algorithm.
func TestCertificateAlgorithmsMustMatch(t *testing.T) {
	p := newTestPKI(t, "VN")
	ds, key := p.ds(dsSpec{})
	// Re-sign the TBS with SHA-384 under an outer ecdsa-with-SHA384 while
	// the TBS still names ecdsa-with-SHA256.
	outer := cert.SignatureAlgorithm{AlgorithmIdentifier: cert.AlgorithmIdentifier{OID: cert.OIDECDSAWithSHA384}, Scheme: cert.SchemeECDSA, Hash: crypto.SHA384}
	sig, err := cert.SignMessage(p.key, outer, ds.RawTBS)
	if err != nil {
		t.Fatal(err)
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(ds.RawTBS)
		b.AddBytes(cert.MarshalAlgorithm(outer))
		b.AddASN1BitString(sig)
	})
	forged, err := cert.Parse(b.BytesOrPanic())
	if err != nil {
		t.Fatal(err)
	}
	if forged.TBSSigAlg.OID.Equal(forged.SigAlg.OID) {
		t.Fatal("test setup: algorithms agree")
	}
	if err := p.csca.PublicKey.Verify(forged.SigAlg, 0, forged.RawTBS, forged.Signature); err != nil {
		t.Fatalf("test setup: the outer algorithm does not verify: %v", err)
	}
	store := storeWith(t, false, p.csca.Raw, p.crl())
	r := VerifyBytes(makeSOD(t, forged, key, testDGs, cms.SignOptions{}), Options{Trust: store, IssuingState: "VNM", DataGroups: testDGs, Now: p.now})
	expect(t, r, map[string]string{check.DSChain: "FAIL/ALGORITHM_MISMATCH", check.SODSignature: "PASS/SIGNATURE_VALID"})
}

func newTestPKIWith(t *testing.T, country string, ku cert.KeyUsage, isCA bool) *testPKI {
	p := newTestPKI(t, country)
	tmpl := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: country}, {Type: cert.OIDCommonName, Value: "CSCA " + country + " test"}},
		NotBefore: p.now.AddDate(-5, 0, 0), NotAfter: p.now.AddDate(10, 0, 0), IsCA: isCA, MaxPathLen: 0,
		KeyUsage: ku, ExplicitParams: true, Hash: crypto.SHA384}
	der, err := cert.Create(&tmpl, &p.key.PublicKey, nil, p.key)
	if err != nil {
		t.Fatal(err)
	}
	p.csca, _ = cert.Parse(der)
	return p
}

func (p *testPKI) dsWithKeyUsage(ku cert.KeyUsage) (*cert.Certificate, *ec.PrivateKey) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p.serial++
	tmpl := cert.Template{Serial: big.NewInt(p.serial), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "DS test"}},
		NotBefore: p.now.AddDate(0, -1, 0), NotAfter: p.now.AddDate(10, 0, 0), KeyUsage: ku}
	der, err := cert.Create(&tmpl, &key.PublicKey, p.csca, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	c, _ := cert.Parse(der)
	return c, key
}
