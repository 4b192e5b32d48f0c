package pa

import (
	"bytes"
	"crypto"
	"math/big"
	mathrand "math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/internal/fuzzcorpus"
)

// fuzzNow is the time of the fuzz targets' certificates and checks: a
// fixed one, so that an input verifies the same way in every run.
var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// fuzzSOD is a SOD over testDGs signed by a self-signed signer, and a
// store that trusts it. The key comes from a seeded stream and ECDSA
// signatures are deterministic (RFC 6979), so every run builds the same
// bytes and a crasher found in one run reproduces in the next.
func fuzzSOD(f testing.TB) (sod []byte, store *trust.Store) {
	key, err := ec.GenerateKey(ec.BrainpoolP256r1(), mathrand.NewChaCha8([32]byte{'f', 'u', 'z', 'z'}))
	if err != nil {
		f.Fatal(err)
	}
	tmpl := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "fuzz"}},
		NotBefore: fuzzNow.Add(-time.Hour), NotAfter: fuzzNow.Add(time.Hour), IsCA: true, KeyUsage: cert.KeyUsageCertSign}
	der, err := cert.Create(&tmpl, &key.PublicKey, nil, key)
	if err != nil {
		f.Fatal(err)
	}
	ca, err := cert.Parse(der)
	if err != nil {
		f.Fatal(err)
	}
	lds, err := EncodeLDSSecurityObject(crypto.SHA256, HashDataGroups(crypto.SHA256, testDGs), "0108", "040000")
	if err != nil {
		f.Fatal(err)
	}
	sod, err = SignSOD(lds, ca, key, cms.SignOptions{SigningTime: fuzzNow})
	if err != nil {
		f.Fatal(err)
	}
	store = trust.New()
	if _, err := store.ImportBytes(ca.Raw, "fuzz", trust.ImportOptions{}); err != nil {
		f.Fatal(err)
	}
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
		if r := verifyFuzzed(b, store); len(r.Report) == 0 {
			t.Fatal("empty report")
		}
	})
}

func verifyFuzzed(b []byte, store *trust.Store) *Result {
	return VerifyBytes(b, Options{Trust: store, IssuingState: "VNM", DataGroups: testDGs, Now: fuzzNow})
}

// FuzzVerifySOD's inputs give the same report in every run: its fixture
// is built the same way each time, each file of its corpus verifies the
// same way against two fixtures built apart, and signature-bit-flipped,
// written by an earlier run from that run's fixture, still chains to this
// run's trusted signer (only its signature fails).
func TestFuzzVerifySODReproduces(t *testing.T) {
	sod1, store1 := fuzzSOD(t)
	sod2, store2 := fuzzSOD(t)
	if !bytes.Equal(sod1, sod2) {
		t.Fatal("the fuzz SOD differs from one build to the next")
	}
	names, inputs, err := fuzzcorpus.Bytes("testdata/fuzz/FuzzVerifySOD")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no corpus files (%v)", err)
	}
	for i, b := range inputs {
		r1, r2 := verifyFuzzed(b, store1), verifyFuzzed(b, store2)
		if !reflect.DeepEqual(r1.Report, r2.Report) {
			t.Errorf("%s: %v, then %v", names[i], r1.Report, r2.Report)
		}
		if names[i] != "signature-bit-flipped" {
			continue
		}
		for name, want := range map[string]check.Status{check.SODSignature: check.Fail, check.DSChain: check.Pass, check.DSValidity: check.Pass} {
			if c, _ := r1.Report.Get(name); c.Status != want {
				t.Errorf("%s: %s %s %s, want %s", names[i], name, c.Status, c.Reason, want)
			}
		}
	}
}
