package ec

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osanderson/brainpool"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustInt(t testing.TB, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex int %q", s)
	}
	return v
}

func pt(t testing.TB, x, y string) Point { return Point{X: mustInt(t, x), Y: mustInt(t, y)} }

func TestNamedCurvesAreValid(t *testing.T) {
	for _, c := range NamedCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			if err := c.validate(); err != nil {
				t.Fatal(err)
			}
			if ByOID(c.OID()) != c {
				t.Error("ByOID does not find the curve")
			}
		})
	}
	if ByName("secp256r1") != P256() || ByName("nope") != nil {
		t.Error("ByName aliases")
	}
}

// RFC 7027 Appendix A: ECDH on brainpoolP256r1, P384r1 and P512r1.
func TestRFC7027ECDH(t *testing.T) {
	vectors := []struct {
		curve                  *Curve
		dA, xA, yA, dB, xB, yB string
		xZ                     string
	}{
		{BrainpoolP256r1(),
			"81DB1EE100150FF2EA338D708271BE38300CB54241D79950F77B063039804F1D",
			"44106E913F92BC02A1705D9953A8414DB95E1AAA49E81D9E85F929A8E3100BE5",
			"8AB4846F11CACCB73CE49CBDD120F5A900A69FD32C272223F789EF10EB089BDC",
			"55E40BC41E37E3E2AD25C3C6654511FFA8474A91A0032087593852D3E7D76BD3",
			"8D2D688C6CF93E1160AD04CC4429117DC2C41825E1E9FCA0ADDD34E6F1B39F7B",
			"990C57520812BE512641E47034832106BC7D3E8DD0E4C7F1136D7006547CEC6A",
			"89AFC39D41D3B327814B80940B042590F96556EC91E6AE7939BCE31F3A18BF2B"},
		{BrainpoolP384r1(),
			"1E20F5E048A5886F1F157C74E91BDE2B98C8B52D58E5003D57053FC4B0BD65D6F15EB5D1EE1610DF870795143627D042",
			"68B665DD91C195800650CDD363C625F4E742E8134667B767B1B476793588F885AB698C852D4A6E77A252D6380FCAF068",
			"55BC91A39C9EC01DEE36017B7D673A931236D2F1F5C83942D049E3FA20607493E0D038FF2FD30C2AB67D15C85F7FAA59",
			"032640BC6003C59260F7250C3DB58CE647F98E1260ACCE4ACDA3DD869F74E01F8BA5E0324309DB6A9831497ABAC96670",
			"4D44326F269A597A5B58BBA565DA5556ED7FD9A8A9EB76C25F46DB69D19DC8CE6AD18E404B15738B2086DF37E71D1EB4",
			"62D692136DE56CBE93BF5FA3188EF58BC8A3A0EC6C1E151A21038A42E9185329B5B275903D192F8D4E1F32FE9CC78C48",
			"0BD9D3A7EA0B3D519D09D8E48D0785FB744A6B355E6304BC51C229FBBCE239BBADF6403715C35D4FB2A5444F575D4F42"},
		{BrainpoolP512r1(),
			"16302FF0DBBB5A8D733DAB7141C1B45ACBC8715939677F6A56850A38BD87BD59B09E80279609FF333EB9D4C061231FB26F92EEB04982A5F1D1764CAD57665422",
			"0A420517E406AAC0ACDCE90FCD71487718D3B953EFD7FBEC5F7F27E28C6149999397E91E029E06457DB2D3E640668B392C2A7E737A7F0BF04436D11640FD09FD",
			"72E6882E8DB28AAD36237CD25D580DB23783961C8DC52DFA2EC138AD472A0FCEF3887CF62B623B2A87DE5C588301EA3E5FC269B373B60724F5E82A6AD147FDE7",
			"230E18E1BCC88A362FA54E4EA3902009292F7F8033624FD471B5D8ACE49D12CFABBC19963DAB8E2F1EBA00BFFB29E4D72D13F2224562F405CB80503666B25429",
			"9D45F66DE5D67E2E6DB6E93A59CE0BB48106097FF78A081DE781CDB31FCE8CCBAAEA8DD4320C4119F1E9CD437A2EAB3731FA9668AB268D871DEDA55A5473199F",
			"2FDC313095BCDD5FB3A91636F07A959C8E86B5636A1E930E8396049CB481961D365CC11453A06C719835475B12CB52FC3C383BCE35E27EF194512B71876285FA",
			"A7927098655F1F9976FA50A9D566865DC530331846381C87256BAF3226244B76D36403C024D7BBF0AA0803EAFF405D3D24F11A9B5C0BEF679FE1454B21C4CD1F"},
	}
	for _, v := range vectors {
		t.Run(v.curve.Name(), func(t *testing.T) {
			c := v.curve
			a, err := NewPrivateKey(c, mustHex(t, v.dA))
			if err != nil {
				t.Fatal(err)
			}
			b, err := NewPrivateKey(c, mustHex(t, v.dB))
			if err != nil {
				t.Fatal(err)
			}
			if !a.Point.Equal(pt(t, v.xA, v.yA)) || !b.Point.Equal(pt(t, v.xB, v.yB)) {
				t.Fatal("public keys differ from the RFC")
			}
			zA, err := a.ECDH(b.Point)
			if err != nil {
				t.Fatal(err)
			}
			zB, err := b.ECDH(a.Point)
			if err != nil {
				t.Fatal(err)
			}
			want := mustInt(t, v.xZ).FillBytes(make([]byte, c.ByteLen()))
			if !bytes.Equal(zA, want) || !bytes.Equal(zB, want) {
				t.Fatalf("shared secret %X / %X, want %X", zA, zB, want)
			}
		})
	}
}

