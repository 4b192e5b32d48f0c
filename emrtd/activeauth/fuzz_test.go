package activeauth

import (
	"bytes"
	"encoding/hex"
	"errors"
	mathrand "math/rand/v2"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/nfc/apdu"
)

// fuzzRand is a seeded stream for the fuzz targets' keys and nonces: the
// same in every run, so a crasher found in one run reproduces in the next.
func fuzzRand(seed string) *mathrand.ChaCha8 {
	var s [32]byte
	copy(s[:], seed)
	return mathrand.NewChaCha8(s)
}

func fuzzHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzRepresentative: opening arbitrary ISO/IEC 9796-2 representatives
// never panics, and what opens has its hash over M1 and the challenge.
func FuzzRepresentative(f *testing.F) {
	f.Add(fuzzHex("6A1234567890ABCDEF1234567890ABCDEF11223344e9b287952a913cc5b60ff74ecfc87e40e81563b1BC"), fuzzHex("0102030405060708"))
	f.Add(fuzzHex("6A1234567890ABCDEF1234567890ABCDEF11223344783980d44fd3a80f0e4210eb9c73ea399932062d465438f8e1ff13377de8308934CC"), fuzzHex("0102030405060708"))
	f.Add(fuzzHex("6ABC"), []byte{})
	f.Add(fuzzHex("6A0000CC"), []byte{})
	f.Fuzz(func(t *testing.T, rep, challenge []byte) {
		r, err := openRepresentative(rep, challenge)
		if err != nil {
			return
		}
		d := r.hash.New()
		d.Write(r.m1)
		d.Write(challenge)
		if !bytes.Contains(rep, d.Sum(nil)) || !bytes.Contains(rep, r.m1) {
			t.Fatal("opened a representative without its hash")
		}
	})
}

// FuzzVerifySignature: arbitrary RSA and ECDSA signatures never panic and
// only the genuine one verifies; one shorter than the key signs is
// inconclusive (ShortSignatureError), any other FAIL.
func FuzzVerifySignature(f *testing.F) {
	f.Add(fuzzHex(realSignature), fuzzHex(realChallenge))
	f.Add([]byte{0}, fuzzHex(realChallenge))
	f.Add(fuzzHex("3006020101020101"), fuzzHex(realChallenge))
	dg15, err := lds.ParseDG15(fuzzHex(realDG15))
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := ec.GenerateKey(ec.BrainpoolP256r1(), fuzzRand("verify signature"))
	if err != nil {
		f.Fatal(err)
	}
	ecPub := ecDG15(f, &ecKey.PublicKey, false)
	k := (dg15.PublicKey.RSA.N.BitLen() + 7) / 8
	f.Fuzz(func(t *testing.T, sig, challenge []byte) {
		res, err := VerifySignature(dg15.PublicKey, nil, challenge, sig)
		if err == nil && (!bytes.Equal(sig, fuzzHex(realSignature)) || !bytes.Equal(challenge, fuzzHex(realChallenge))) {
			t.Fatal("verified a signature other than the recorded one")
		}
		var short *ShortSignatureError
		switch {
		case err == nil:
		case len(sig) < k && !errors.As(err, &short), len(sig) < k && errors.Is(err, ErrFailed):
			t.Fatalf("a short signature not reported as inconclusive: %v", err)
		case len(sig) >= k && (!errors.Is(err, ErrFailed) || res == nil || res.Verified):
			t.Fatalf("failure not reported as FAIL: %v", err)
		}
		if _, err := VerifySignature(ecPub, nil, challenge, sig); err == nil {
			t.Fatal("verified a random ECDSA signature")
		}
	})
}

// FuzzChip: the chip's INTERNAL AUTHENTICATE never panics.
func FuzzChip(f *testing.F) {
	f.Add(fuzzHex("0088000008010203040506070800"))
	f.Add(fuzzHex("00880000080102030405060708"))
	f.Add(fuzzHex("008800000801020304050607080000"))
	k, err := ec.GenerateKey(ec.P256(), fuzzRand("chip key"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// A chip of its own per input: its nonces come from the same
		// seeded stream whatever ran before.
		chip, err := NewChip(ChipConfig{Key: k, Rand: fuzzRand("chip nonces")})
		if err != nil {
			t.Fatal(err)
		}
		cmd, err := apdu.ParseCommand(raw)
		if err != nil || !chip.Accepts(cmd) {
			return
		}
		resp := chip.Respond(cmd)
		if resp.SW == apdu.SWOK && len(resp.Data) != 64 {
			t.Fatalf("signature of %d bytes", len(resp.Data))
		}
	})
}
