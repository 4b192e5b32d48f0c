package pace

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
)

// Values of ICAO 9303-11 Appendix G.1 (ECDH, brainpoolP256r1, Generic
// Mapping, AES-128).
const (
	g1Nonce    = "3F00C4D3 9D153F2B 2A214A07 8D899B22"
	g1TermMap  = "7F4EF07B 9EA82FD7 8AD689B3 8D0BC78C F21F249D 953BC46F 4C6E1925 9C010F99"
	g1TermMapP = "04 7ACF3EFC 982EC455 65A4B155 129EFBC7 4650DCBF A6362D89 6FC70262 E0C2CC5E 544552DC B6725218 799115B5 5C9BAA6D 9F6BC3A9 618E70C2 5AF71777 A9C4922D"
	g1ChipMap  = "498FF497 56F2DC15 87840041 839A8598 2BE7761D 14715FB0 91EFA7BC E9058560"
	g1ChipMapP = "04 824FBA91 C9CBE26B EF53A0EB E7342A3B F178CEA9 F45DE0B7 0AA60165 1FBA3F57 30D8C879 AAA9C9F7 3991E61B 58F4D52E B87A0A0C 709A49DC 63719363 CCD13C54"
	g1TermEph  = "A73FB703 AC1436A1 8E0CFA5A BB3F7BEC 7A070E7A 6788486B EE230C4A 22762595"
	g1TermEphP = "04 2DB7A64C 0355044E C9DF1905 14C625CB A2CEA487 54887122 F3A5EF0D 5EDD301C 3556F3B3 B186DF10 B857B58F 6A7EB80F 20BA5DC7 BE1D43D9 BF850149 FBB36462"
	g1ChipEph  = "107CF586 96EF6155 053340FD 633392BA 81909DF7 B9706F22 6F32086C 7AFF974A"
	g1ChipEphP = "04 9E880F84 2905B8B3 181F7AF7 CAA9F0EF B743847F 44A306D2 D28C1D9E C65DF6DB 7764B222 77A2EDDC 3C265A9F 018F9CB8 52E111B7 68B32690 4B59A019 3776F094"
	g1KSEnc    = "F5F0E35C 0D7161EE 6724EE51 3A0D9A7F"
	g1KSMAC    = "FE251C78 58B356B2 4514B3BD 5F4297D1"
)

// ICAO 9303-11 Appendix G.1: every intermediate value.
func TestAppendixG1Values(t *testing.T) {
	key := mrzKey(t, "T22000129", "640812", "101031")
	ref, pw := key.PACEPassword()
	if ref != 1 || !bytes.Equal(pw, unhex(t, "7E2D2A41 C74EA0B3 8CD36F86 3939BFA8 E9032AAD")) {
		t.Fatalf("K = %X", pw)
	}
	kpi := passwordKey(sm.AES128, pw)
	if !bytes.Equal(kpi, unhex(t, "89DED1B2 6624EC1E 634C1989 302849DD")) {
		t.Fatalf("Kπ = %X", kpi)
	}
	s, err := decryptNonce(sm.AES128, kpi, unhex(t, "95A3A016 522EE98D 01E76CB6 B98B42C3"))
	if err != nil || !bytes.Equal(s, unhex(t, g1Nonce)) {
		t.Fatalf("s = %X, %v", s, err)
	}
	p, err := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	if err != nil {
		t.Fatal(err)
	}
	term, err := p.Domain.GenerateKey(bytes.NewReader(unhex(t, g1TermMap)))
	if err != nil || !bytes.Equal(term.PublicKey(), unhex(t, g1TermMapP)) {
		t.Fatalf("terminal mapping key %X, %v", term.PublicKey(), err)
	}
	chipMap, _ := p.Domain.Curve.Unmarshal(unhex(t, g1ChipMapP))
	h, err := term.Private().(*ec.PrivateKey).SharedPoint(chipMap)
	wantH := "04 60332EF2 450B5D24 7EF6D386 8397D398 852ED6E8 CAF6FFEE F6BF85CA 57057FD5 0840CA74 15BAF3E4 3BD414D3 5AA4608B 93A2CAF3 A4E3EA4E 82C9C13D 03EB7181"
	if err != nil || !bytes.Equal(p.Domain.Curve.Marshal(h), unhex(t, wantH)) {
		t.Fatalf("H = %X, %v", p.Domain.Curve.Marshal(h), err)
	}
	mapped, err := term.GenericMapping(unhex(t, g1ChipMapP), s)
	if err != nil {
		t.Fatal(err)
	}
	wantG := unhex(t, "04 8CED63C9 1426D4F0 EB1435E7 CB1D74A4 6723A0AF 21C89634 F65A9AE8 7A9265E2 8C879506 743F8611 AC33645C 5B985C80 B5F09A0B 83407C1B 6A4D857A E76FE522")
	if !bytes.Equal(generator(mapped), wantG) {
		t.Fatalf("G~ = %X", generator(mapped))
	}
	eph, _ := mapped.GenerateKey(bytes.NewReader(unhex(t, g1TermEph)))
	if !bytes.Equal(eph.PublicKey(), unhex(t, g1TermEphP)) {
		t.Fatalf("terminal ephemeral key %X", eph.PublicKey())
	}
	k, err := eph.Agree(unhex(t, g1ChipEphP))
	if err != nil || !bytes.Equal(k, unhex(t, "28768D20 701247DA E81804C9 E780EDE5 82A9996D B4A31502 0B273319 7DB84925")) {
		t.Fatalf("K = %X, %v", k, err)
	}
	keys := deriveSessionKeys(sm.AES128, k)
	if !bytes.Equal(keys.enc, unhex(t, g1KSEnc)) || !bytes.Equal(keys.mac, unhex(t, g1KSMAC)) {
		t.Fatalf("KSEnc %X KSMAC %X", keys.enc, keys.mac)
	}
	tifdIn := publicKeyObject(p.Protocol, p.Domain, unhex(t, g1ChipEphP))
	if !bytes.Equal(tifdIn, unhex(t, "7F494F06 0A04007F 00070202 04020286 41049E88 0F842905 B8B3181F 7AF7CAA9 F0EFB743 847F44A3 06D2D28C 1D9EC65D F6DB7764 B22277A2 EDDC3C26 5A9F018F 9CB852E1 11B768B3 26904B59 A0193776 F094")) {
		t.Fatalf("T_IFD input %X", tifdIn)
	}
	tIFD, _ := authToken(p, keys.mac, unhex(t, g1ChipEphP))
	tIC, _ := authToken(p, keys.mac, unhex(t, g1TermEphP))
	if !bytes.Equal(tIFD, unhex(t, "C2B0BD78 D94BA866")) || !bytes.Equal(tIC, unhex(t, "3ABB9674 BCE93C08")) {
		t.Fatalf("T_IFD %X T_IC %X", tIFD, tIC)
	}
}

