package keyagree

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math/big"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Both ends of an agreement derive the same secret, in the field's
// length, on every standardized domain.
func TestAgreeOnStandardDomains(t *testing.T) {
	for _, id := range []int{0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18} {
		d, err := StandardDomain(id)
		if err != nil {
			t.Fatalf("ID %d: %v", id, err)
		}
		a, err := d.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := d.GenerateKey(rand.Reader)
		ka, err := a.Agree(b.PublicKey())
		if err != nil {
			t.Fatalf("ID %d: %v", id, err)
		}
		kb, _ := b.Agree(a.PublicKey())
		if !bytes.Equal(ka, kb) || len(ka) != (d.PrimeBits()+7)/8 {
			t.Fatalf("ID %d: secrets differ or have %d bytes", id, len(ka))
		}
		if err := d.ValidatePublic(a.PublicKey()); err != nil {
			t.Fatalf("ID %d: %v", id, err)
		}
	}
}

// A peer key equal to ours, or not a valid public value, is refused.
func TestAgreeRefusesBadPeers(t *testing.T) {
	d, _ := StandardDomain(13)
	k, _ := d.GenerateKey(rand.Reader)
	if _, err := k.Agree(k.PublicKey()); !errors.Is(err, ErrInvalidPublic) {
		t.Errorf("own key: %v", err)
	}
	bad := k.PublicKey()
	bad[len(bad)-1] ^= 1
	if _, err := k.Agree(bad); !errors.Is(err, ErrInvalidPublic) {
		t.Errorf("off the curve: %v", err)
	}
	g, _ := StandardDomain(0)
	dk, _ := g.GenerateKey(rand.Reader)
	if _, err := dk.Agree([]byte{1}); !errors.Is(err, ErrInvalidPublic) {
		t.Errorf("DH value 1: %v", err)
	}
}

// The domain of a key given by standardized parameters, by a named curve
// and by explicit parameters is the same curve.
func TestDomainOfKey(t *testing.T) {
	id := 13
	std, err := DomainOfKey(&lds.PublicKey{StandardizedParameterID: &id})
	if err != nil || !std.Curve.SameParams(ec.BrainpoolP256r1()) {
		t.Fatalf("standardized: %v", err)
	}
	for _, params := range [][]byte{ec.BrainpoolP256r1().MarshalParameters(), ec.BrainpoolP256r1().MarshalExplicitParameters()} {
		d, err := DomainOfKey(&lds.PublicKey{AlgorithmOID: lds.OIDECPublicKey, Parameters: params})
		if err != nil || !d.Curve.SameParams(ec.BrainpoolP256r1()) {
			t.Fatalf("%X: %v", params, err)
		}
	}
	if _, err := DomainOfKey(&lds.PublicKey{AlgorithmOID: lds.OIDRSAEncryption}); !errors.Is(err, ErrDomain) {
		t.Errorf("RSA key: %v", err)
	}
}

// C-03: a DH key given with PKCS #3 parameters {p, g} is on the
// standardized group with that prime and base; other groups must be
// safe-prime ones.
func TestDomainOfPKCS3Key(t *testing.T) {
	std, _ := StandardDomain(2)
	params := func(p, g *big.Int) []byte {
		var b cryptobyte.Builder
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(p); b.AddASN1BigInt(g) })
		return b.BytesOrPanic()
	}
	d, err := DomainOfKey(&lds.PublicKey{AlgorithmOID: lds.OIDDHKeyAgreement, Parameters: params(std.Group.P(), std.Group.G())})
	if err != nil || d.Group != std.Group {
		t.Fatalf("RFC 5114 group: %v", err)
	}
	toy := ToyGroup().Group // a safe prime
	if d, err := DomainOfKey(&lds.PublicKey{AlgorithmOID: lds.OIDDHKeyAgreement, Parameters: params(toy.P(), toy.G())}); err != nil || d.Group.Q().Cmp(toy.Q()) != 0 {
		t.Fatalf("safe-prime group: %v", err)
	}
	if _, err := DomainOfKey(&lds.PublicKey{AlgorithmOID: lds.OIDDHKeyAgreement, Parameters: params(std.Group.P(), big.NewInt(3))}); !errors.Is(err, ErrDomain) {
		t.Errorf("RFC 5114 prime with another base: %v", err)
	}
}
