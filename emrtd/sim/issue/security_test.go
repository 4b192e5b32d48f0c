package issue

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cccd"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim/testpki"
)

var passportGroups = []int{1, 2, 11, 12, 14, 15}

func TestCCCDSecurityIsTheRealCardAccess(t *testing.T) {
	if got := CCCDSecurity().CardAccess(); !bytes.Equal(got, CCCDCardAccess) {
		t.Errorf("CCCDSecurity encodes EF.CardAccess % X", got)
	}
}

func TestDHChipAuthentication(t *testing.T) {
	sec := Security{
		PACE: []PACEInfo{{Protocol: lds.OIDPACEDHGMAESCBCCMAC128, ParameterID: 2}},
		CA:   &ChipAuthentication{Protocol: lds.OIDCADHAESCBCCMAC128, Group: 2},
		AA:   &ActiveAuthentication{RSABits: 1024, Hash: crypto.SHA256},
	}
	doc, err := Issue(Options{Seed: 5, Kind: Passport, DataGroups: passportGroups, Security: sec})
	if err != nil {
		t.Fatal(err)
	}
	dg14, err := lds.ParseDG14(doc.Files[FIDOfDG(14)])
	if err != nil || len(dg14.ChipAuthenticationPublicKeys) != 1 || len(dg14.ActiveAuthentication) != 0 {
		t.Fatalf("DG14: %v", err)
	}
	pk := dg14.ChipAuthenticationPublicKeys[0]
	d, err := keyagree.DomainOfKey(pk.PublicKey)
	std, _ := dh.Standard(2)
	if err != nil || d.Group == nil || d.Group.P().Cmp(std.P()) != 0 {
		t.Fatalf("DG14 key's domain: %v", err)
	}
	value, err := d.PublicValue(pk.PublicKey)
	if err != nil || !bytes.Equal(value, doc.CAKey.(*dh.PrivateKey).PublicBytes()) {
		t.Errorf("DG14 key is not the chip's: %v", err)
	}
	dg15, err := lds.ParseDG15(doc.Files[FIDOfDG(15)])
	if err != nil || dg15.PublicKey.RSA == nil || dg15.PublicKey.RSA.N.Cmp(doc.AAKey.(*rsa.PrivateKey).N) != 0 || dg15.PublicKey.Bits != 1024 {
		t.Errorf("DG15 RSA key: %v", err)
	}
}

func TestCardSecurity(t *testing.T) {
	curve := ec.BrainpoolP256r1()
	sec := Security{
		PACE: []PACEInfo{
			{Protocol: lds.OIDPACEECDHCAMAESCBCCMAC128, ParameterID: 13},
			{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128, ParameterID: 13},
		},
		CA:           &ChipAuthentication{Protocol: lds.OIDCAECDHAESCBCCMAC128, Curve: curve},
		CardSecurity: true,
	}
	for _, tamper := range []Tamper{NoTamper, CAClone} {
		doc, err := Issue(Options{Seed: 6, Kind: Passport, DataGroups: []int{1, 2, 14}, Security: sec, Tamper: tamper})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := cms.Parse(doc.CardSecurity)
		if err != nil || sd.ContentType.String() != "0.4.0.127.0.7.3.2.1" || len(sd.Signers) != 1 {
			t.Fatalf("EF.CardSecurity: %v", err)
		}
		infos, err := lds.ParseSecurityInfos(sd.Content)
		if err != nil || len(infos.PACE) != 2 || len(infos.ChipAuthentication) != 1 || len(infos.ChipAuthenticationPublicKeys) != 1 {
			t.Fatalf("EF.CardSecurity content: %v", err)
		}
		published := infos.ChipAuthenticationPublicKeys[0].PublicKey.Key
		chip := doc.CAKey.(*ec.PrivateKey).PublicKey.Bytes()
		if bytes.Equal(published, chip) != (tamper == NoTamper) {
			t.Errorf("%q: EF.CardSecurity publishes the chip's key: %v", tamper, bytes.Equal(published, chip))
		}
		if !bytes.Contains(doc.Files[FIDOfDG(14)], published) {
			t.Errorf("%q: DG14 and EF.CardSecurity publish different keys", tamper)
		}
	}
}

