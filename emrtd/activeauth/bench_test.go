package activeauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/nfc"
)

// benchmarkAA signs (chip) and verifies (reader) one challenge per
// iteration.
func benchmarkAA(b *testing.B, priv any, pub *lds.PublicKey, h crypto.Hash) {
	chip, err := NewChip(ChipConfig{Key: priv, Hash: h})
	if err != nil {
		b.Fatal(err)
	}
	c := &card{chip: chip}
	b.ReportAllocs()
	for b.Loop() {
		c.log = c.log[:0]
		if _, err := Verify(context.Background(), nfc.NewTransport(c), pub, nil, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAAECDSABrainpoolP256(b *testing.B) {
	k, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	benchmarkAA(b, k, ecDG15(b, &k.PublicKey, false), crypto.SHA256)
}

func BenchmarkAARSA2048(b *testing.B) {
	k := rsaKey(b, 2048)
	benchmarkAA(b, k, rsaDG15(b, &k.PublicKey), crypto.SHA256)
}
