package trust

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/sim/testpki"
)

// The simulator's TEST CSCAs, whose private keys are committed, are the
// published keys.
func TestPublishedKeys(t *testing.T) {
	for _, der := range [][]byte{testpki.CSCA(), testpki.UntrustedCSCA()} {
		c, err := cert.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := Published(c.PublicKey); !ok {
			t.Errorf("%s: not a published key", c.Subject)
		}
	}
	if _, ok := Published(newCA(t, "VN", "CSCA", time.Now().AddDate(5, 0, 0)).cert.PublicKey); ok {
		t.Error("a fresh key is published")
	}
}

// A CSCA whose private key is published (the simulator's TEST CSCA) is a
// test anchor however it reaches the store: imported without --test, in
// a new certificate made with its key, or copied into csca/. An operator
// who trusts the simulator's CSCA by mistake must not let anyone who
// reads the source tree issue documents that pass.
func TestPublishedKeyIsTestAnchor(t *testing.T) {
	keyPEM, err := os.ReadFile("../sim/testpki/csca.key")
	if err != nil {
		t.Fatal(err)
	}
	key, err := testpki.ParseKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := cert.Template{Serial: big.NewInt(7), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "CSCA Vietnam"}},
		NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().AddDate(10, 0, 0), IsCA: true, KeyUsage: cert.KeyUsageCertSign}
	recertified, err := cert.Create(&tmpl, &key.PublicKey, nil, key)
	if err != nil {
		t.Fatal(err)
	}
	for name, der := range map[string][]byte{"TEST CSCA": testpki.CSCA(), "its key, certified again": recertified} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.ImportBytes(der, "csca.cer", ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "private key is published") {
				t.Errorf("warnings %q", res.Warnings)
			}
			if e := s.Entries(); len(e) != 1 || !e[0].Test {
				t.Fatalf("entries %+v", e)
			}
			if files, _ := filepath.Glob(filepath.Join(dir, "test-csca", "*.der")); len(files) != 1 {
				t.Errorf("test-csca holds %v", files)
			}
			// Copied into csca/ by hand: loaded as a test anchor all the same.
			other := t.TempDir()
			if err := os.MkdirAll(filepath.Join(other, "csca"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(other, "csca", "vn.der"), der, 0o644); err != nil {
				t.Fatal(err)
			}
			loaded, err := Open(other)
			if err != nil {
				t.Fatal(err)
			}
			if e := loaded.Entries(); len(e) != 1 || !e[0].Test {
				t.Errorf("loaded from csca/: %+v", e)
			}
		})
	}
}