func TestSecurityRefusals(t *testing.T) {
	for name, sec := range map[string]Security{
		"ECDSA with an unknown signature": {AA: &ActiveAuthentication{Curve: ec.ByName("P-256"), Signature: lds.OIDTA}},
		"RSA of 1536 bits":                {AA: &ActiveAuthentication{RSABits: 1536, Hash: crypto.SHA1}},
		"DH group 9":                      {CA: &ChipAuthentication{Protocol: lds.OIDCADHAESCBCCMAC128, Group: 9}},
		"EF.CardSecurity without CA":      {CardSecurity: true},
	} {
		if _, err := Issue(Options{Seed: 1, Kind: Passport, DataGroups: []int{1}, Security: sec}); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := Issue(Options{Seed: 1, Kind: Passport, DataGroups: []int{1, 15}, Tamper: AAClone}); err == nil {
		t.Error("aa-clone accepted without active authentication")
	}
}

func TestCanCuocCardDates(t *testing.T) {
	from, to := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), Epoch
	date := func(t time.Time) cccd.Date { return cccd.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()} }
	for seed := range uint64(200) {
		id := NewIdentityOf(seed, IDCard2024)
		if id.DateOfIssue.Before(from) || !id.DateOfIssue.Before(to) {
			t.Fatalf("seed %d: Căn cước card issued %v", seed, id.DateOfIssue)
		}
		want, err := cccd.Expiry(date(id.DateOfBirth), date(id.DateOfIssue))
		if err != nil {
			t.Fatal(err)
		}
		got := cccd.NoExpiry
		if !id.DateOfExpiry.IsZero() {
			got = date(id.DateOfExpiry)
		}
		if got != want {
			t.Errorf("seed %d: expiry %v, emrtd/cccd says %v", seed, got, want)
		}
	}
	if NewIdentity(3) != NewIdentityOf(3, IDCard) || NewIdentityOf(3, Passport) != NewIdentity(3) {
		t.Error("NewIdentity is not the CCCD (and passport) person")
	}
}

// TestSignedWithinSignerValidity: every document is signed (on its date of
// issue) while the valid document signer is valid.
func TestSignedWithinSignerValidity(t *testing.T) {
	signer, err := testpki.DocumentSigner(testpki.Valid)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(500) {
		for _, kind := range []Kind{IDCard, Passport, IDCard2024} {
			if at := SigningTime(kind, NewIdentityOf(seed, kind)); !signer.Cert.ValidAt(at) {
				t.Fatalf("seed %d kind %d: signed %v, outside the signer's validity", seed, kind, at)
			}
		}
	}
}

// DG14 and EF.CardSecurity hold every SecurityInfo of EF.CardAccess, byte
// for byte (ICAO 9303-11 §9.2.11), so a reader can tell a doctored
// EF.CardAccess from the chip's own.
func TestSignedFilesCarryCardAccess(t *testing.T) {
	camSecurity := Security{
		PACE: []PACEInfo{
			{Protocol: lds.OIDPACEECDHCAMAESCBCCMAC128, ParameterID: 13},
			{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128, ParameterID: 13},
		},
		CA:           &ChipAuthentication{Protocol: lds.OIDCAECDHAESCBCCMAC128, Curve: ec.BrainpoolP256r1()},
		CardSecurity: true,
	}
	for name, sec := range map[string]Security{"cccd": CCCDSecurity(), "cam": camSecurity} {
		doc, err := Issue(Options{Seed: 7, Kind: Passport, DataGroups: []int{1, 14}, Security: sec})
		if err != nil {
			t.Fatal(err)
		}
		cardAccess, err := lds.ParseSecurityInfos(doc.Files[FIDCardAccess])
		if err != nil {
			t.Fatal(err)
		}
		dg14, err := lds.ParseDG14(doc.Files[FIDOfDG(14)])
		if err != nil {
			t.Fatal(err)
		}
		signed := map[string]*lds.SecurityInfos{"DG14": dg14}
		if sec.CardSecurity {
			sd, err := cms.Parse(doc.CardSecurity)
			if err != nil {
				t.Fatal(err)
			}
			if signed["EF.CardSecurity"], err = lds.ParseSecurityInfos(sd.Content); err != nil {
				t.Fatal(err)
			}
		}
		for file, infos := range signed {
			for _, info := range cardAccess.Infos {
				if !slicesContainsRaw(infos.Infos, info.Raw) {
					t.Errorf("%s: %s lacks EF.CardAccess's %s", name, file, info.OID)
				}
			}
			for i, a := range infos.Infos {
				for _, b := range infos.Infos[i+1:] {
					if bytes.Equal(a.Raw, b.Raw) {
						t.Errorf("%s: %s lists %s twice", name, file, a.OID)
					}
				}
			}
		}
	}
}

func slicesContainsRaw(infos []lds.Info, raw []byte) bool {
	for _, i := range infos {
		if bytes.Equal(i.Raw, raw) {
			return true
		}
	}
	return false
}
