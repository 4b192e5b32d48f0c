package pace

import (
	"crypto/rand"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
)

// benchmarkPACE runs a whole PACE (reader and chip in one process, five
// exchanges through the APDU codecs) per iteration.
func benchmarkPACE(b *testing.B, oid []int, id int) {
	p, err := NewParams(oid, id)
	if err != nil {
		b.Fatal(err)
	}
	key := canKey(b, "123456")
	cfg := ChipConfig{Params: []Params{p}, Keys: []access.Key{key}}
	if p.Mapping == lds.MappingCAM {
		cfg.CAKey, _ = ec.GenerateKey(p.Domain.Curve, rand.Reader)
	}
	chip, err := NewChip(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := roundTrip(b, chip, key, p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// The CCCD's configuration: GM, ECDH on brainpoolP256r1, AES-128.
func BenchmarkPACEGMBrainpoolP256AES128(b *testing.B) {
	benchmarkPACE(b, lds.OIDPACEECDHGMAESCBCCMAC128, 13)
}

func BenchmarkPACEIMBrainpoolP256AES128(b *testing.B) {
	benchmarkPACE(b, lds.OIDPACEECDHIMAESCBCCMAC128, 13)
}

func BenchmarkPACECAMBrainpoolP256AES128(b *testing.B) {
	benchmarkPACE(b, lds.OIDPACEECDHCAMAESCBCCMAC128, 13)
}

func BenchmarkPACEGMP256AES128(b *testing.B) {
	benchmarkPACE(b, lds.OIDPACEECDHGMAESCBCCMAC128, 12)
}

func BenchmarkPACEGMDH2048AES128(b *testing.B) {
	benchmarkPACE(b, lds.OIDPACEDHGMAESCBCCMAC128, 2)
}