// ICAO 9303-11 Appendix G.1, both ends, every APDU byte for byte. The
// specification prints MSE:Set AT without the parameter ID; this reader
// always sends it (84 01 0D).
func TestAppendixG1Exchange(t *testing.T) {
	key := mrzKey(t, "T22000129", "640812", "101031")
	p, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	chip, err := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key},
		Rand: bytes.NewReader(cat(unhex(t, g1Nonce), unhex(t, g1ChipMap), unhex(t, g1ChipEph)))})
	if err != nil {
		t.Fatal(err)
	}
	session, res, c, err := roundTrip(t, chip, key, p, &Options{Rand: bytes.NewReader(cat(unhex(t, g1TermMap), unhex(t, g1TermEph)))})
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, c.log, []string{
		"C:0022C1A412 800A04007F00070202040202 830101 84010D",
		"R:9000",
		"C:10860000027C0000",
		"R:7C128010 95A3A016522EE98D01E76CB6B98B42C3 9000",
		"C:10860000457C438141" + g1TermMapP + "00",
		"R:7C438241" + g1ChipMapP + "9000",
		"C:10860000457C438341" + g1TermEphP + "00",
		"R:7C438441" + g1ChipEphP + "9000",
		"C:008600000C7C0A8508 C2B0BD78D94BA866 00",
		"R:7C0A8608 3ABB9674BCE93C08 9000",
	})
	checkSession(t, session, sm.AES128, unhex(t, g1KSEnc), unhex(t, g1KSMAC))
	checkSession(t, c.session, sm.AES128, unhex(t, g1KSEnc), unhex(t, g1KSMAC))
	if res.CAM != nil || res.CAR != nil || !bytes.Equal(res.ChipPublicKey, unhex(t, g1ChipEphP)) {
		t.Errorf("result %+v", res)
	}
}

