package pace

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func parseInfos(t *testing.T, hexDER string) *lds.SecurityInfos {
	t.Helper()
	infos, err := lds.ParseSecurityInfos(unhex(t, hexDER))
	if err != nil {
		t.Fatal(err)
	}
	return infos
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		name, cardAccess string
		want             string
	}{
		// The 2021 Vietnamese CCCD (reference/cccd.md).
		{"cccd", "3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D",
			"id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (parameter ID 13)"},
		// GM and CAM with AES-256 on brainpoolP384r1, in both orders: CAM wins.
		{"cam first", "31283012060a04007f000702020402040201020201103012060a04007f00070202040604020102020110",
			"id-PACE-ECDH-CAM-AES-CBC-CMAC-256 on brainpoolP384r1 (parameter ID 16)"},
		{"cam second", "31283012060a04007f000702020406040201020201103012060a04007f00070202040204020102020110",
			"id-PACE-ECDH-CAM-AES-CBC-CMAC-256 on brainpoolP384r1 (parameter ID 16)"},
		// A German passport: GM and CAM with AES-128 on brainpoolP256r1.
		{"de", "31283012060A04007F0007020204020202010202010D3012060A04007F0007020204060202010202010D",
			"id-PACE-ECDH-CAM-AES-CBC-CMAC-128 on brainpoolP256r1 (parameter ID 13)"},
		// DH 2048 (112 bits) against ECDH P-256 (128 bits): ECDH.
		{"dh vs ecdh", "31283012060A04007F00070202040102020102020102 3012060A04007F0007020204020202010202010C",
			"id-PACE-ECDH-GM-AES-CBC-CMAC-128 on P-256 (parameter ID 12)"},
		// IM and GM on the same curve: GM.
		{"im vs gm", "31283012060A04007F0007020204040202010202010D3012060A04007F0007020204020202010202010D",
			"id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (parameter ID 13)"},
		// 3DES on P-384 (112) against AES-128 on P-256 (128): AES.
		{"3des vs aes", "31283012060A04007F0007020204020102010202010F3012060A04007F0007020204020202010202010C",
			"id-PACE-ECDH-GM-AES-CBC-CMAC-128 on P-256 (parameter ID 12)"},
		// IM on P-224 is skipped, GM on brainpoolP224r1 remains.
		{"skip p224 im", "31283012060A04007F0007020204040202010202010A3012060A04007F0007020204020202010202010B",
			"id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP224r1 (parameter ID 11)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Select(parseInfos(t, tc.cardAccess))
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != tc.want {
				t.Errorf("selected %s\nwant %s", p, tc.want)
			}
		})
	}
}

func TestSelectNothing(t *testing.T) {
	// Only TerminalAuthenticationInfo and an unknown PACE parameter ID.
	infos := parseInfos(t, "3123300D060804007F00070202020201013012060A04007F00070202040202020102020107")
	if _, err := Select(infos); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err %v", err)
	}
	if _, err := Select(nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("nil infos: %v", err)
	}
	if _, _, err := Establish(context.Background(), nil, canKey(t, "123456"), infos, nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Establish: %v", err)
	}
}

// Establish tries the next configuration when the chip refuses MSE:Set AT
// for one it lists.
func TestEstablishFallsBack(t *testing.T) {
	infos := parseInfos(t, "31283012060A04007F0007020204020402010202010D3012060A04007F0007020204020202010202010D")
	weak, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	chip, _ := NewChip(ChipConfig{Params: []Params{weak}, Keys: []access.Key{canKey(t, "123456")}})
	c := &card{chip: chip}
	s, res, err := Establish(context.Background(), nfc.NewTransport(c), canKey(t, "123456"), infos, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s == nil || res.Attempts != 2 || res.Params.Cipher != sm.AES128 {
		t.Fatalf("attempts %d, %s", res.Attempts, res.Params)
	}
	if c.log[1] != "R:6A80" || len(c.log) != 12 {
		t.Fatalf("log %v", c.log)
	}
	// A wrong password is not retried with the next configuration.
	chip2, _ := NewChip(ChipConfig{Params: []Params{weak}, Keys: []access.Key{canKey(t, "123456")}})
	c2 := &card{chip: chip2}
	if _, _, err := Establish(context.Background(), nfc.NewTransport(c2), canKey(t, "000000"), infos, nil); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("err %v", err)
	}
	if len(c2.log) != 12 {
		t.Fatalf("%d exchanges after a wrong password", len(c2.log)/2)
	}
}