// RFC 6932 Appendix A (brainpool IKE test vectors): private scalars and
// their public points.
func TestRFC6932BasePointMult(t *testing.T) {
	vectors := []struct {
		curve *Curve
		k, p  string
	}{
		{BrainpoolP224r1(), "7C4B7A2C8A4BAD1FBB7D79CC0955DB7C6A4660CA64CC4778159B495E",
			"04B104A67A6F6E85E14EC1825E1539E8ECDBBF584922367DD88C6BDCF246D782E7FDB5F60CD8404301AC5949C58EDB26BC68BA07695B750A94"},
		{BrainpoolP224r1(), "63976D4AAE6CD0F6DD18DEFEF55D96569D0507C03E74D6486FFA28FB",
			"042A97089A9296147B71B21A4B574E1278245B536F14D8C2B9D07A874E9B900D7C77A709A797276B8CA1BA61BB95B546FC29F862E44D59D25B"},
		{BrainpoolP256r1(), "041EB8B1E2BC681BCE8E39963B2E9FC415B05283313DD1A8BCC055F11AE49699",
			"0478028496B5ECAAB3C8B6C12E45DB1E02C9E4D26B4113BC4F015F60C5CCC0D206A2AE1762A3831C1D20F03F8D1E3C0C39AFE6F09B4D44BBE80CD100987B05F92B"},
		{BrainpoolP256r1(), "06F5240EACDB9837BC96D48274C8AA834B6C87BA9CC3EEDD81F99A16B8D804D3",
			"048E07E219BA588916C5B06AA30A2F464C2F2ACFC1610A3BE2FB240B635341F0DB148EA1D7D1E7E54B9555B6C9AC90629C18B63BEE5D7AA6949EBBF47B24FDE40D"},
		{BrainpoolP384r1(), "014EC0755B78594BA47FB0A56F6173045B4331E74BA1A6F47322E70D79D828D97E095884CA72B73FDABD5910DF0FA76A",
			"0445CB26E4384DAF6FB776885307B9A38B7AD1B5C692E0C32F0125332778F3B8D3F50CA358099B30DEB5EE69A95C058B4E8173A1C54AFFA7E781D0E1E1D12C0DC2B74F4DF58E4A4E3AF7026C5D32DC530A2CD89C859BB4B4B768497F49AB8CC859"},
		{BrainpoolP384r1(), "6B461CB79BD0EA519A87D6828815D8CE7CD9B3CAA0B5A8262CBCD550A015C90095B976F3529957506E1224A861711D54",
			"0401BF92A92EE4BE8DED1A911125C209B03F99E3161CFCC986DC7711383FC30AF9CE28CA3386D59E2C8D72CE1E7B4666E83289C4A3A4FEE035E39BDB885D509D224A142FF9FBCC5CFE5CCBB30268EE47487ED8044858D31D848F7A95C635A347AC"},
	}
	for i, v := range vectors {
		got := v.curve.Marshal(v.curve.ScalarBaseMult(mustHex(t, v.k)))
		if !bytes.Equal(got, mustHex(t, v.p)) {
			t.Errorf("vector %d (%s): got %X", i, v.curve.Name(), got)
		}
	}
}