// Values of ICAO 9303-11 Appendix G.2 (DH, 1024-bit MODP group, Generic
// Mapping, AES-128).
const (
	g2TermMapP = "23FB3749 EA030D2A 25B278D2 A562047A DE3F01B7 4F17A154 02CB7352 CA7D2B3E B71C343D B13D1DEB CE9A3666 DBCFC920 B49174A6 02CB4796 5CAA73DC 702489A4 4D41DB91 4DE9613D C5E98C94 160551C0 DF86274B 9359BC04 90D01B03 AD54022D CB4F57FA D6322497 D7A1E28D 46710F46 1AFE710F BBBC5F8B A166F431 1975EC6C"
	g2ChipMapP = "78879F57 225AA808 0D52ED0F C890A4B2 5336F699 AA89A2D3 A189654A F70729E6 23EA5738 B26381E4 DA19E004 706FACE7 B235C2DB F2F38748 312F3C98 C2DD4882 A41947B3 24AA1259 AC22579D B93F7085 655AF308 89DBB845 D9E6783F E42C9F24 49400306 254C8AE8 EE9DD812 A804C0B6 6E8CAFC1 4F84D825 8950A91B 44126EE6"
	g2TermEphP = "907D89 E2D425A1 78AA81AF 4A7774EC 8E388C11 5CAE6703 1E85EECE 520BD911 551B9AE4 D04369F2 9A02626C 86FBC674 7CC7BC35 2645B616 1A2A42D4 4EDA80A0 8FA8D61B 76D3A154 AD8A5A51 786B0BC0 71470578 71A92221 2C5F67F4 31731722 36B7747D 1671E6D6 92A3C7D4 0A0C3C5C E397545D 015C175E B5130551 EDBC2EE5 D4"
	g2ChipEphP = "075693D9 AE941877 573E634B 6E644F8E 60AF17A0 076B8B12 3D920107 4D36152B D8B3A213 F53820C4 2ADC79AB 5D0AEEC3 AEFB9139 4DA476BD 97B9B14D 0A65C1FC 71A0E019 CB08AF55 E1F72900 5FBA7E3F A5DC4189 9238A250 767A6D46 DB974064 386CD456 743585F8 E5D90CC8 B4004B1F 6D866C79 CE0584E4 9687FF61 BC29AEA1"
	g2KSEnc    = "2F7F46AD CC9E7E52 1B45D192 FAFA9126"
	g2KSMAC    = "805A1D27 D45A5116 F73C5446 9462B7D8"
)

// ICAO 9303-11 Appendix G.2, both ends, every APDU byte for byte (MSE:Set
// AT with the parameter ID 84 01 00). The chip returns its CVCA reference
// at step 4, as in the example.
func TestAppendixG2Exchange(t *testing.T) {
	key := mrzKey(t, "T22000129", "640812", "101031")
	p, err := NewParams(lds.OIDPACEDHGMAESCBCCMAC128, 0)
	if err != nil {
		t.Fatal(err)
	}
	chipRand := cat(unhex(t, "FA5B7E3E 49753A0D B9178B7B 9BD898C8"),
		unhex(t, "66DDAFEA C1609CB5 B963BB0C B3FF8B3E 047F336C"),
		unhex(t, "A5B78012 6B7C980E 9FCEA1D4 539DA1D2 7C342DFA"))
	chip, err := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key}, CAR: []byte("DETESTCVCA00003"),
		Rand: bytes.NewReader(chipRand)})
	if err != nil {
		t.Fatal(err)
	}
	readerRand := cat(unhex(t, "5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D"), unhex(t, "89CCD99B 0E8D3B1F 11E1296D CA68EC53 411CF2CA"))
	session, res, c, err := roundTrip(t, chip, key, p, &Options{Rand: bytes.NewReader(readerRand)})
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, c.log, []string{
		"C:0022C1A412 800A04007F00070202040102 830101 840100",
		"R:9000",
		"C:10860000027C0000",
		"R:7C128010 854D8DF5827FA6852D1A4FA701CDDDCA 9000",
		"C:10860000867C8183818180" + g2TermMapP + "00",
		"R:7C8183828180" + g2ChipMapP + "9000",
		"C:10860000867C8183838180" + g2TermEphP + "00",
		"R:7C8183848180" + g2ChipEphP + "9000",
		"C:008600000C7C0A8508 B46DD9BD4D98381F 00",
		"R:7C1B8608 917F37B5C0E6D8D1 870F444554455354435643413030303033 9000",
	})
	checkSession(t, session, sm.AES128, unhex(t, g2KSEnc), unhex(t, g2KSMAC))
	checkSession(t, c.session, sm.AES128, unhex(t, g2KSEnc), unhex(t, g2KSMAC))
	if string(res.CAR) != "DETESTCVCA00003" {
		t.Errorf("CAR %q", res.CAR)
	}
}

