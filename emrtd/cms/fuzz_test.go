package cms

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/tlv"
)

func seedMessages(f *testing.F) [][]byte {
	bp, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p := newPKI(f, bp, &bp.PublicKey)
	var out [][]byte
	msg, err := Sign([]int{2, 23, 136, 1, 1, 1}, []byte("content"), p.ds, p.dsKey, SignOptions{SubjectKeyID: true})
	if err != nil {
		f.Fatal(err)
	}
	out = append(out, msg)
	ml, err := Sign(OIDCSCAMasterList, MarshalMasterList(nil), p.ds, p.dsKey, SignOptions{})
	if err != nil {
		f.Fatal(err)
	}
	out = append(out, ml)
	files, _ := filepath.Glob(shared + "realworld/*.sod")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			if inner, err := tlv.Unwrap(b, 0x77); err == nil {
				out = append(out, inner)
			}
		}
	}
	return out
}

// FuzzParse parses SignedData and runs verification on what parses.
// Each exec that parses verifies signatures (milliseconds): run it with
// -fuzzminimizetime=10x, or minimizing each new input stalls the run.
func FuzzParse(f *testing.F) {
	for _, m := range seedMessages(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := Parse(b)
		if err != nil {
			return
		}
		for _, si := range sd.Signers {
			_ = sd.Verify(si, firstSigner(sd, si))
		}
	})
}

// FuzzParseMasterList parses master lists.
// Each exec that parses verifies signatures (milliseconds): run it with
// -fuzzminimizetime=10x, or minimizing each new input stalls the run.
func FuzzParseMasterList(f *testing.F) {
	for _, m := range seedMessages(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ml, err := ParseMasterList(b)
		if err != nil {
			return
		}
		_, _ = ml.VerifySignature()
	})
}
