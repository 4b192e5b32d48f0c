package cert

import (
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/ec"
)

func fuzzSeeds(f testing.TB) (certs, crls [][]byte) {
	if b, err := os.ReadFile(sharedPKI + "CSCA_ePassport_Vietnam_2022.der"); err == nil {
		certs = append(certs, b)
	}
	bp, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	for _, tc := range []struct {
		key      any
		pub      any
		pss      bool
		explicit bool
	}{{bp, &bp.PublicKey, false, true}, {rk, &rk.PublicKey, true, false}} {
		tmpl := baseTemplate("seed")
		tmpl.IsCA, tmpl.MaxPathLen, tmpl.KeyUsage, tmpl.PSS, tmpl.ExplicitParams = true, 0, KeyUsageCertSign, tc.pss, tc.explicit
		tmpl.DocumentTypes = []string{"P"}
		tmpl.PrivateKeyNotBefore = tmpl.NotBefore
		der, err := Create(&tmpl, tc.pub, nil, tc.key)
		if err != nil {
			f.Fatal(err)
		}
		certs = append(certs, der)
		c, _ := Parse(der)
		crl, err := CreateCRL(c, tc.key, []RevokedCertificate{{Serial: big.NewInt(1), RevocationTime: time.Now()}}, time.Now(), time.Now().Add(time.Hour), big.NewInt(1), 0)
		if err != nil {
			f.Fatal(err)
		}
		crls = append(crls, crl)
	}
	return certs, crls
}

// FuzzParse parses certificates (keys included: explicit EC parameters
// are validated). Signature verification is fuzzed through the cms and pa
// targets; doing it here makes every exec cost milliseconds.
func FuzzParse(f *testing.F) {
	certs, _ := fuzzSeeds(f)
	for _, c := range certs {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			return
		}
		_ = c.Subject.String() + c.Issuer.Canonical() + c.PublicKey.String() + c.SigAlg.String()
	})
}

// FuzzParseCRL parses CRLs.
func FuzzParseCRL(f *testing.F) {
	_, crls := fuzzSeeds(f)
	for _, c := range crls {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		crl, err := ParseCRL(b)
		if err != nil {
			return
		}
		crl.Lookup(big.NewInt(1))
	})
}
