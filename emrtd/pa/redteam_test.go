package pa

import (
	"math/big"
	"testing"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/cms"
)

// Red team: an EF.SOD signed with the CSCA's own key (the CSCA
// certificate as signer, or another certificate of its key) fails
// ds.profile with DS_IS_CSCA, whatever the certificate's markings: before,
// a CSCA without keyUsage signing documents directly read WARN.
func TestSignedByTheCSCAItself(t *testing.T) {
	for name, ku := range map[string]cert.KeyUsage{"CSCA with keyUsage": cert.KeyUsageCertSign, "CSCA without keyUsage": 0} {
		t.Run(name, func(t *testing.T) {
			p := newTestPKIWith(t, "VN", ku, true)
			// The same key in a certificate the CSCA issued itself, marked
			// for signing documents.
			tmpl := cert.Template{Serial: big.NewInt(9), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "DS test"}},
				NotBefore: p.now.AddDate(0, -1, 0), NotAfter: p.now.AddDate(10, 0, 0), KeyUsage: cert.KeyUsageDigitalSignature}
			der, err := cert.Create(&tmpl, &p.key.PublicKey, p.csca, p.key)
			if err != nil {
				t.Fatal(err)
			}
			sameKey, _ := cert.Parse(der)
			store := storeWith(t, false, p.csca.Raw, p.crl())
			for signer, c := range map[string]*cert.Certificate{"the CSCA certificate": p.csca, "a DS certificate of the CSCA's key": sameKey} {
				r := VerifyBytes(makeSOD(t, c, p.key, testDGs, cms.SignOptions{}), Options{Trust: store, IssuingState: "VNM", DataGroups: testDGs, Now: p.now})
				expect(t, r, map[string]string{check.DSProfile: "FAIL/" + ReasonDSIsCSCA, check.SODSignature: "PASS/SIGNATURE_VALID", check.DSChain: "PASS/CHAIN_VALID"})
				if r.Report.Overall() != check.Fail {
					t.Errorf("%s: overall %s", signer, r.Report.Overall())
				}
			}
		})
	}
}