// ICAO 9303-11 Appendix G.2: the mapping and key agreement values.
func TestAppendixG2Values(t *testing.T) {
	d, _ := keyagree.StandardDomain(0)
	term, err := d.GenerateKey(bytes.NewReader(unhex(t, "5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D")))
	if err != nil || !bytes.Equal(term.PublicKey(), unhex(t, g2TermMapP)) {
		t.Fatalf("terminal mapping key %X, %v", term.PublicKey(), err)
	}
	y, _ := d.Group.Decode(unhex(t, g2ChipMapP))
	h, err := term.Private().(*dh.PrivateKey).SharedElement(y)
	wantH := "5BABEBEF 5B74E5BA 94B5C063 FDA15F1F 1CDE9487 3EE0A5D3 A2FCAB49 F258D07F 544F13CB 66658C3A FEE9E727 389BE3F6 CBBBD321 28A8C21D D6EEA3CF 7091CDDF B08B8D00 7D40318D CCA4FFBF 51208790 FB4BD111 E5A968ED 6B6F08B2 6CA87C41 0B3CE0C3 10CE104E ABD16629 AA48620C 1279270C B0750C0D 37C57FFF E302AE7F"
	if err != nil || !bytes.Equal(d.Group.Encode(h), unhex(t, wantH)) {
		t.Fatalf("H = %X, %v", d.Group.Encode(h), err)
	}
	mapped, err := term.GenericMapping(unhex(t, g2ChipMapP), unhex(t, "FA5B7E3E 49753A0D B9178B7B 9BD898C8"))
	if err != nil {
		t.Fatal(err)
	}
	wantG := "7C9CBFE9 8F9FBDDA 8D143506 FA7D9306 F4CB17E3 C71707AF F5E1C1A1 23702496 84D64EE3 7AF44B8D BD9D45BF 6023919C BAA027AB 97ACC771 666C8E98 FF483301 BFA4872D EDE9034E DFACB708 14166B7F 36067682 9B826BEA 57291B5A D69FBC84 EF1E7790 32A30580 3F743417 93E86974 2D401325 B37EE856 5FFCDEE6 18342DC5"
	if !bytes.Equal(generator(mapped), unhex(t, wantG)) {
		t.Fatalf("g~ = %X", generator(mapped))
	}
	eph, _ := mapped.GenerateKey(bytes.NewReader(unhex(t, "89CCD99B 0E8D3B1F 11E1296D CA68EC53 411CF2CA")))
	k, err := eph.Agree(unhex(t, g2ChipEphP))
	wantK := "6BABC7B3 A72BCD7E A385E4C6 2DB2625B D8613B24 149E146A 629311C4 CA6698E3 8B834B6A 9E9CD718 4BA8834A FF5043D4 36950C4C 1E783236 7C10CB8C 314D40E5 990B0DF7 013E64B4 549E2270 923D06F0 8CFF6BD3 E977DDE6 ABE4C31D 55C0FA2E 465E553E 77BDF75E 3193D383 4FC26E8E B1EE2FA1 E4FC97C1 8C3F6CFF FE2607FD"
	if err != nil || !bytes.Equal(k, unhex(t, wantK)) {
		t.Fatalf("K = %X, %v", k, err)
	}
	p, _ := NewParams(lds.OIDPACEDHGMAESCBCCMAC128, 0)
	in := publicKeyObject(p.Protocol, p.Domain, unhex(t, g2ChipEphP))
	if !bytes.Equal(in[:19], unhex(t, "7F49818F 060A0400 7F000702 02040102 848180")) || len(in) != 0x8F+4 {
		t.Fatalf("T_IFD input %X", in)
	}
}

// ICAO 9303-11 Appendix H.1: Integrated Mapping on brainpoolP256r1 with
// AES-128: the pseudo-random function and the point encoding.
func TestAppendixH1Mapping(t *testing.T) {
	s := unhex(t, "2923BE84 E16CD6AE 529049F1 F1BBE9EB")
	tt := unhex(t, "5DD4CBFC 96F5453B 130D890A 1CDBAE32")
	c := ec.BrainpoolP256r1()
	r, err := pseudoRandom(sm.AES128, s, tt, c.BitSize())
	if err != nil || !bytes.Equal(r, unhex(t, "E4447E2D FB3586BA C05DDB00 156B57FB B2179A39 49294C97 25418980 0C517BAA 8DA0FF39 7ED8C445 D3E421E4 FEB57322")) {
		t.Fatalf("R(s,t) = %X, %v", r, err)
	}
	rp := new(big.Int).Mod(new(big.Int).SetBytes(r), c.P())
	if !bytes.Equal(rp.FillBytes(make([]byte, 32)), unhex(t, "A2F8FF2D F50E52C6 599F386A DCB595D2 29F6A167 ADE2BE5F 2C3296AD D5B7430E")) {
		t.Fatalf("R_p(s,t) = %X", rp)
	}
	mapped, err := mapIntegrated(keyagree.Domain{Curve: c}, sm.AES128, s, tt)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "04 8E82D315 59ED0FDE 92A4D049 8ADD3C23 BABA94FB 77691E31 E90AEA77 FB17D427 4C1AE14B D0C3DBAC 0C871B7F 36081693 64437CA3 0AC243A0 89D3F266 C1E60FAD")
	if !bytes.Equal(generator(mapped), want) {
		t.Fatalf("G~ = %X", generator(mapped))
	}
}

