package chipauth

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
)

// benchmarkCA runs a whole Chip Authentication (reader and chip in one
// process, under an AES session, with the probe) per iteration.
func benchmarkCA(b *testing.B, priv any, pk *lds.PublicKey, c sm.Cipher) {
	info := pkInfo(pk, nil)
	p, err := ParamsOf(ptr(caInfo(ProtocolFor(info.KeyAgreement, c), nil)), info)
	if err != nil {
		b.Fatal(err)
	}
	chip, err := NewChip(ChipConfig{Key: priv, Protocol: p.Protocol})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		reader, chipSide := pair(b, sm.AES128)
		cd := &card{chip: chip, session: chipSide}
		if _, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// The CCCD's configuration: id-CA-ECDH-AES-CBC-CMAC-128 on brainpoolP256r1.
func BenchmarkCABrainpoolP256AES128(b *testing.B) {
	k, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	benchmarkCA(b, k, ecSPKI(b, &k.PublicKey, 0), sm.AES128)
}

func BenchmarkCAP256TDES(b *testing.B) {
	k, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	benchmarkCA(b, k, ecSPKI(b, &k.PublicKey, 0), sm.TDES)
}

func BenchmarkCADH2048AES128(b *testing.B) {
	k, _ := dh.GenerateKey(dh.RFC5114Group2048x256(), rand.Reader)
	benchmarkCA(b, k, dhSPKI(b, k), sm.AES128)
}
