package trust

import (
	"math/big"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
)

// FuzzImportBytes feeds anything to an in-memory store's import, which
// detects master lists, certificates and CRLs.
// Each exec that parses verifies signatures (milliseconds): run it with
// -fuzzminimizetime=10x, or minimizing each new input stalls the run.
func FuzzImportBytes(f *testing.F) {
	root := newCA(f, "VN", "fuzz CSCA", time.Now().AddDate(1, 0, 0))
	crl, _ := cert.CreateCRL(root.cert, root.key, []cert.RevokedCertificate{{Serial: big.NewInt(3), RevocationTime: time.Now()}}, time.Now(), time.Now().Add(time.Hour), big.NewInt(1), 0)
	ml, _ := cms.Sign(cms.OIDCSCAMasterList, cms.MarshalMasterList([]*cert.Certificate{root.cert}), root.cert, root.key, cms.SignOptions{})
	f.Add(root.cert.Raw)
	f.Add(crl)
	f.Add(ml)
	f.Fuzz(func(t *testing.T, b []byte) {
		s := New()
		s.ImportBytes(root.cert.Raw, "root", ImportOptions{})
		if _, err := s.ImportBytes(b, "fuzz", ImportOptions{}); err != nil {
			return
		}
		_ = s.List(time.Now())
	})
}
