package pa

import (
	"crypto"
	"crypto/rand"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/trust"
)

func fuzzSOD(f testing.TB) (sod []byte, store *trust.Store) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	now := time.Now()
	tmpl := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "fuzz"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, KeyUsage: cert.KeyUsageCertSign}
	der, _ := cert.Create(&tmpl, &key.PublicKey, nil, key)
	ca, _ := cert.Parse(der)
	lds, _ := EncodeLDSSecurityObject(crypto.SHA256, HashDataGroups(crypto.SHA256, testDGs), "0108", "040000")
	sod, err := SignSOD(lds, ca, key, cms.SignOptions{SigningTime: now})
	if err != nil {
		f.Fatal(err)
	}
	store = trust.New()
	store.ImportBytes(ca.Raw, "fuzz", trust.ImportOptions{})
	return sod, store
}

// FuzzVerifySOD parses EF.SOD and runs every check on what parses.
// Each exec that parses verifies signatures (milliseconds): run it with
// -fuzzminimizetime=10x, or minimizing each new input stalls the run.
func FuzzVerifySOD(f *testing.F) {
	sod, store := fuzzSOD(f)
	f.Add(sod)
	files, _ := filepath.Glob("../../../shared/realworld/*.sod")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := VerifyBytes(b, Options{Trust: store, IssuingState: "VNM", DataGroups: testDGs})
		if len(r.Report) == 0 {
			t.Fatal("empty report")
		}
	})
}

// FuzzParseLDSSecurityObject parses the signed hash list.
func FuzzParseLDSSecurityObject(f *testing.F) {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA512} {
		b, _ := EncodeLDSSecurityObject(h, HashDataGroups(h, testDGs), "0108", "040000")
		f.Add(b)
		b, _ = EncodeLDSSecurityObject(h, HashDataGroups(h, testDGs), "", "")
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLDSSecurityObject(b)
		if err != nil {
			return
		}
		for _, n := range l.DataGroups() {
			if n < 1 || n > 16 {
				t.Fatalf("data group %d", n)
			}
		}
	})
}
