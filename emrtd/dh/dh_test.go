package dh

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestStandardGroupsAreValid(t *testing.T) {
	for id := range 3 {
		g, err := Standard(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewGroup(g.P(), g.G(), g.Q()); err != nil {
			t.Errorf("group %d: %v", id, err)
		}
	}
	if _, err := Standard(3); err == nil {
		t.Error("ID 3 accepted")
	}
	if RFC5114Group2048x224().ByteLen() != 256 || RFC5114Group1024x160().ByteLen() != 128 || RFC5114Group2048x256().Q().BitLen() != 256 {
		t.Error("group sizes")
	}
}

func hexPrefixSuffix(t *testing.T, what string, got []byte, prefix, suffix string) {
	t.Helper()
	h := strings.ToUpper(hex.EncodeToString(got))
	if !strings.HasPrefix(h, prefix) || !strings.HasSuffix(h, suffix) {
		t.Fatalf("%s = %s…%s, want %s…%s", what, h[:16], h[len(h)-8:], prefix, suffix)
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ICAO 9303-11 Appendix G.2: PACE Generic Mapping over DH (parameter ID 0).
func TestICAOPACEGenericMappingDH(t *testing.T) {
	grp, _ := Standard(0)
	term, err := NewPrivateKey(grp, mustHex(t, "5265030F751F4AD18B08AC565FC7AC952E41618D"))
	if err != nil {
		t.Fatal(err)
	}
	chip, _ := NewPrivateKey(grp, mustHex(t, "66DDAFEAC1609CB5B963BB0CB3FF8B3E047F336C"))
	h, err := term.SharedElement(chip.Y)
	if err != nil {
		t.Fatal(err)
	}
	hexPrefixSuffix(t, "H", grp.Encode(h), "5BABEBEF5B74E5BA", "E302AE7F")
	h2, _ := chip.SharedElement(term.Y)
	if h.Cmp(h2) != 0 {
		t.Fatal("H is not symmetric")
	}
	mapped, err := term.GenericMapping(chip.Y, mustHex(t, "FA5B7E3E49753A0DB9178B7B9BD898C8"))
	if err != nil {
		t.Fatal(err)
	}
	hexPrefixSuffix(t, "g~", grp.Encode(mapped.G()), "7C9CBFE98F9FBDDA", "18342DC5")
	chipMapped, _ := chip.GenericMapping(term.Y, mustHex(t, "FA5B7E3E49753A0DB9178B7B9BD898C8"))
	if chipMapped.G().Cmp(mapped.G()) != 0 {
		t.Fatal("g~ is not symmetric")
	}
	termEph, _ := NewPrivateKey(mapped, mustHex(t, "89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA"))
	chipEph, _ := NewPrivateKey(mapped, mustHex(t, "A5B780126B7C980E9FCEA1D4539DA1D27C342DFA"))
	k, err := termEph.SharedSecret(chipEph.Y)
	if err != nil {
		t.Fatal(err)
	}
	if len(k) != 128 {
		t.Fatalf("K has %d bytes", len(k))
	}
	hexPrefixSuffix(t, "K", k, "6BABC7B3A72BCD7E", "FE2607FD")
	k2, _ := chipEph.SharedSecret(termEph.Y)
	if !bytes.Equal(k, k2) {
		t.Fatal("K is not symmetric")
	}
}

func TestValidateRejects(t *testing.T) {
	grp := RFC5114Group2048x256()
	pm1 := new(big.Int).Sub(grp.P(), big.NewInt(1))
	for _, y := range []*big.Int{nil, big.NewInt(0), big.NewInt(1), pm1, grp.P(), big.NewInt(2)} {
		if grp.Validate(y) == nil {
			t.Errorf("%v accepted", y)
		}
	}
	k, _ := GenerateKey(grp, rand.Reader)
	if err := grp.Validate(k.Y); err != nil {
		t.Fatal(err)
	}
	if _, err := k.SharedSecret(pm1); err == nil {
		t.Error("P−1 (order 2) accepted as peer value")
	}
	if _, err := grp.Decode(append([]byte{1}, k.PublicBytes()...)); err == nil {
		t.Error("over-long encoding accepted")
	}
	if y, err := grp.Decode(k.PublicBytes()); err != nil || y.Cmp(k.Y) != 0 {
		t.Error("decode round trip")
	}
	if _, err := NewPrivateKey(grp, grp.Q().Bytes()); err == nil {
		t.Error("exponent Q accepted")
	}
	if _, err := NewGroup(grp.P(), big.NewInt(2), grp.Q()); err == nil {
		t.Error("generator outside the subgroup accepted")
	}
}

// Explicit groups are bounded before any primality test: an 8192-bit
// modulus (seconds of tests) is refused at once; a standardized group
// given explicitly is that group.
func TestNewGroupBounds(t *testing.T) {
	big8192 := new(big.Int).Lsh(big.NewInt(1), 8191)
	big8192.Add(big8192, big.NewInt(1))
	if _, err := NewGroup(big8192, big.NewInt(2), big.NewInt(3)); err == nil {
		t.Error("8192-bit modulus accepted")
	}
	std := RFC5114Group2048x224()
	if g, err := NewGroup(std.P(), std.G(), std.Q()); err != nil || g != std {
		t.Errorf("standard group given explicitly: %v", err)
	}
	if _, err := NewGroup(std.P(), std.G(), std.P()); err == nil {
		t.Error("order P accepted")
	}
}

// The integrated mapping lands in the subgroup and both ends agree.
func TestIntegratedMapping(t *testing.T) {
	grp := RFC5114Group1024x160()
	r := make([]byte, 144)
	for i := range r {
		r[i] = byte(i*7 + 1)
	}
	mapped, err := grp.IntegratedMapping(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := grp.Validate(mapped.G()); err != nil {
		t.Fatal(err)
	}
	// (r mod P)^((P−1)/Q) as math/big computes it.
	x := new(big.Int).Mod(new(big.Int).SetBytes(r), grp.P())
	e := new(big.Int).Div(new(big.Int).Sub(grp.P(), big.NewInt(1)), grp.Q())
	if want := new(big.Int).Exp(x, e, grp.P()); want.Cmp(mapped.G()) != 0 {
		t.Fatal("g~ differs from math/big's")
	}
	if _, err := grp.IntegratedMapping(make([]byte, 144)); !errors.Is(err, ErrMapping) {
		t.Errorf("r = 0: %v", err)
	}
}

func BenchmarkSharedSecret2048(b *testing.B) {
	grp := RFC5114Group2048x256()
	a, _ := GenerateKey(grp, rand.Reader)
	c, _ := GenerateKey(grp, rand.Reader)
	b.ResetTimer()
	for range b.N {
		if _, err := a.SharedSecret(c.Y); err != nil {
			b.Fatal(err)
		}
	}
}
