package sm

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/idagent/idagent/nfc/apdu"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func eqHex(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if w := unhex(t, want); !bytes.Equal(got, w) {
		t.Errorf("%s:\n got %X\nwant %X", what, got, w)
	}
}

// ICAO 9303-11 Appendix D.1/D.3: key derivation from K_seed and KS_seed.
func TestKDFAppendixD(t *testing.T) {
	seed := unhex(t, "239AB9CB282DAF66231DC5A4DF6BFBAE")
	eqHex(t, "KEnc", KDF(TDES, seed, CounterEnc), "AB94FDECF2674FDFB9B391F85D7F76F2")
	eqHex(t, "KMAC", KDF(TDES, seed, CounterMAC), "7962D9ECE03D1ACD4C76089DCE131543")
	ks := unhex(t, "0036D272F5C350ACAC50C3F572D23600")
	eqHex(t, "KSEnc", KDF(TDES, ks, CounterEnc), "979EC13B1CBFE9DCD01AB0FED307EAE5")
	eqHex(t, "KSMAC", KDF(TDES, ks, CounterMAC), "F1CB1F1FB5ADF208806B89DC579DC1F8")
}

// ICAO 9303-11 Appendix G.1: Kπ = KDF(SHA-1(MRZ_information), 3), AES-128.
func TestKDFPACEPassword(t *testing.T) {
	k := unhex(t, "7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
	eqHex(t, "Kπ", KDF(AES128, k, CounterPACE), "89DED1B26624EC1E634C1989302849DD")
}

func TestKDFLengths(t *testing.T) {
	for c, n := range map[Cipher]int{TDES: 16, AES128: 16, AES192: 24, AES256: 32} {
		if got := len(KDF(c, []byte("secret"), 1)); got != n {
			t.Errorf("%v: %d bytes", c, got)
		}
	}
	// AES-192/256 use SHA-256: the 24-byte key is a prefix of the 32-byte one.
	if !bytes.Equal(KDF(AES192, []byte("k"), 1), KDF(AES256, []byte("k"), 1)[:24]) {
		t.Error("AES-192 is not SHA-256 based")
	}
}

func TestAdjustParity(t *testing.T) {
	k := unhex(t, "0000FFFE0102")
	AdjustParity(k)
	eqHex(t, "parity", k, "0101FEFE0102")
}

// RFC 4493 AES-CMAC examples.
func TestCMAC(t *testing.T) {
	b, _ := aes.NewCipher(unhex(t, "2b7e151628aed2a6abf7158809cf4f3c"))
	msg := unhex(t, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "bb1d6929e95937287fa37d129b756746"},
		{16, "070a16b46b4d4144f79bdd9dd04a287c"},
		{40, "dfa66747de9ae63030ca32611497c827"},
		{64, "51f0bebf7e3b9d92fc49741779363cfe"},
	} {
		eqHex(t, "CMAC", CMAC(b, msg[:tc.n]), tc.want)
	}
}

// Appendix D.3: MIFD = MAC(KMAC, EIFD).
func TestRetailMACAppendixD(t *testing.T) {
	kmac := unhex(t, "7962D9ECE03D1ACD4C76089DCE131543")
	eifd := unhex(t, "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
	m, err := TDES.MAC(kmac, eifd)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "MIFD", m, "5F1448EEA8AD90A7")
	if _, err := RetailMAC(kmac, eifd[:5]); err == nil {
		t.Error("unpadded data accepted")
	}
}

func TestPad(t *testing.T) {
	eqHex(t, "pad", Pad(unhex(t, "0102"), 8), "0102800000000000")
	eqHex(t, "pad full", Pad(unhex(t, "0102030405060708"), 8), "01020304050607088000000000000000")
	for _, bad := range []string{"", "00", "0102", "800001"} {
		if _, err := Unpad(unhex(t, bad)); err == nil {
			t.Errorf("Unpad(%s) accepted", bad)
		}
	}
	got, err := Unpad(unhex(t, "0180800000"))
	if err != nil || !bytes.Equal(got, unhex(t, "0180")) {
		t.Errorf("Unpad %X %v", got, err)
	}
}