// ICAO 9303-11 Appendix G.1: PACE Generic Mapping on brainpoolP256r1.
func TestICAOPACEGenericMapping(t *testing.T) {
	c := BrainpoolP256r1()
	termMap, _ := NewPrivateKey(c, mustHex(t, "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"))
	chipMap, _ := NewPrivateKey(c, mustHex(t, "498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560"))
	if !termMap.Point.Equal(pt(t, "7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E", "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D")) {
		t.Fatal("terminal mapping public key")
	}
	if !chipMap.Point.Equal(pt(t, "824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57", "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")) {
		t.Fatal("chip mapping public key")
	}
	h, err := termMap.SharedPoint(chipMap.Point)
	if err != nil {
		t.Fatal(err)
	}
	wantH := pt(t, "60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5", "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")
	if !h.Equal(wantH) {
		t.Fatalf("H = %X", c.Marshal(h))
	}
	s := mustHex(t, "3F00C4D39D153F2B2A214A078D899B22")
	gm := c.Add(c.ScalarBaseMult(s), h)
	wantG := pt(t, "8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2", "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")
	if !gm.Equal(wantG) {
		t.Fatalf("G~ = %X", c.Marshal(gm))
	}
	mapped, err := c.WithGenerator(gm)
	if err != nil {
		t.Fatal(err)
	}
	termEph, _ := NewPrivateKey(mapped, mustHex(t, "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"))
	chipEph, _ := NewPrivateKey(mapped, mustHex(t, "107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A"))
	if !termEph.Point.Equal(pt(t, "2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C", "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462")) {
		t.Fatal("terminal ephemeral public key")
	}
	if !chipEph.Point.Equal(pt(t, "9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB", "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094")) {
		t.Fatal("chip ephemeral public key")
	}
	k, err := termEph.ECDH(chipEph.Point)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k, mustHex(t, "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")) {
		t.Fatalf("K = %X", k)
	}
	k2, _ := chipEph.ECDH(termEph.Point)
	if !bytes.Equal(k, k2) {
		t.Fatal("ECDH is not symmetric")
	}
}

// ICAO 9303-11 Appendix H.1: the Integrated Mapping result lies on the curve.
func TestICAOIntegratedMappingPointIsOnCurve(t *testing.T) {
	g := pt(t, "8E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D427", "4C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD")
	if err := BrainpoolP256r1().Validate(g); err != nil {
		t.Fatal(err)
	}
}

// BSI TR-03110 worked example: Chip Authentication ECDH on brainpoolP256r1.
func TestBSIChipAuthenticationECDH(t *testing.T) {
	c := BrainpoolP256r1()
	chip, _ := NewPrivateKey(c, mustHex(t, "7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D"))
	term, _ := NewPrivateKey(c, mustHex(t, "A6A4D255C5BF7A77EC3D0553DB74F693CF044E18C98364D4977A296108AF19BD"))
	if !bytes.Equal(chip.Bytes(), mustHex(t, "7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D")) {
		t.Fatal("private key bytes")
	}
	if !bytes.Equal(chip.PublicKey.Bytes(), mustHex(t, "04A44EBE5451DF7AADB01E459B8C928A87746A57927C8C28A6775C97A7E1FE8D9A46FF4A1CC7E4D1389AEA19758E4F75C28C598FD734AEBEB135337CF95BE12E94")) {
		t.Fatal("chip static public key")
	}
	if !bytes.Equal(term.PublicKey.Bytes(), mustHex(t, "045A7A377FC9CAFC03AC7FF45441A8B2909D88EAB8E6B0173847AB49B949DF3799A34EE57EC55268CF8B1C3EC489F8BF4CF4C68D3FD9670E89C0D5D3FFF1AAF89F")) {
		t.Fatal("terminal ephemeral public key")
	}
	k, err := term.ECDH(chip.Point)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k, mustHex(t, "791DA04273CCFE862E52DF60347E2557192E1F8D7517822CE3D306056C1CDEB4")) {
		t.Fatalf("K = %X", k)
	}
}

