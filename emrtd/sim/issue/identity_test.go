package issue

import (
	"crypto/ecdsa"
	"crypto/x509"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/mrz"
	"golang.org/x/text/unicode/norm"
)

func TestIdentityDeterministic(t *testing.T) {
	a, b := NewIdentity(42), NewIdentity(42)
	if a != b {
		t.Fatal("same seed, different identities")
	}
	if NewIdentity(43) == a {
		t.Fatal("different seeds, same identity")
	}
}

func TestIdentityPlausible(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		id := NewIdentity(seed)
		if len(id.ID12) != 12 || strings.Trim(id.ID12, "0123456789") != "" {
			t.Fatalf("seed %d: ID12 not 12 digits", seed)
		}
		century := int(id.ID12[3] - '0')
		if (century%2 == 1) != (id.Sex == Female) || 1900+100*(century/2)+atoi(id.ID12[4:6]) != id.DateOfBirth.Year() {
			t.Errorf("seed %d: sex/century digit or year inconsistent", seed)
		}
		if !id.DateOfExpiry.IsZero() && !id.DateOfExpiry.After(Epoch) {
			t.Errorf("seed %d: expired card", seed)
		}
		if got := ExpiryFor(id.DateOfBirth, id.DateOfIssue); !got.Equal(id.DateOfExpiry) {
			t.Errorf("seed %d: expiry rule", seed)
		}
		if !id.DateOfExpiry.IsZero() {
			if y := id.DateOfExpiry.Year() - id.DateOfBirth.Year(); y != 25 && y != 40 && y != 60 {
				t.Errorf("seed %d: expiry at age %d", seed, y)
			}
		}
		for _, s := range []string{id.FullName(), id.PlaceOfOrigin, id.PlaceOfResidence, id.Father, id.Mother} {
			if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) {
				t.Errorf("seed %d: text not NFC", seed)
			}
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestCardMRZ(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		id := NewIdentity(seed)
		text := id.CardMRZ()
		if len(text) != 90 {
			t.Fatalf("seed %d: %d characters", seed, len(text))
		}
		m, err := mrz.Parse(text)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if m.DocumentCode != "ID" || m.IssuingState != "VNM" || m.DocumentNumber != id.ID12[3:] {
			t.Errorf("seed %d: line 1 fields", seed)
		}
		if text[15:27] != id.ID12 || text[27:29] != "<<" || text[29] != mrz.CheckDigit(id.ID12) {
			t.Errorf("seed %d: ID12 optional data", seed)
		}
		if strings.ContainsAny(text, "ĐđÀÁ") {
			t.Errorf("seed %d: diacritics in MRZ", seed)
		}
		if m.Surname != mrzName(id.Surname) {
			t.Errorf("seed %d: surname", seed)
		}
	}
}

func TestPassportMRZ(t *testing.T) {
	id := NewIdentity(7)
	m, err := mrz.Parse(id.PassportMRZ())
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != mrz.TD3 || m.DocumentNumber != id.PassportNumber || m.OptionalData1 != id.ID12 {
		t.Error("TD3 fields")
	}
}

func TestMRZName(t *testing.T) {
	if got := mrzName("Đặng Thị Thủy"); got != "DANG<THI<THUY" {
		t.Errorf("got %s", got)
	}
}

func TestExpiryRule(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	birth := d(2000, 5, 17)
	cases := []struct{ issue, want time.Time }{
		{d(2021, 3, 1), d(2025, 5, 17)},
		{d(2023, 6, 1), d(2040, 5, 17)}, // within 2 years of the 25th birthday
		{d(2039, 1, 1), d(2060, 5, 17)},
		{d(2059, 1, 1), time.Time{}},
	}
	for _, c := range cases {
		if got := ExpiryFor(birth, c.issue); !got.Equal(c.want) {
			t.Errorf("issue %v: got %v want %v", c.issue, got, c.want)
		}
	}
}

func TestChipKeyAndPublicKeyInfo(t *testing.T) {
	p256 := ec.ByName("P-256")
	a, err := ChipKey(1, "aa", p256)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ChipKey(1, "aa", p256)
	c, _ := ChipKey(1, "ca", p256)
	if a.D.Cmp(b.D) != 0 || a.D.Cmp(c.D) == 0 {
		t.Error("chip keys not deterministic per seed and purpose")
	}
	spki, err := ECPublicKeyInfo(&a.PublicKey, false)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		t.Fatalf("named-curve SubjectPublicKeyInfo: %v", err)
	}
	if pub := k.(*ecdsa.PublicKey); pub.X.Cmp(a.Point.X) != 0 || pub.Y.Cmp(a.Point.Y) != 0 {
		t.Error("encoded point differs")
	}
	bp, err := ChipKey(1, "aa", ec.BrainpoolP256r1())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ECPublicKeyInfo(&bp.PublicKey, true); err != nil {
		t.Fatal(err)
	}
}