// appendixD returns fresh reader and chip sessions with the Appendix D.3
// session keys and SSC.
func appendixD(t *testing.T) (reader, chip *Session) {
	t.Helper()
	ksEnc := unhex(t, "979EC13B1CBFE9DCD01AB0FED307EAE5")
	ksMAC := unhex(t, "F1CB1F1FB5ADF208806B89DC579DC1F8")
	ssc := unhex(t, "887022120C06C226")
	var err error
	if reader, err = NewSession(TDES, ksEnc, ksMAC, ssc); err != nil {
		t.Fatal(err)
	}
	if chip, err = NewSession(TDES, ksEnc, ksMAC, ssc); err != nil {
		t.Fatal(err)
	}
	return reader, chip
}

// appendixDSteps is the D.4 walk-through: plain command, protected
// command, plain response data, protected response.
var appendixDSteps = []struct {
	name                 string
	plain, protected     string
	respData, protResp   string
	sscAfterCmd, sscResp string
}{
	{"SELECT EF.COM", "00A4020C02011E", "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
		"", "990290008E08FA855A5D4C50A8ED9000", "887022120C06C227", "887022120C06C228"},
	{"READ BINARY 4", "00B0000004", "0CB000000D9701048E08ED6705417E96BA5500",
		"60145F01", "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", "887022120C06C229", "887022120C06C22A"},
	{"READ BINARY 18", "00B0000412", "0CB000040D9701128E082EA28A70F3C7B53500",
		"04303130365F36063034303030305C026175",
		"871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
		"887022120C06C22B", "887022120C06C22C"},
}

// Appendix D.4, reader side: every protected C-APDU and the unwrapped
// R-APDU, byte for byte, with the SSC after each step.
func TestAppendixDReader(t *testing.T) {
	reader, _ := appendixD(t)
	for _, step := range appendixDSteps {
		cmd, err := apdu.ParseCommand(unhex(t, step.plain))
		if err != nil {
			t.Fatal(err)
		}
		prot, err := reader.WrapCommand(cmd)
		if err != nil {
			t.Fatal(err)
		}
		eqHex(t, step.name+" C-APDU", prot.MustBytes(), step.protected)
		eqHex(t, step.name+" SSC", reader.SSC(), step.sscAfterCmd)
		resp, _ := apdu.ParseResponse(unhex(t, step.protResp))
		plain, err := reader.UnwrapResponse(resp)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if plain.SW != apdu.SWOK {
			t.Errorf("%s: SW %v", step.name, plain.SW)
		}
		eqHex(t, step.name+" R data", plain.Data, step.respData)
		eqHex(t, step.name+" SSC", reader.SSC(), step.sscResp)
	}
}

// Appendix D.4, chip side: the chip unwraps the printed C-APDUs and wraps
// its answers into the printed R-APDUs.
func TestAppendixDChip(t *testing.T) {
	_, chip := appendixD(t)
	for _, step := range appendixDSteps {
		prot, err := apdu.ParseCommand(unhex(t, step.protected))
		if err != nil {
			t.Fatal(err)
		}
		cmd, err := chip.UnwrapCommand(prot)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		want, _ := apdu.ParseCommand(unhex(t, step.plain))
		if cmd.CLA != want.CLA || cmd.INS != want.INS || cmd.P1 != want.P1 || cmd.P2 != want.P2 ||
			!bytes.Equal(cmd.Data, want.Data) || cmd.Ne != want.Ne {
			t.Errorf("%s: unwrapped %v % X, want %v % X", step.name, cmd, cmd.Data, want, want.Data)
		}
		resp, err := chip.WrapResponse(apdu.Response{Data: unhex(t, step.respData), SW: apdu.SWOK})
		if err != nil {
			t.Fatal(err)
		}
		eqHex(t, step.name+" R-APDU", resp.Bytes(), step.protResp)
	}
}

// BSI TR-03110 Worked Example 8 (AES-128 command after PACE, SSC 0).
func TestAESCommandVector(t *testing.T) {
	s, err := NewSession(AES128, unhex(t, "2F7F46ADCC9E7E521B45D192FAFA9126"), unhex(t, "805A1D27D45A5116F73C54469462B7D8"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd, _ := apdu.ParseCommand(unhex(t, "002281B611830F444554455354435643413030303033"))
	prot, err := s.WrapCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "protected", prot.MustBytes(),
		"0C2281B62D872101B37BB57DA1DB37D1C49604917BD699E61D6A3074E69E4067A1B39903882336338E08F36526DE03A31A1900")
	eqHex(t, "SSC", s.SSC(), "00000000000000000000000000000001")
}