// Cross-check scalar multiplication and ECDH against crypto/ecdh.
func TestNISTAgainstCryptoECDH(t *testing.T) {
	pairs := []struct {
		ours *Curve
		std  ecdh.Curve
	}{{P256(), ecdh.P256()}, {P384(), ecdh.P384()}, {P521(), ecdh.P521()}}
	for _, p := range pairs {
		t.Run(p.ours.Name(), func(t *testing.T) {
			for range 5 {
				a, _ := p.std.GenerateKey(rand.Reader)
				b, _ := p.std.GenerateKey(rand.Reader)
				ours, err := NewPrivateKey(p.ours, a.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(ours.PublicKey.Bytes(), a.PublicKey().Bytes()) {
					t.Fatal("public key differs from crypto/ecdh")
				}
				peer, err := p.ours.Unmarshal(b.PublicKey().Bytes())
				if err != nil {
					t.Fatal(err)
				}
				got, err := ours.ECDH(peer)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := a.ECDH(b.PublicKey())
				if !bytes.Equal(got, want) {
					t.Fatal("shared secret differs from crypto/ecdh")
				}
			}
		})
	}
}

// Cross-check against github.com/osanderson/brainpool (generic big.Int
// arithmetic over the twisted curves).
func TestBrainpoolAgainstReference(t *testing.T) {
	pairs := []struct {
		ours *Curve
		ref  elliptic.Curve
	}{
		{BrainpoolP192r1(), brainpool.P192r1()}, {BrainpoolP224r1(), brainpool.P224r1()},
		{BrainpoolP256r1(), brainpool.P256r1()}, {BrainpoolP320r1(), brainpool.P320r1()},
		{BrainpoolP384r1(), brainpool.P384r1()}, {BrainpoolP512r1(), brainpool.P512r1()},
	}
	for _, p := range pairs {
		t.Run(p.ours.Name(), func(t *testing.T) {
			rp := p.ref.Params()
			if rp.P.Cmp(p.ours.params.P) != 0 || rp.N.Cmp(p.ours.params.N) != 0 || rp.Gx.Cmp(p.ours.params.Gx) != 0 {
				t.Fatal("parameters differ from the reference")
			}
			for range 3 {
				k, _ := randScalar(p.ours, rand.Reader)
				q := p.ours.ScalarBaseMult(k)
				x, y := p.ref.ScalarBaseMult(k)
				if q.X.Cmp(x) != 0 || q.Y.Cmp(y) != 0 {
					t.Fatal("k·G differs")
				}
				k2, _ := randScalar(p.ours, rand.Reader)
				r := p.ours.ScalarMult(q, k2)
				x2, y2 := p.ref.ScalarMult(x, y, k2)
				if r.X.Cmp(x2) != 0 || r.Y.Cmp(y2) != 0 {
					t.Fatal("k·P differs")
				}
				sum := p.ours.Add(q, r)
				x3, y3 := p.ref.Add(x, y, x2, y2)
				if sum.X.Cmp(x3) != 0 || sum.Y.Cmp(y3) != 0 {
					t.Fatal("P+Q differs")
				}
			}
		})
	}
}

func TestPointEdgeCases(t *testing.T) {
	for _, c := range NamedCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			g := c.G()
			inf := Infinity()
			if !c.Add(g, c.Neg(g)).IsInfinity() {
				t.Error("G + (−G) is not infinity")
			}
			if !c.Add(g, g).Equal(c.Double(g)) {
				t.Error("G + G ≠ 2G")
			}
			if !c.Add(inf, g).Equal(g) || !c.Add(g, inf).Equal(g) || !c.Add(inf, inf).IsInfinity() {
				t.Error("adding infinity")
			}
			if !c.Double(inf).IsInfinity() {
				t.Error("2·∞")
			}
			if !c.ScalarBaseMult(nil).IsInfinity() || !c.ScalarBaseMult([]byte{0}).IsInfinity() {
				t.Error("0·G")
			}
			if !c.ScalarBaseMult([]byte{1}).Equal(g) {
				t.Error("1·G")
			}
			n := c.N()
			if !c.ScalarBaseMult(n.Bytes()).IsInfinity() {
				t.Error("N·G")
			}
			nm1 := new(big.Int).Sub(n, big.NewInt(1))
			if !c.ScalarBaseMult(nm1.Bytes()).Equal(c.Neg(g)) {
				t.Error("(N−1)·G ≠ −G")
			}
			np1 := new(big.Int).Add(n, big.NewInt(1))
			if !c.ScalarBaseMult(np1.Bytes()).Equal(g) {
				t.Error("(N+1)·G ≠ G")
			}
			three := c.Add(c.Double(g), g)
			if !c.ScalarBaseMult([]byte{3}).Equal(three) {
				t.Error("3·G ≠ 2G + G")
			}
			if !c.ScalarMult(inf, []byte{5}).IsInfinity() {
				t.Error("k·∞")
			}
			// Scalar with leading zero bytes gives the same result.
			if !c.ScalarBaseMult(append(make([]byte, 70), 7)).Equal(c.ScalarBaseMult([]byte{7})) {
				t.Error("zero-padded scalar")
			}
		})
	}
}