// ICAO 9303-11 Appendix H.1 through the protocol: the chip (password
// "123456", which gives the example's Kπ) and the reader with the
// example's nonces and keys produce its encrypted nonce, public keys,
// tokens and session keys.
func TestAppendixH1Exchange(t *testing.T) {
	key := canKey(t, "123456")
	_, pw := key.PACEPassword()
	if !bytes.Equal(passwordKey(sm.AES128, pw), unhex(t, "591468CD A83D6521 9CCCB856 0233600F")) {
		t.Fatal("Kπ")
	}
	p, err := NewParams(lds.OIDPACEECDHIMAESCBCCMAC128, 13)
	if err != nil {
		t.Fatal(err)
	}
	chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key},
		Rand: bytes.NewReader(cat(unhex(t, "2923BE84 E16CD6AE 529049F1 F1BBE9EB"), unhex(t, "107CF586 96EF6155 053340FD 633392BA 81909DF7 B9706F22 6F32086C 7AFF974A")))})
	reader := &Options{Rand: bytes.NewReader(cat(unhex(t, "5DD4CBFC 96F5453B 130D890A 1CDBAE32"), unhex(t, "A73FB703 AC1436A1 8E0CFA5A BB3F7BEC 7A070E7A 6788486B EE230C4A 22762595")))}
	session, _, c, err := roundTrip(t, chip, key, p, reader)
	if err != nil {
		t.Fatal(err)
	}
	pkIFD := "04 89CBA23F FE96AA18 D824627C 3E934E54 A9FD0B87 A95D1471 DC1C0ABF DCD640D4 6755DE9B 7B778280 B6BEBD57 439ADFEB 0E21FD4E D6DF4257 8C13418A 59B34C37"
	pkIC := "04 67F78E5F 7F768608 2B293E8D 087E0569 16D0F74B C01A5F89 57D0DE45 691E51E8 932B69A9 62B52A09 85AD2C0A 271EE6A1 3A8ADDDC D1A3A994 B9DED257 F4D22753"
	checkLog(t, c.log, []string{
		"C:0022C1A412 800A04007F00070202040402 830102 84010D",
		"R:9000",
		"C:10860000027C0000",
		"R:7C128010 143DC40C08C8E891FBED7DEDB92B64AD 9000",
		"C:10860000147C128110 5DD4CBFC96F5453B130D890A1CDBAE32 00",
		"R:7C0282009000",
		"C:10860000457C438341" + pkIFD + "00",
		"R:7C438441" + pkIC + "9000",
		"C:008600000C7C0A8508 450F02B86F6A0909 00",
		"R:7C0A8608 75D4D96E8D5B0308 9000",
	})
	checkSession(t, session, sm.AES128, unhex(t, "0D3FEB33 251A6370 893D62AE 8DAAF51B"), unhex(t, "B01E89E3 D9E8719E 586B50B4 A7506E0B"))
	tic := publicKeyObject(p.Protocol, p.Domain, unhex(t, pkIFD))
	if !bytes.Equal(tic, unhex(t, "7F494F06 0A04007F 00070202 04040286 410489CB A23FFE96 AA18D824 627C3E93 4E54A9FD 0B87A95D 1471DC1C 0ABFDCD6 40D46755 DE9B7B77 8280B6BE BD57439A DFEB0E21 FD4ED6DF 42578C13 418A59B3 4C37")) {
		t.Errorf("T_IC input %X", tic)
	}
}

