package issue

import (
	"slices"
	"testing"

	"github.com/idagent/idagent/emrtd/cccd"
	"github.com/idagent/idagent/emrtd/lds"
)

// These tests check that what the simulator encodes is what the project's
// readers parse (emrtd/lds) and follows the Vietnamese rules (emrtd/cccd).

func TestLDSParsesCCCD(t *testing.T) {
	for _, nesting := range []ParentsNesting{ParentsSeparate, ParentsTogether} {
		doc, err := Issue(Options{Seed: 31, Kind: IDCard, DataGroups: cccdGroups, Security: CCCDSecurity(), Parents: nesting})
		if err != nil {
			t.Fatal(err)
		}
		id := doc.Identity
		com, err := lds.ParseCOM(doc.Files[FIDCOM])
		if err != nil || !slices.Equal(com.DataGroups, cccdGroups) {
			t.Errorf("EF.COM: %v", err)
		}
		dg1, err := lds.ParseDG1(doc.Files[FIDOfDG(1)])
		if err != nil || !dg1.CheckDigitsValid || dg1.VN == nil || dg1.VN.ID12 != id.ID12 || !dg1.VN.CheckDigitValid || !dg1.VN.MatchesDocumentNumber {
			t.Errorf("DG1: %v", err)
		}
		dg13, err := lds.ParseDG13(doc.Files[FIDOfDG(13)])
		if err != nil {
			t.Fatalf("DG13: %v", err)
		}
		if dg13.IDNumber != id.ID12 || dg13.FullName != id.FullName() || dg13.FatherName != id.Father || dg13.MotherName != id.Mother ||
			dg13.SpouseName != id.Spouse || dg13.PlaceOfResidence != id.PlaceOfResidence || dg13.CardSerial != id.CardSerial || len(dg13.Notes) > 0 {
			t.Errorf("DG13 (nesting %d) fields differ from the identity; notes %v", nesting, dg13.Notes)
		}
		if dg13.DateOfBirth == nil || dg13.DateOfBirth.ISO != id.DateOfBirth.Format("2006-01-02") {
			t.Error("DG13 date of birth")
		}
		dg14, err := lds.ParseDG14(doc.Files[FIDOfDG(14)])
		if err != nil || len(dg14.ChipAuthenticationPublicKeys) != 1 || len(dg14.ChipAuthentication) != 1 || len(dg14.ActiveAuthentication) != 1 {
			t.Errorf("DG14: %v", err)
		} else if k := dg14.ChipAuthenticationPublicKeys[0].PublicKey; !k.ExplicitParameters || (k.Curve != "" && k.Curve != "brainpoolP256r1") {
			t.Errorf("DG14 CA key: curve %q, explicit %v", k.Curve, k.ExplicitParameters)
		}
		if dg15, err := lds.ParseDG15(doc.Files[FIDOfDG(15)]); err != nil || dg15.PublicKey.Algorithm != "EC" || !dg15.PublicKey.ExplicitParameters {
			t.Errorf("DG15: %v", err)
		}
		ca, err := lds.ParseSecurityInfos(doc.Files[FIDCardAccess])
		if err != nil || len(ca.PACE) != 1 || len(ca.ChipAuthentication) != 1 || len(ca.TerminalAuthentication) != 1 {
			t.Errorf("EF.CardAccess: %v", err)
		}
	}
}

func TestLDSParsesPassport(t *testing.T) {
	doc, err := Issue(Options{Seed: 32, Kind: Passport, DataGroups: []int{1, 2, 11, 12, 14, 15}, Security: CCCDSecurity()})
	if err != nil {
		t.Fatal(err)
	}
	dg1, err := lds.ParseDG1(doc.Files[FIDOfDG(1)])
	if err != nil || dg1.MRZFormat != "TD3" || !dg1.CheckDigitsValid {
		t.Errorf("DG1: %v", err)
	}
}

func TestCCCDRules(t *testing.T) {
	date := func(y, m, d int) cccd.Date { return cccd.Date{Year: y, Month: m, Day: d} }
	for seed := uint64(0); seed < 300; seed++ {
		id := NewIdentity(seed)
		if doc, err := cccd.DocumentNumber(id.ID12); err != nil || doc != id.DocumentNumber() {
			t.Errorf("seed %d: document number: %v", seed, err)
		}
		if err := cccd.ValidateID12(id.ID12); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
		b, i := id.DateOfBirth, id.DateOfIssue
		want, err := cccd.Expiry(date(b.Year(), int(b.Month()), b.Day()), date(i.Year(), int(i.Month()), i.Day()))
		if err != nil {
			t.Fatal(err)
		}
		got := cccd.NoExpiry
		if e := id.DateOfExpiry; !e.IsZero() {
			got = date(e.Year(), int(e.Month()), e.Day())
		}
		if got != want {
			t.Errorf("seed %d: expiry %v, emrtd/cccd says %v", seed, got, want)
		}
	}
}
