package trust

import (
	"math/big"
	mathrand "math/rand/v2"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
)

// fuzzNow is the time of the fuzz target's certificates and of its store
// listing: fixed, so that an input takes the same path in every run.
var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// fuzzRoot is a self-signed CSCA whose key comes from a seeded stream;
// signatures are deterministic (RFC 6979), so a master list or CRL it
// signed in one run still verifies in the next and a crasher reproduces.
func fuzzRoot(f testing.TB) ca {
	key, err := ec.GenerateKey(ec.BrainpoolP256r1(), mathrand.NewChaCha8([32]byte{'t', 'r', 'u', 's', 't'}))
	if err != nil {
		f.Fatal(err)
	}
	tmpl := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "fuzz CSCA"}},
		NotBefore: fuzzNow.AddDate(-1, 0, 0), NotAfter: fuzzNow.AddDate(1, 0, 0), IsCA: true, KeyUsage: cert.KeyUsageCertSign | cert.KeyUsageCRLSign}
	der, err := cert.Create(&tmpl, &key.PublicKey, nil, key)
	if err != nil {
		f.Fatal(err)
	}
	c, err := cert.Parse(der)
	if err != nil {
		f.Fatal(err)
	}
	return ca{c, key}
}

// FuzzImportBytes feeds anything to an in-memory store's import, which
// detects master lists, certificates and CRLs.
// Each exec that parses verifies signatures (milliseconds): run it with
// -fuzzminimizetime=10x, or minimizing each new input stalls the run.
func FuzzImportBytes(f *testing.F) {
	root := fuzzRoot(f)
	crl, err := cert.CreateCRL(root.cert, root.key, []cert.RevokedCertificate{{Serial: big.NewInt(3), RevocationTime: fuzzNow}}, fuzzNow, fuzzNow.Add(time.Hour), big.NewInt(1), 0)
	if err != nil {
		f.Fatal(err)
	}
	ml, err := cms.Sign(cms.OIDCSCAMasterList, cms.MarshalMasterList([]*cert.Certificate{root.cert}), root.cert, root.key, cms.SignOptions{SigningTime: fuzzNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(root.cert.Raw)
	f.Add(crl)
	f.Add(ml)
	f.Fuzz(func(t *testing.T, b []byte) {
		s := New()
		if _, err := s.ImportBytes(root.cert.Raw, "root", ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportBytes(b, "fuzz", ImportOptions{}); err != nil {
			return
		}
		_ = s.List(fuzzNow)
	})
}

// TestFuzzImportBytesIsDeterministic: the fuzz target's seeds are the same
// bytes in every run, so a corpus file made of them (or mutated from
// them) takes the same path when it is replayed.
func TestFuzzImportBytesIsDeterministic(t *testing.T) {
	a, b := fuzzRoot(t), fuzzRoot(t)
	if string(a.cert.Raw) != string(b.cert.Raw) {
		t.Fatal("the fuzz root differs between two builds")
	}
	sign := func(r ca) []byte {
		ml, err := cms.Sign(cms.OIDCSCAMasterList, cms.MarshalMasterList([]*cert.Certificate{r.cert}), r.cert, r.key, cms.SignOptions{SigningTime: fuzzNow})
		if err != nil {
			t.Fatal(err)
		}
		return ml
	}
	if string(sign(a)) != string(sign(b)) {
		t.Fatal("the fuzz master list differs between two builds")
	}
}