// ICAO 9303-11 Appendix H.2: Integrated Mapping on the 1024-bit MODP group
// with AES-128. The example's private keys are 1024-bit exponents (not
// reduced modulo q), so the key agreement is checked with them directly.
func TestAppendixH2(t *testing.T) {
	kpi := unhex(t, "591468CD A83D6521 9CCCB856 0233600F")
	s, err := decryptNonce(sm.AES128, kpi, unhex(t, "9ABB8864 CA0FF155 1E620D1E F4E13510"))
	if err != nil || !bytes.Equal(s, unhex(t, "FA5B7E3E 49753A0D B9178B7B 9BD898C8")) {
		t.Fatalf("s = %X, %v", s, err)
	}
	tt := unhex(t, "B3A6DB3C 870C3E99 245E0D1C 06B747DE")
	d, _ := keyagree.StandardDomain(0)
	r, err := pseudoRandom(sm.AES128, s, tt, d.Group.P().BitLen())
	wantR := "EAB98D13 E0905295 2AA72990 7C3C9461 84DEA0FE 74AD2B3A F506F0A8 3018459C 38099CD1 F7FF4EA0 A078DB1F AC136550 5E3DC855 00EF95E2 0B4EEF2E 88489233 BEE0546B 472F994B 618D1687 02406791 DEEF3CB4 810932EC 278F3533 FDB860EB 4835C36F A4F1BF3F A0B828A7 18C96BDE 88FBA38A 3E6C35AA A1095925 1EB5FC71 0FC18725 8995944C 0F926E24 9373F485"
	if err != nil || !bytes.Equal(r, unhex(t, wantR)) {
		t.Fatalf("R(s,t) = %X, %v", r, err)
	}
	rp := new(big.Int).Mod(new(big.Int).SetBytes(r), d.Group.P())
	wantRp := "A0C7C50C 002061A5 1CC87D25 4EF38068 607417B6 EE1B3647 3CFB800D 2D2E5FA2 B6980F01 105D24FA B22ACD1B FA5C8A4C 093ECDFA FE6D7125 D42A843E 33860383 5CF19AFA FF75EFE2 1DC5F6AA 1F9AE46C 25087E73 68166FB0 8C1E4627 AFED7D93 570417B7 90FF7F74 7E57F432 B04E1236 819E0DFE F5B6E77C A4999925 328182D2"
	if !bytes.Equal(d.Group.Encode(rp), unhex(t, wantRp)) {
		t.Fatalf("R_p = %X", rp)
	}
	mapped, err := mapIntegrated(d, sm.AES128, s, tt)
	wantG := "1D7D767F 11E333BC D6DBAEF4 0E799E7A 926B9697 3550656F F3C83072 6D118D61 C276CDCC 61D475CF 03A98E0C 0E79CAEB A5BE2557 8BD4551D 0B109032 36F0B0F9 76852FA7 8EEA14EA 0ACA87D1 E91F688F E0DFF897 BBE35A47 2621D343 564B262F 34223AE8 FC59B664 BFEDFA2B FE7516CA 5510A6BB B633D517 EC25D4E0 BBAA16C2"
	if err != nil || !bytes.Equal(generator(mapped), unhex(t, wantG)) {
		t.Fatalf("g~ = %X, %v", generator(mapped), err)
	}
	g := mapped.Group
	skIC := unhex(t, "020F018C 7284B047 FA7721A3 37EFB7AC B1440BB3 0C5252BD 41C97C30 C994BB78 E9F0C5B3 2744D840 17D21FFA 6878396A 6469CA28 3EF5C000 DAF7D261 A39AB886 0ED4610A B5343390 897AAB5A 7787E4FA EFA0649C 6A94FDF8 2D991E8E 3FC332F5 142729E7 040A3F7D 5A4D3CD7 5CBEE1F0 43C1CAD2 DD484FEB 4ED22B59 7D36688E")
	skIFD := unhex(t, "4BD0E547 40F9A028 E6A515BF DAF96784 8C4F5F5F FF65AA09 15947FFD 1A0DF2FA 6981271B C905F355 1457B7E0 3AC3B806 6DE4AA40 6C1171FB 43DD939C 4BA16175 103BA3DE E16419AA 248118F9 0CC36A3D 6F4C3736 52E0C3CC E7F0F1D0 C5425B36 00F0F0D6 A67F004C 8BBA33F2 B4733C72 52445C1D FC4F1107 203F71D2 EFB28161")
	// The exponents of H.2 are as long as p, outside [1, q−1] where
	// dh.PrivateKey keeps them: compute with math/big.
	exp := func(base *big.Int, e []byte) *big.Int { return new(big.Int).Exp(base, new(big.Int).SetBytes(e), g.P()) }
	pkIC := g.Encode(exp(g.G(), skIC))
	pkIFD := g.Encode(exp(g.G(), skIFD))
	wantPKIC := "928D9A0F 9DBA450F 13FC859C 6F290D1D 36E42431 138A4378 500BEB4E 0401854C FF111F71 CB6DC1D0 335807A1 1388CC8E AA87B079 07AAD9FB A6B169AF 6D8C26AF 8DDDC39A DC3AD2E3 FF882B84 D23E9768 E95A80E4 746FB07A 9767679F E92133B4 D379935C 771BD7FB ED6C7BB4 B1708B27 5EA75679 524CDC9C 6A91370C C662A2F3"
	wantPKIFD := "0F0CC629 45A80292 51FB7EF3 C094E12E C68E4EF0 7F27CB9D 9CD04C5C 4250FAE0 E4F8A951 557E929A EB48E5C6 DD47F2F5 CD7C351A 9BD2CD72 2C07EDE1 66770F08 FFCB3702 62CF308D D7B07F2E 0DA9CAAA 1492344C 85290691 9538C98A 4BA4187E 76CE9D87 832386D3 19CE2E04 3C3343AE AE6EDBA1 A9894DC5 094D22F7 FE1351D5"
	if !bytes.Equal(pkIC, unhex(t, wantPKIC)) || !bytes.Equal(pkIFD, unhex(t, wantPKIFD)) {
		t.Fatalf("PK_IC %X\nPK_IFD %X", pkIC, pkIFD)
	}
	// The shared secret is the same from both sides and gives the keys.
	y, err := g.Decode(pkIC)
	if err != nil {
		t.Fatal(err)
	}
	k := g.Encode(exp(y, skIFD))
	wantK := "419410D6 C0A17A4C 07C54872 CE1CBCEB 0A2705C1 A434C8A8 9A4CFE41 F1D78124 CA7EC52B DE7615E5 345E48AB 1ABB6E7D 1D59A57F 3174084D 3CA45703 97C1F622 28BDFDB2 DA191EA2 239E2C06 0DBE3BBC 23C2FCD0 AF12E0F9 E0B99FCF 91FF1959 011D5798 B2FCBC1F 14FCC24E 441F4C8F 9B08D977 E9498560 E63E7FFA B3134EA7"
	if !bytes.Equal(k, unhex(t, wantK)) {
		t.Fatalf("K = %X", k)
	}
	keys := deriveSessionKeys(sm.AES128, k)
	if !bytes.Equal(keys.enc, unhex(t, "01AFC10C F87BE36D 8179E873 70171F07")) || !bytes.Equal(keys.mac, unhex(t, "23F0FBD0 5FD6C7B8 B88F4C83 09669061")) {
		t.Fatalf("KSEnc %X KSMAC %X", keys.enc, keys.mac)
	}
	p, _ := NewParams(lds.OIDPACEDHIMAESCBCCMAC128, 0)
	tIC, _ := authToken(p, keys.mac, pkIFD)
	tIFD, _ := authToken(p, keys.mac, pkIC)
	if !bytes.Equal(tIC, unhex(t, "C2F04230 187E1525")) || !bytes.Equal(tIFD, unhex(t, "55D61977 CBF5307E")) {
		t.Fatalf("T_IC %X T_IFD %X", tIC, tIFD)
	}
}