// A chip that requires tag 84 refuses MSE:Set AT without it (6A87); with
// two parameter sets for one protocol the chip needs it to choose.
func TestChipParameterID(t *testing.T) {
	a, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	b, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 12)
	key := canKey(t, "123456")
	noID := apdu.Command{INS: 0x22, P1: 0xC1, P2: 0xA4, Data: unhex(t, "800A04007F00070202040202 830102")}
	chip, _ := NewChip(ChipConfig{Params: []Params{a}, Keys: []access.Key{key}, RequireParameterID: true})
	if resp, _ := chip.Respond(noID); resp.SW != apdu.SWLcInconsistentWithP1P2 {
		t.Errorf("required ID: %v", resp.SW)
	}
	chip, _ = NewChip(ChipConfig{Params: []Params{a, b}, Keys: []access.Key{key}})
	if resp, _ := chip.Respond(noID); resp.SW != apdu.SWWrongData {
		t.Errorf("ambiguous: %v", resp.SW)
	}
	for _, p := range []Params{a, b} {
		if _, _, _, err := roundTrip(t, chip, key, p, nil); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	chip, _ = NewChip(ChipConfig{Params: []Params{a}, Keys: []access.Key{key}})
	if resp, _ := chip.Respond(noID); resp.SW != apdu.SWOK {
		t.Errorf("unambiguous without ID: %v", resp.SW)
	}
}

// The chip's step order and chaining: steps out of order, a chained last
// step, an unchained first step.
func TestChipStepChecks(t *testing.T) {
	p, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	key := canKey(t, "123456")
	chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key}})
	ga := func(cla byte, data string) apdu.SW {
		resp, s := chip.Respond(apdu.Command{CLA: cla, INS: 0x86, Data: unhex(t, data), Ne: 256})
		if s != nil {
			t.Fatal("session")
		}
		return resp.SW
	}
	setAT := apdu.Command{INS: 0x22, P1: 0xC1, P2: 0xA4, Data: unhex(t, "800A04007F00070202040202 830102 84010D")}
	if chip.Accepts(apdu.Command{INS: 0x86}) {
		t.Error("GA accepted before MSE:Set AT")
	}
	chip.Respond(setAT)
	if sw := ga(0x00, "7C00"); sw != swChainingNotSupp {
		t.Errorf("unchained step 1: %v", sw)
	}
	chip.Respond(setAT)
	if sw := ga(0x10, "7C028100"); sw != apdu.SWWrongData {
		t.Errorf("mapping data at step 1: %v", sw)
	}
	chip.Respond(setAT)
	if sw := ga(0x10, "7C00"); sw != apdu.SWOK {
		t.Errorf("step 1: %v", sw)
	}
	if sw := ga(0x10, "7C038101FF"); sw != apdu.SWWrongData {
		t.Errorf("invalid mapping key: %v", sw)
	}
	if chip.Accepts(apdu.Command{INS: 0x86}) {
		t.Error("run not reset after a failed step")
	}
}

// A PACEInfo with a private parameter ID whose PACEDomainParameterInfo
// gives explicit curve parameters, and one with explicit DH parameters.
func TestExplicitDomainParameters(t *testing.T) {
	id := 32
	ecInfo := lds.PACEInfo{Info: lds.Info{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128}, Mapping: lds.MappingGM, KeyAgreement: lds.KeyAgreementECDH, ParameterID: &id}
	ecDom := lds.PACEDomainParameterInfo{KeyAgreement: lds.KeyAgreementECDH, ParameterID: &id,
		DomainParameter: lds.AlgorithmIdentifier{Algorithm: lds.OIDECPublicKey, Parameters: ec.BrainpoolP256r1().MarshalExplicitParameters()}}
	p, err := ParamsOf(ecInfo, []lds.PACEDomainParameterInfo{ecDom})
	if err != nil {
		t.Fatal(err)
	}
	if p.ParameterID != 32 || !p.Domain.Curve.SameParams(ec.BrainpoolP256r1()) {
		t.Fatalf("%s", p)
	}
	key := canKey(t, "123456")
	chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key}})
	_, _, c, err := roundTrip(t, chip, key, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(unhex(t, c.log[0][2:]), unhex(t, "830102 840120")) {
		t.Errorf("MSE:Set AT %s", c.log[0])
	}

	g := dh.RFC5114Group2048x224()
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(g.P())
		b.AddASN1BigInt(g.G())
		b.AddASN1BigInt(g.Q())
	})
	dhInfo := lds.PACEInfo{Info: lds.Info{Protocol: lds.OIDPACEDHGMAESCBCCMAC128}, Mapping: lds.MappingGM, KeyAgreement: lds.KeyAgreementDH}
	dhDom := lds.PACEDomainParameterInfo{KeyAgreement: lds.KeyAgreementDH,
		DomainParameter: lds.AlgorithmIdentifier{Algorithm: lds.OIDDHPublicNumber, Parameters: b.BytesOrPanic()}}
	p, err = ParamsOf(dhInfo, []lds.PACEDomainParameterInfo{dhDom})
	if err != nil {
		t.Fatal(err)
	}
	if p.ParameterID != NoParameterID || p.Domain.Group != g {
		t.Fatalf("%s", p)
	}
	chip, _ = NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key}})
	_, _, c, err = roundTrip(t, chip, key, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(unhex(t, c.log[0][2:]), unhex(t, "830102")) {
		t.Errorf("MSE:Set AT %s", c.log[0])
	}
}