func TestEncoding(t *testing.T) {
	for _, c := range NamedCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			k, _ := GenerateKey(c, rand.Reader)
			p := k.Point
			for _, enc := range [][]byte{c.Marshal(p), c.MarshalCompressed(p), c.MarshalCompressed(c.Neg(p))} {
				q, err := c.Unmarshal(enc)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(c.Marshal(q), c.Marshal(q)) || (enc[0] != 4 && q.Y.Bit(0) != uint(enc[0]&1)) {
					t.Fatal("round trip")
				}
			}
			if q, _ := c.Unmarshal(c.MarshalCompressed(p)); !q.Equal(p) {
				t.Fatal("compressed round trip")
			}
			bad := c.Marshal(p)
			bad[len(bad)-1] ^= 1
			if _, err := c.Unmarshal(bad); err == nil {
				t.Error("point off the curve accepted")
			}
			for _, b := range [][]byte{nil, {0}, {4}, c.Marshal(p)[:10], append(c.Marshal(p), 0)} {
				if _, err := c.Unmarshal(b); err == nil {
					t.Errorf("encoding %X accepted", b)
				}
			}
			// x = p is out of range even though it reduces to 0.
			big := append([]byte{4}, c.P().FillBytes(make([]byte, c.ByteLen()))...)
			big = append(big, make([]byte, c.ByteLen())...)
			if _, err := c.Unmarshal(big); err == nil {
				t.Error("coordinate ≥ p accepted")
			}
		})
	}
}