// Values of ICAO 9303-11 Appendix I (Chip Authentication Mapping, ECDH,
// brainpoolP256r1, AES-128).
const (
	iNonce     = "658B860B C94DF6F0 44FCE6D5 C82CF8E5"
	iTermMap   = "5D8BB87B D74D985A 4B7D4325 B9F7B976 FE835122 77340079 8914AA22 738135CC"
	iTermMapP  = "04 7F1D410A DB7DDB3B 84BF1030 800981A9 105D7457 B4A3ADE0 02384F30 86C67EDE 1AB88910 4A27DB6D 842B0190 20FBF3CE ACB0DC62 7F7BDCAC 29969E19 D0E553C1"
	iChipMap   = "9E56A6B5 9C95D06E CE5CD10F 983BB2F4 F1943528 E577F238 81D89D8C 3BBEE0AA"
	iChipMapP  = "04 A234236A A9B9621E 8EFB73B5 245C0E09 D2576E52 77183C12 08BDD552 80CAE8B3 04F36571 3A356E65 A451E165 ECC9AC0A C46E3771 342C8FE5 AEDD0926 85338E23"
	iTermEph   = "76ECFDAA 9841C323 A3F5FC5E 88B88DB3 EFF7E35E BF57A7E6 946CB630 006C2120"
	iTermEphP  = "04 446C9340 84D9DAB8 63944F21 9520076C 29EE3F7A E6722B11 FF319EC1 C7728F95 5483400B FF60BF0C 59292700 09277DC2 A515E125 75010AD9 BA916CF1 BF86FEFC"
	iChipEph   = "CD626EF3 C256E235 FE8912CA C28279E6 26008EDA 6B3A05C4 CF862A3B DAB79E78"
	iChipEphP  = "04 02AD566F 3C6EC7F9 324509AD 50A51FA5 2030782A 4968FCFE DF737DAE A9933331 11C3B9B4 C2287789 BD137E7F 8AA882E2 A3C633CC D6ECC2C6 3C57AD40 1A09C2E1"
	iCAData    = "85DC3FA9 3D0952BF A82F5FD1 89EE75BD 82F11D1F 0B8ED4BF 5319AC9B 53C426B3"
	iEncCAData = "1EEA964D AAE372AC 990E3EFD E6333353 BFC89A67 04D93DA8 798CF77F 5B7A54BD 10CBA372 B42BE0B9 B5F28AA8 DE2F4F92"
	iPKInfo    = "30620609 04007F00 07020201 02305230 0C060704 007F0007 01020201 0D034200 04187270 9494399E 7470A643 1BE25E83 EEE24FEA 568C2ED2 8DB48E05 DB3A610D C884D256 A40E35EF CB59BF67 53D3A489 D28C7A4D 973C2DA1 38A6E7A4 A08F68E1 6F02010D"
)