// PACE runs only on the standardized domains of ICAO 9303-11 table 6:
// explicit parameters are accepted when equal to one, toy curves and
// groups, reserved IDs and contradicting IDs are refused with a reason,
// and Run refuses a configuration built on them before sending anything.
func TestOnlyStandardizedDomains(t *testing.T) {
	private := 32
	toyCurve, toyGroup := keyagree.ToyCurve(), keyagree.ToyGroup()
	ecInfo := func(id int) lds.PACEInfo {
		return lds.PACEInfo{Info: lds.Info{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128}, Mapping: lds.MappingGM, KeyAgreement: lds.KeyAgreementECDH, ParameterID: &id}
	}
	ecDomain := func(id int, c *ec.Curve) lds.PACEDomainParameterInfo {
		return lds.PACEDomainParameterInfo{KeyAgreement: lds.KeyAgreementECDH, ParameterID: &id,
			DomainParameter: lds.AlgorithmIdentifier{Algorithm: lds.OIDECPublicKey, Parameters: c.MarshalExplicitParameters()}}
	}
	g := toyGroup.Group
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(g.P())
		b.AddASN1BigInt(g.G())
		b.AddASN1BigInt(g.Q())
	})
	dhInfo := lds.PACEInfo{Info: lds.Info{Protocol: lds.OIDPACEDHGMAESCBCCMAC128}, Mapping: lds.MappingGM, KeyAgreement: lds.KeyAgreementDH, ParameterID: &private}
	dhDomain := lds.PACEDomainParameterInfo{KeyAgreement: lds.KeyAgreementDH, ParameterID: &private,
		DomainParameter: lds.AlgorithmIdentifier{Algorithm: lds.OIDDHPublicNumber, Parameters: b.BytesOrPanic()}}
	for name, tc := range map[string]struct {
		info    lds.PACEInfo
		domains []lds.PACEDomainParameterInfo
		reason  string
	}{
		"toy curve":         {ecInfo(private), []lds.PACEDomainParameterInfo{ecDomain(private, toyCurve.Curve)}, "explicit 16-bit curve"},
		"toy group":         {dhInfo, []lds.PACEDomainParameterInfo{dhDomain}, "64-bit MODP group"},
		"reserved ID":       {ecInfo(3), nil, "parameter ID 3"},
		"ID 13 with P-256":  {ecInfo(13), []lds.PACEDomainParameterInfo{ecDomain(13, ec.ByName("P-256"))}, "parameter ID 13 with the domain parameters of ID 12"},
		"unknown ID, no DP": {ecInfo(private), nil, "parameter ID 32"},
	} {
		_, err := ParamsOf(tc.info, tc.domains)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: %v", name, err)
		}
		_, err = Select(&lds.SecurityInfos{PACE: []lds.PACEInfo{tc.info}, PACEDomainParameters: tc.domains})
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: Select: %v", name, err)
		}
	}
	if _, err := ParamsOf(ecInfo(13), []lds.PACEDomainParameterInfo{ecDomain(13, ec.BrainpoolP256r1())}); err != nil {
		t.Errorf("ID 13 with its own explicit parameters: %v", err)
	}

	// A chip may run toy parameters (the simulator's attack); the reader
	// does not, and sends nothing.
	for _, d := range []keyagree.Domain{toyCurve, toyGroup} {
		oid := lds.OIDPACEECDHGMAESCBCCMAC128
		if d.Group != nil {
			oid = lds.OIDPACEDHGMAESCBCCMAC128
		}
		p, err := NewParamsOn(oid, private, d)
		if err != nil {
			t.Fatal(err)
		}
		key := canKey(t, "123456")
		chip, err := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key}})
		if err != nil {
			t.Fatal(err)
		}
		_, _, c, err := roundTrip(t, chip, key, p, nil)
		if !errors.Is(err, ErrUnsupported) || !errors.Is(err, keyagree.ErrNotStandard) || len(c.log) != 0 {
			t.Errorf("%s: %v after %d exchanges", d, err, len(c.log)/2)
		}
	}
}
