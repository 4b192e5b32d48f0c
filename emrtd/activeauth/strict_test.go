package activeauth

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
)

// representative builds 9796-2 representatives for the padding tests:
// header bytes, M1, H(M1 ‖ challenge) with h, trailer.
func representative(header []byte, m1 []byte, h crypto.Hash, trailer []byte, challenge []byte) []byte {
	d := h.New()
	d.Write(m1)
	d.Write(challenge)
	return bytes.Join([][]byte{header, m1, d.Sum(nil), trailer}, nil)
}

// ISO/IEC 9796-2 recovery checks the whole padding: 6A, or 6B BB… BA,
// before M1, and the one hash the trailer names.
func TestRepresentativePadding(t *testing.T) {
	challenge := []byte("RND.IFD!")
	m1 := bytes.Repeat([]byte{0x5A}, 40)
	for _, c := range []struct {
		name string
		rep  []byte
		ok   bool
	}{
		{"6A", representative([]byte{0x6A}, m1, crypto.SHA1, []byte{0xBC}, challenge), true},
		{"6B BA", representative([]byte{0x6B, 0xBA}, m1, crypto.SHA1, []byte{0xBC}, challenge), true},
		{"6B BB BB BA", representative([]byte{0x6B, 0xBB, 0xBB, 0xBA}, m1, crypto.SHA256, []byte{0x34, 0xCC}, challenge), true},
		// What a verifier that skips nibbles until an A accepted:
		{"6B 3A", representative([]byte{0x6B, 0x3A}, m1, crypto.SHA1, []byte{0xBC}, challenge), false},
		{"6B BB", representative([]byte{0x6B, 0xBB}, m1, crypto.SHA1, []byte{0xBC}, challenge), false},
		{"6B 0A", representative([]byte{0x6B, 0x0A}, m1, crypto.SHA1, []byte{0xBC}, challenge), false},
		{"7A", representative([]byte{0x7A}, m1, crypto.SHA1, []byte{0xBC}, challenge), false},
		{"5A", representative([]byte{0x5A}, m1, crypto.SHA1, []byte{0xBC}, challenge), false},
		{"4A (total recovery)", representative([]byte{0x4A}, m1, crypto.SHA1, []byte{0xBC}, challenge), false},
		// BC is SHA-1: a SHA-256 hash under it is not tried.
		{"BC with SHA-256", representative([]byte{0x6A}, m1, crypto.SHA256, []byte{0xBC}, challenge), false},
		{"34CC with SHA-1", representative([]byte{0x6A}, m1, crypto.SHA1, []byte{0x34, 0xCC}, challenge), false},
		{"unknown trailer", representative([]byte{0x6A}, m1, crypto.SHA1, []byte{0x31, 0xCC}, challenge), false},
	} {
		_, err := openRepresentative(c.rep, challenge)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, errRecovery) {
			t.Errorf("%s: %v does not wrap errRecovery", c.name, err)
		}
	}
}

// The attack chip signs (with the right key) a representative with
// malformed padding: active authentication fails.
func TestMalformedPaddingFails(t *testing.T) {
	k := rsaKey(t, 1024)
	pub := rsaDG15(t, &k.PublicKey)
	for _, malformed := range []bool{false, true} {
		chip, err := NewChip(ChipConfig{Key: k, Hash: crypto.SHA1, MalformedPadding: malformed})
		if err != nil {
			t.Fatal(err)
		}
		sig, err := chip.sign([]byte("RND.IFD!"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = VerifySignature(pub, nil, []byte("RND.IFD!"), sig)
		if malformed != errors.Is(err, ErrFailed) || (!malformed && err != nil) {
			t.Errorf("malformed=%v: %v", malformed, err)
		}
	}
}

// A chip answering DER ECDSA signatures (C-06) verifies.
func TestDERSignatureChip(t *testing.T) {
	k, _ := ec.GenerateKey(ec.P384(), rand.Reader)
	chip, err := NewChip(ChipConfig{Key: k, Hash: crypto.SHA256, DERSignature: true})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := chip.sign([]byte("RND.IFD!"))
	if err != nil {
		t.Fatal(err)
	}
	if sig[0] != 0x30 || len(sig) == 96 {
		t.Fatalf("not DER: % X", sig[:2])
	}
	res, err := VerifySignature(ecDG15(t, &k.PublicKey, false), nil, []byte("RND.IFD!"), sig)
	if err != nil || res.Hash != crypto.SHA256 {
		t.Errorf("%v %v", err, res.Hash)
	}
}