// appendixICAKey recovers the chip's static key of Appendix I, which the
// example does not print: SK_IC = SK_Map,IC · CA_IC⁻¹ mod n.
func appendixICAKey(t *testing.T) *ec.PrivateKey {
	c := ec.BrainpoolP256r1()
	ca := new(big.Int).SetBytes(unhex(t, iCAData))
	sk := new(big.Int).ModInverse(ca, c.N())
	sk.Mul(sk, new(big.Int).SetBytes(unhex(t, iChipMap))).Mod(sk, c.N())
	k, err := ec.NewPrivateKey(c, sk.FillBytes(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func appendixIPublicKey(t *testing.T) *lds.PublicKey {
	der := unhex(t, iPKInfo)
	infos, err := lds.ParseSecurityInfos(cat([]byte{0x31, byte(len(der))}, der))
	if err != nil || len(infos.ChipAuthenticationPublicKeys) != 1 {
		t.Fatalf("ChipAuthenticationPublicKeyInfo: %v", err)
	}
	return infos.ChipAuthenticationPublicKeys[0].PublicKey
}

// reduced returns a brainpoolP256r1 scalar modulo the order: the chip's
// ephemeral key of Appendix I (CD626EF3…) exceeds n, which gives the same
// public key as its reduction; key generation only draws reduced scalars.
func reduced(t *testing.T, scalar string) []byte {
	d := new(big.Int).SetBytes(unhex(t, scalar))
	return d.Mod(d, ec.BrainpoolP256r1().N()).FillBytes(make([]byte, 32))
}

// ICAO 9303-11 Appendix I: PACE-CAM, both ends, every APDU byte for byte
// (MSE:Set AT with 84 01 0D), and the chip authentication check against
// the published ChipAuthenticationPublicKeyInfo.
func TestAppendixIExchange(t *testing.T) {
	key := mrzKey(t, "C11T002JM", "960812", "231031")
	_, pw := key.PACEPassword()
	if !bytes.Equal(pw, unhex(t, "894D03F1 48C6265E 89845B21 8856EA34 D00EF8E8")) || !bytes.Equal(passwordKey(sm.AES128, pw), unhex(t, "4E6F6FBF 7BE748B9 32C7B741 61BBA9DF")) {
		t.Fatal("K or Kπ")
	}
	caKey := appendixICAKey(t)
	pk := appendixIPublicKey(t)
	if !bytes.Equal(caKey.PublicKey.Bytes(), pk.Key) {
		t.Fatalf("recovered chip key does not match the published public key")
	}
	p, err := NewParams(lds.OIDPACEECDHCAMAESCBCCMAC128, 13)
	if err != nil {
		t.Fatal(err)
	}
	chip, err := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{key}, CAKey: caKey,
		Rand: bytes.NewReader(cat(unhex(t, iNonce), unhex(t, iChipMap), reduced(t, iChipEph)))})
	if err != nil {
		t.Fatal(err)
	}
	session, res, c, err := roundTrip(t, chip, key, p, &Options{Rand: bytes.NewReader(cat(unhex(t, iTermMap), unhex(t, iTermEph)))})
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, c.log, []string{
		"C:0022C1A412 800A04007F00070202040602 830101 84010D",
		"R:9000",
		"C:10860000027C0000",
		"R:7C128010 CB60E8E0D85B76A9BD304747C2AD42E2 9000",
		"C:10860000457C438141" + iTermMapP + "00",
		"R:7C438241" + iChipMapP + "9000",
		"C:10860000457C438341" + iTermEphP + "00",
		"R:7C438441" + iChipEphP + "9000",
		"C:008600000C7C0A8508 E86BD06018A1CD3B 00",
		"R:7C3C8608 8596CF055C67C1A3 8A30" + iEncCAData + "9000",
	})
	ksEnc := unhex(t, "0A9DA4DB 03BDDE39 FC5202BC 44B2E89E")
	checkSession(t, session, sm.AES128, ksEnc, unhex(t, "4B1C0649 1ED5140C A2B537D3 44C6C0B1"))
	b, _ := sm.AES128.NewBlock(ksEnc)
	if iv := camIV(b); !bytes.Equal(iv, unhex(t, "F6A3B75A 1E933941 DD7A13E2 520779DF")) {
		t.Errorf("IV = %X", iv)
	}
	if res.CAM == nil || !bytes.Equal(res.CAM.Data, unhex(t, iCAData)) || !bytes.Equal(res.CAM.MappingPublicKey, unhex(t, iChipMapP)) {
		t.Fatalf("CAM %+v", res.CAM)
	}
	if err := res.CAM.Verify(pk); err != nil {
		t.Fatalf("CAM verification: %v", err)
	}
}