// RFC 6979 Appendix A.2.5–A.2.7 (SHA-256 rows): deterministic signatures.
func TestRFC6979Signatures(t *testing.T) {
	vectors := []struct {
		curve    *Curve
		key, msg string
		r, s     string
	}{
		{P256(), "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", "sample",
			"EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
			"F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
		{P256(), "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", "test",
			"F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
			"019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
		{P384(), "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5", "sample",
			"21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
			"F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0"},
		{P521(), "0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538", "sample",
			"1511BB4D675114FE266FC4372B87682BAECC01D3CC62CF2303C92B3526012659D16876E25C7C1E57648F23B73564D67F61C6F14D527D54972810421E7D87589E1A7",
			"04A171143A83163D6DF460AAF61522695F207A58B95C0644D87E52AA1A347916E4F7A72930B1BC06DBE22CE3F58264AFD23704CBB63B29B931F7DE6C9D949A7ECFC"},
	}
	for _, v := range vectors {
		key, err := NewPrivateKey(v.curve, mustInt(t, v.key).Bytes())
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256([]byte(v.msg))
		r, s, err := Sign(nil, key, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if r.Cmp(mustInt(t, v.r)) != 0 || s.Cmp(mustInt(t, v.s)) != 0 {
			t.Errorf("%s %q: r=%X s=%X", v.curve.Name(), v.msg, r, s)
		}
		if !Verify(&key.PublicKey, digest[:], r, s) {
			t.Errorf("%s %q: own signature does not verify", v.curve.Name(), v.msg)
		}
	}
}

// Signatures from crypto/ecdsa verify here and ours verify there.
func TestECDSAAgainstCryptoECDSA(t *testing.T) {
	for _, c := range []*Curve{P224(), P256(), P384(), P521()} {
		t.Run(c.Name(), func(t *testing.T) {
			std := map[string]elliptic.Curve{"P-224": elliptic.P224(), "P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[c.Name()]
			sk, _ := ecdsa.GenerateKey(std, rand.Reader)
			raw, _ := sk.Bytes()
			_ = raw
			pub, err := ParsePublicKey(c, elliptic.Marshal(std, sk.X, sk.Y)) //nolint:staticcheck // test interop
			if err != nil {
				t.Fatal(err)
			}
			digest := sha512.Sum512([]byte("interop"))
			sig, _ := ecdsa.SignASN1(rand.Reader, sk, digest[:])
			if !VerifyASN1(pub, digest[:], sig) {
				t.Fatal("crypto/ecdsa signature rejected")
			}
			digest[0] ^= 1
			if VerifyASN1(pub, digest[:], sig) {
				t.Fatal("signature over another digest accepted")
			}
			ours, _ := NewPrivateKey(c, sk.D.Bytes())
			sig2, err := SignASN1(rand.Reader, ours, digest[:])
			if err != nil {
				t.Fatal(err)
			}
			if !ecdsa.VerifyASN1(&sk.PublicKey, digest[:], sig2) {
				t.Fatal("our signature rejected by crypto/ecdsa")
			}
		})
	}
}

func TestECDSABrainpoolRoundTrip(t *testing.T) {
	for _, c := range NamedCurves() {
		k, _ := GenerateKey(c, rand.Reader)
		digest := sha512.Sum512([]byte(c.Name()))
		sig, err := SignPlain(nil, k, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if !VerifyPlain(&k.PublicKey, digest[:], sig) {
			t.Errorf("%s: plain signature rejected", c.Name())
		}
		again, _ := SignPlain(nil, k, digest[:])
		if !bytes.Equal(sig, again) {
			t.Errorf("%s: deterministic signing differs", c.Name())
		}
		sig[len(sig)-1] ^= 1
		if VerifyPlain(&k.PublicKey, digest[:], sig) {
			t.Errorf("%s: corrupted signature accepted", c.Name())
		}
		// r = 0, s = 0, r = N are rejected.
		n := c.N()
		for _, rs := range [][2]*big.Int{{big.NewInt(0), big.NewInt(1)}, {big.NewInt(1), big.NewInt(0)}, {n, big.NewInt(1)}} {
			if Verify(&k.PublicKey, digest[:], rs[0], rs[1]) {
				t.Errorf("%s: out-of-range signature accepted", c.Name())
			}
		}
	}
}

func TestExplicitParameters(t *testing.T) {
	files, _ := filepath.Glob("testdata/explicit-*.der")
	if len(files) != 11 {
		t.Fatalf("%d explicit parameter files", len(files))
	}
	names := map[string]string{"prime192v1": "P-192", "secp224r1": "P-224", "prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
	for _, f := range files {
		der, _ := os.ReadFile(f)
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "explicit-"), ".der")
		if n, ok := names[name]; ok {
			name = n
		}
		c, err := ParseParameters(der)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Name() != name {
			t.Errorf("%s matched %q", f, c.Name())
		}
		// Our own explicit encoding matches the same curve again.
		again, err := ParseExplicitParameters(c.MarshalExplicitParameters())
		if err != nil || again != c {
			t.Errorf("%s: re-encoded parameters: %v", f, err)
		}
		named, err := ParseParameters(c.MarshalParameters())
		if err != nil || named != c {
			t.Errorf("%s: named parameters: %v", f, err)
		}
	}
}

func TestUnnamedCurve(t *testing.T) {
	bp := BrainpoolP256r1()
	g2 := bp.ScalarBaseMult([]byte{2})
	c, err := bp.WithGenerator(g2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "" || MatchNamed(c) != nil {
		t.Fatal("a curve with another generator matched a named curve")
	}
	// Explicit parameters of an unnamed curve are validated and usable.
	der := c.MarshalExplicitParameters()
	parsed, err := ParseParameters(der)
	if err != nil {
		t.Fatal(err)
	}
	if !parsed.SameParams(c) || parsed.Name() != "" {
		t.Fatal("unnamed curve round trip")
	}
	k, _ := GenerateKey(parsed, rand.Reader)
	digest := sha256.Sum256([]byte("x"))
	sig, _ := SignASN1(rand.Reader, k, digest[:])
	if !VerifyASN1(&k.PublicKey, digest[:], sig) {
		t.Fatal("signature on an unnamed curve")
	}
	// Compressed base point in explicit parameters.
	p := c.Params()
	if _, err := NewCurve(p); err != nil {
		t.Fatal(err)
	}
}

func TestNewCurveRejects(t *testing.T) {
	good := BrainpoolP256r1().Params()
	mutate := map[string]func(p *Params){
		"G off curve":   func(p *Params) { p.Gy.Add(p.Gy, big.NewInt(1)) },
		"wrong order":   func(p *Params) { p.N.Add(p.N, big.NewInt(2)) },
		"composite p":   func(p *Params) { p.P.Add(p.P, big.NewInt(2)) },
		"singular":      func(p *Params) { p.A.SetInt64(0); p.B.SetInt64(0) },
		"zero cofactor": func(p *Params) { p.H.SetInt64(0) },
		"huge cofactor": func(p *Params) { p.H.SetInt64(4) },
		"even p":        func(p *Params) { p.P.SetInt64(1 << 20) },
		"a ≥ p":         func(p *Params) { p.A.Add(p.P, big.NewInt(1)) },
		"nil":           func(p *Params) { p.B = nil },
	}
	for name, m := range mutate {
		p := BrainpoolP256r1().Params()
		m(&p)
		if _, err := NewCurve(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewCurve(good); err != nil {
		t.Fatalf("good parameters rejected: %v", err)
	}
}

func TestParseParametersRejects(t *testing.T) {
	der, _ := os.ReadFile("testdata/explicit-brainpoolP256r1.der")
	cases := map[string][]byte{
		"empty":        nil,
		"null":         {0x05, 0x00},
		"unknown oid":  {0x06, 0x03, 0x2A, 0x03, 0x04},
		"truncated":    der[:len(der)-5],
		"trailing":     append(append([]byte{}, der...), 0),
		"binary field": bytes.Replace(der, []byte{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01}, []byte{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x02}, 1),
	}
	for name, b := range cases {
		if _, err := ParseParameters(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestECDHRejectsInvalidPeer(t *testing.T) {
	c := BrainpoolP256r1()
	k, _ := GenerateKey(c, rand.Reader)
	if _, err := k.ECDH(Infinity()); err == nil {
		t.Error("infinity accepted")
	}
	bad := k.Point
	bad = Point{X: bad.X, Y: new(big.Int).Add(bad.Y, big.NewInt(1))}
	if _, err := k.ECDH(bad); err == nil {
		t.Error("off-curve point accepted")
	}
	if _, err := NewPrivateKey(c, c.N().Bytes()); err == nil {
		t.Error("private key N accepted")
	}
	if _, err := NewPrivateKey(c, nil); err == nil {
		t.Error("private key 0 accepted")
	}
}

func BenchmarkScalarMult(b *testing.B) {
	for _, c := range []*Curve{BrainpoolP256r1(), BrainpoolP384r1(), BrainpoolP512r1(), P256(), P521()} {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			s, _ := randScalar(c, rand.Reader)
			b.ResetTimer()
			for range b.N {
				c.ScalarMult(k.Point, s)
			}
		})
	}
}

func BenchmarkECDSAVerify(b *testing.B) {
	for _, c := range []*Curve{BrainpoolP256r1(), BrainpoolP512r1()} {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := sha512.Sum512([]byte("bench"))
			r, s, _ := Sign(nil, k, digest[:])
			b.ResetTimer()
			for range b.N {
				if !Verify(&k.PublicKey, digest[:], r, s) {
					b.Fatal("verify")
				}
			}
		})
	}
}

func BenchmarkFieldMul(b *testing.B) {
	for _, c := range []*Curve{BrainpoolP256r1(), BrainpoolP512r1()} {
		b.Run(c.Name(), func(b *testing.B) {
			x, y := c.g.x, c.g.y
			for range b.N {
				c.f.mul(&x, &x, &y)
			}
		})
	}
}
