package activeauth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A real passport's Active Authentication (RSA 1792 bits, SHA-256, trailer
// 34CC) under 3DES secure messaging, as recorded in gmrtd's
// activeauth/active_auth_test.go: the reader's protected command must be
// the recorded one byte for byte, and the chip's signature must verify.
const (
	realDG15      = "6F8201023081FF300D06092A864886F70D01010105000381ED003081E90281E100BB8F93F4DC95E205CDA17C6927AB1E365B13065D03CD12E0FCE95D96840529453202F56CC4C13F77CD062930C8BC89A2873B257045C286E601CF3C09323A53103314902804AA10A314628CE222206A8866946A36B442041BB54AC81E6855DD1D6E16101833D65A191C20AC8B33B8A1A32920F46043F8031CF2BC17417030865FC5BE5A39DEE423BCBA3CA8177168EB23CFE01BA43EC87711B1CFFF85DB46F300DD8AE317B50D543B573E119E23AF7070D0B2FED6A3B2313A5EC02A531AAED1741F4390D1013E2A0F081EAC5DC8B0A1B2C6BDB1206F08D30E3643E1E5BDF536110203010001"
	realChallenge = "96302b0f3d7e7864"
	realCommand   = "0c88000020871101ed7f8cb47a4eea086324a7f9dd7427809701008e0897f54bae49aa71f800"
	realResponse  = "8781e901d04ca80f527df94f4a430d3d6e6cb6c2af4c6756c068a93132d147fa27833125304132981b8bd8009448e89f259eec8552b54285cef9d8f1b7fb31b9f279221c7e925f4951811f3fe2e01d76e68dbc7cde9c873c5f61862f3c5469792a72f92c8943b890436f5e9feaead9f2a361fcd7a615493d1b3519865f32ee9a125886588eb21fee0e709353d0731139fdc958d6b2127fad6947b438998b526819803f70f78614cd42f4a6619c6af95dfd2ab09bedf71e707abc39a250aee68006d522ad37d159674984a07d11c001022c853aeb7acdb059ede5721a3b9f20441bda7e242ee8df1369d25316990290008e08fd2493147866f0ed9000"
	realSignature = "474256306840c0ab1b63c10e1c26bdfef4a0dd843920283cc4e6e70a60f2bd25dc7725f9677bc1cde66379dc28b38e8490f33afb2d10f9980c44c0bfc175d2b6684218f535c92fdd3e18db770a9ccbf91db3c7f0138e6d9e94b9bc8371761e3abed5e5e9b260279cfb238b58ae0d6a01da51c74c2a3ecd62c448bd9f20127f7384587287fa971204234e55b1a856c3e5aaaa620bb799a68fbae08ee132bb61683eba9b0b40dc1e54641cad975b16991cab50af82e3f3985afd19e7427a125f5b4b9878b12a5d2e01c7eedca3bb41c6fc05dccd818bce379d04b1f2f5d43487d3"
)

// replay answers the recorded command with the recorded response.
type replay struct {
	t            *testing.T
	command, out []byte
}

func (r *replay) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	if !bytes.Equal(raw, r.command) {
		r.t.Errorf("command\n got %X\nwant %X", raw, r.command)
	}
	return r.out, nil
}

func TestRealPassportRSA(t *testing.T) {
	dg15, err := lds.ParseDG15(unhex(t, realDG15))
	if err != nil {
		t.Fatal(err)
	}
	session, err := sm.NewSession(sm.TDES, unhex(t, "b99d546108eaa251570876b6d3456dce"), unhex(t, "e3857ca24946251c151c540e13f2cd51"), unhex(t, "00000000000000cc"))
	if err != nil {
		t.Fatal(err)
	}
	card := &replay{t: t, command: unhex(t, realCommand), out: unhex(t, realResponse)}
	ch := sm.NewChannel(nfc.NewTransport(card), session)
	res, err := Verify(context.Background(), ch, dg15.PublicKey, nil, unhex(t, realChallenge), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified || res.Hash != crypto.SHA256 || res.Algorithm != RSA9796 || !bytes.Equal(res.Signature, unhex(t, realSignature)) ||
		!bytes.Equal(res.PublicKey, dg15.PublicKey.SPKI) || !bytes.Equal(res.Challenge, unhex(t, realChallenge)) {
		t.Fatalf("result %+v", res)
	}
	if !bytes.Equal(session.SSC(), unhex(t, "00000000000000ce")) {
		t.Errorf("SSC %X", session.SSC())
	}
	// Offline, a flipped bit or another challenge fails.
	sig := unhex(t, realSignature)
	sig[100] ^= 1
	if res, err := VerifySignature(dg15.PublicKey, nil, unhex(t, realChallenge), sig); !errors.Is(err, ErrFailed) || res == nil || res.Verified {
		t.Fatalf("corrupted: %v", err)
	}
	if _, err := VerifySignature(dg15.PublicKey, nil, unhex(t, "0000000000000000"), unhex(t, realSignature)); !errors.Is(err, ErrFailed) {
		t.Fatalf("other challenge: %v", err)
	}
}

// Message representatives with each trailer (M1 = 1234…3344, challenge
// 0102030405060708): the recovered part and the hash.
func TestRepresentatives(t *testing.T) {
	m1 := unhex(t, "1234567890ABCDEF1234567890ABCDEF11223344")
	challenge := unhex(t, "0102030405060708")
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		for _, explicit := range []bool{false, true} {
			if explicit == false && h != crypto.SHA1 {
				continue
			}
			d := h.New()
			d.Write(m1)
			d.Write(challenge)
			rep := append(append([]byte{0x6A}, m1...), d.Sum(nil)...)
			if explicit {
				id, _ := trailerID(h)
				rep = append(rep, id, 0xCC)
			} else {
				rep = append(rep, 0xBC)
			}
			r, err := openRepresentative(rep, challenge)
			if err != nil || r.hash != h || !bytes.Equal(r.m1, m1) {
				t.Errorf("%v explicit=%v: %v %v", h, explicit, r.hash, err)
			}
			bad := bytes.Clone(rep)
			bad[len(bad)/2] ^= 0x10
			if _, err := openRepresentative(bad, challenge); err == nil {
				t.Errorf("%v: corrupted representative accepted", h)
			}
		}
	}
	for _, bad := range []string{"", "6B000000", "6A000000", "6A0000CC", "6AB287952A913CC5B60FF74ECFC87E40E81563B1BC", "4A" + strings.Repeat("00", 20) + "BC"} {
		if _, err := openRepresentative(unhex(t, bad), challenge); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// card is a chip that answers INTERNAL AUTHENTICATE; it can refuse
// extended length (like a reader that cannot pass it) or short length.
type card struct {
	chip       *Chip
	noExtended bool
	noShort    bool
	log        []string
}

func (c *card) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return []byte{0x67, 0x00}, nil
	}
	c.log = append(c.log, fmt.Sprintf("%X", raw[:4]))
	if cmd.ForceExtended && c.noExtended {
		return nil, fmt.Errorf("reader: %w", nfc.ErrAPDUTooLong)
	}
	if !cmd.ForceExtended && c.noShort {
		return []byte{0x67, 0x00}, nil
	}
	if !c.chip.Accepts(cmd) {
		return []byte{0x6D, 0x00}, nil
	}
	return c.chip.Respond(cmd).Bytes(), nil
}

// rsaKey loads a committed test key (testdata/rsa-BITS.pem).
func rsaKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("testdata/rsa-%d.pem", bits))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("rsa-%d.pem: no PEM block", bits)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key := k.(*rsa.PrivateKey)
	key.Precompute()
	return key
}

// rsaDG15 is the DG15 key of an RSA key.
func rsaDG15(t testing.TB, k *rsa.PublicKey) *lds.PublicKey {
	var key cryptobyte.Builder
	key.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(k.N)
		b.AddASN1Int64(int64(k.E))
	})
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(lds.OIDRSAEncryption)
			b.AddASN1NULL()
		})
		b.AddASN1BitString(key.BytesOrPanic())
	})
	pk, err := lds.ParseSubjectPublicKeyInfo(b.BytesOrPanic())
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// ecDG15 is the DG15 key of an EC key; explicit gives the curve by its
// parameters.
func ecDG15(t testing.TB, k *ec.PublicKey, explicit bool) *lds.PublicKey {
	params := k.Curve.MarshalParameters()
	if explicit {
		params = k.Curve.MarshalExplicitParameters()
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(lds.OIDECPublicKey)
			b.AddBytes(params)
		})
		b.AddASN1BitString(k.Bytes())
	})
	pk, err := lds.ParseSubjectPublicKeyInfo(b.BytesOrPanic())
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

func aaInfo(h crypto.Hash) *lds.ActiveAuthenticationInfo {
	if h == 0 {
		return nil
	}
	return &lds.ActiveAuthenticationInfo{Version: 1, Hash: h, Plain: true}
}

// Round trips: RSA 1024–3072 with every trailer (3072 needs extended
// length), ECDSA on brainpool and NIST curves with and without DG14's
// hash, named and explicit parameters.
func TestRoundTrips(t *testing.T) {
	type tc struct {
		name     string
		priv     any
		pub      *lds.PublicKey
		chipHash crypto.Hash
		info     crypto.Hash
		explicit bool
	}
	var cases []tc
	for _, bits := range []int{1024, 1536, 2048, 3072} {
		k := rsaKey(t, bits)
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			cases = append(cases, tc{name: fmt.Sprintf("RSA-%d/%v", bits, h), priv: k, pub: rsaDG15(t, &k.PublicKey), chipHash: h})
		}
		cases = append(cases, tc{name: fmt.Sprintf("RSA-%d/SHA-1 33CC", bits), priv: k, pub: rsaDG15(t, &k.PublicKey), chipHash: crypto.SHA1, explicit: true})
	}
	for _, c := range []*ec.Curve{ec.BrainpoolP256r1(), ec.BrainpoolP384r1(), ec.BrainpoolP512r1(), ec.P224(), ec.P256(), ec.P384(), ec.P521()} {
		k, _ := ec.GenerateKey(c, rand.Reader)
		def := defaultHash(c)
		cases = append(cases,
			tc{name: c.Name() + "/info", priv: k, pub: ecDG15(t, &k.PublicKey, false), chipHash: crypto.SHA256, info: crypto.SHA256},
			tc{name: c.Name() + "/default", priv: k, pub: ecDG15(t, &k.PublicKey, true), chipHash: def})
		if def != crypto.SHA224 {
			// Undeclared and shorter than the key: the Portuguese ID
			// card's P-384 key signs with SHA-256.
			cases = append(cases, tc{name: c.Name() + "/undeclared", priv: k, pub: ecDG15(t, &k.PublicKey, false), chipHash: crypto.SHA224})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chip, err := NewChip(ChipConfig{Key: c.priv, Hash: c.chipHash, ExplicitSHA1Trailer: c.explicit})
			if err != nil {
				t.Fatal(err)
			}
			challenge := []byte("RND.IFD!")
			res, err := Verify(context.Background(), nfc.NewTransport(&card{chip: chip}), c.pub, aaInfo(c.info), challenge, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Verified || res.Hash != c.chipHash || string(res.Challenge) != "RND.IFD!" {
				t.Fatalf("result %+v", res)
			}
			if _, err := VerifySignature(c.pub, aaInfo(c.info), challenge, res.Signature); err != nil {
				t.Fatalf("offline: %v", err)
			}
		})
	}
}

// Without DG14's ActiveAuthenticationInfo, the verifier tries the SHA-2
// hashes not longer than the key, never SHA-1 (ICAO 9303-11 §6.1.2.3) nor
// a hash longer than the key; a hash DG14 declares is the only one tried,
// SHA-1 included (signed data says so).
func TestECDSAHashList(t *testing.T) {
	k, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	pub := ecDG15(t, &k.PublicKey, false)
	for _, c := range []struct {
		chip, declared crypto.Hash
		ok             bool
	}{
		{crypto.SHA256, 0, true}, {crypto.SHA224, 0, true},
		{crypto.SHA1, 0, false}, {crypto.SHA384, 0, false}, {crypto.SHA512, 0, false},
		{crypto.SHA1, crypto.SHA1, true}, {crypto.SHA512, crypto.SHA512, true},
		{crypto.SHA224, crypto.SHA256, false}, // declared SHA-256: no second try
	} {
		chip, err := NewChip(ChipConfig{Key: k, Hash: c.chip})
		if err != nil {
			t.Fatal(err)
		}
		challenge := []byte("RND.IFD!")
		sig, err := chip.sign(challenge)
		if err != nil {
			t.Fatal(err)
		}
		res, err := VerifySignature(pub, aaInfo(c.declared), challenge, sig)
		if (err == nil) != c.ok || (c.ok && res.Hash != c.chip) {
			t.Errorf("chip %v, declared %v: %v (hash %v), want ok=%v", c.chip, c.declared, err, res.Hash, c.ok)
		}
	}
}

// A chip whose key is not DG15's (a clone) fails; so do a corrupted
// signature, a truncated one and a wrong challenge. The result is
// returned with the failure.
func TestFailures(t *testing.T) {
	genuineEC, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	cloneEC, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	genuineRSA, cloneRSA := rsaKey(t, 1024), rsaKey(t, 1536)
	for _, c := range []struct {
		name  string
		clone any
		pub   *lds.PublicKey
	}{
		{"ECDSA", cloneEC, ecDG15(t, &genuineEC.PublicKey, false)},
		{"RSA", cloneRSA, rsaDG15(t, &genuineRSA.PublicKey)},
	} {
		chip, _ := NewChip(ChipConfig{Key: c.clone})
		res, err := Verify(context.Background(), nfc.NewTransport(&card{chip: chip}), c.pub, nil, nil, nil)
		if !errors.Is(err, ErrFailed) || res == nil || res.Verified || len(res.Challenge) != 8 {
			t.Errorf("%s clone: %v", c.name, err)
		}
	}
	chip, _ := NewChip(ChipConfig{Key: genuineEC})
	res, err := Verify(context.Background(), nfc.NewTransport(&card{chip: chip}), ecDG15(t, &genuineEC.PublicKey, false), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := ecDG15(t, &genuineEC.PublicKey, false)
	for i := range res.Signature {
		bad := bytes.Clone(res.Signature)
		bad[i] ^= 0x01
		if _, err := VerifySignature(pub, nil, res.Challenge, bad); !errors.Is(err, ErrFailed) {
			t.Fatalf("bit flip at %d accepted", i)
		}
	}
	if _, err := VerifySignature(pub, nil, res.Challenge, res.Signature[:40]); !errors.Is(err, ErrFailed) {
		t.Fatal("truncated signature accepted")
	}
	if _, err := VerifySignature(pub, aaInfo(crypto.SHA384), res.Challenge, res.Signature); !errors.Is(err, ErrFailed) {
		t.Fatal("signature accepted with a hash DG14 does not name")
	}
}

// DER-encoded ECDSA signatures (some national ID cards) verify too.
func TestECDSADER(t *testing.T) {
	k, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	d := crypto.SHA256.New()
	d.Write([]byte("12345678"))
	sig, err := ec.SignASN1(rand.Reader, k, d.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifySignature(ecDG15(t, &k.PublicKey, false), nil, []byte("12345678"), sig); err != nil {
		t.Fatal(err)
	}
}

// Extended length: a 3072-bit signature is asked for with extended length;
// a reader that cannot pass it makes Verify retry with Le 00, a chip that
// wants extended length for a 2048-bit one makes it retry extended.
func TestExtendedLength(t *testing.T) {
	k := rsaKey(t, 3072)
	chip, _ := NewChip(ChipConfig{Key: k, Hash: crypto.SHA256})
	c := &card{chip: chip}
	if _, err := Verify(context.Background(), nfc.NewTransport(c), rsaDG15(t, &k.PublicKey), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(c.log) != 1 {
		t.Fatalf("exchanges %v", c.log)
	}
	// The reader cannot pass extended length: the short retry reaches a
	// chip that cannot answer 384 bytes in short length: a protocol error.
	c = &card{chip: chip, noExtended: true}
	_, err := Verify(context.Background(), nfc.NewTransport(c), rsaDG15(t, &k.PublicKey), nil, nil, nil)
	if !errors.Is(err, ErrProtocol) || len(c.log) != 2 {
		t.Fatalf("no extended: %v, %v", err, c.log)
	}
	k2 := rsaKey(t, 2048)
	chip2, _ := NewChip(ChipConfig{Key: k2})
	c = &card{chip: chip2, noExtended: true}
	if _, err := Verify(context.Background(), nfc.NewTransport(c), rsaDG15(t, &k2.PublicKey), nil, nil, nil); err != nil || len(c.log) != 2 {
		t.Fatalf("2048 without extended: %v, %v", err, c.log)
	}
	k3 := rsaKey(t, 1536)
	chip3, _ := NewChip(ChipConfig{Key: k3})
	c = &card{chip: chip3, noShort: true}
	if _, err := Verify(context.Background(), nfc.NewTransport(c), rsaDG15(t, &k3.PublicKey), nil, nil, nil); err != nil || len(c.log) != 2 {
		t.Fatalf("1536 with extended only: %v, %v", err, c.log)
	}
}

// Under AES secure messaging a 2048-bit signature travels in an extended
// protected answer.
func TestUnderSecureMessaging(t *testing.T) {
	k := rsaKey(t, 2048)
	chip, _ := NewChip(ChipConfig{Key: k, Hash: crypto.SHA256})
	enc, mac := make([]byte, 16), make([]byte, 16)
	rand.Read(enc)
	rand.Read(mac)
	reader, _ := sm.NewSession(sm.AES128, enc, mac, nil)
	chipSide, _ := sm.NewSession(sm.AES128, enc, mac, nil)
	c := &smCard{chip: chip, session: chipSide}
	res, err := Verify(context.Background(), sm.NewChannel(nfc.NewTransport(c), reader), rsaDG15(t, &k.PublicKey), nil, nil, nil)
	if err != nil || !res.Verified {
		t.Fatal(err)
	}
	if !c.extended {
		t.Error("the protected command was not extended")
	}
}

type smCard struct {
	chip     *Chip
	session  *sm.Session
	extended bool
}

func (c *smCard) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return []byte{0x67, 0x00}, nil
	}
	c.extended = cmd.ForceExtended
	in, err := c.session.UnwrapCommand(cmd)
	if err != nil {
		return []byte{0x69, 0x88}, nil
	}
	out, err := c.session.WrapResponse(c.chip.Respond(in))
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Input checks on both sides.
func TestChecks(t *testing.T) {
	k, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	chip, _ := NewChip(ChipConfig{Key: k})
	for _, c := range []struct {
		cmd apdu.Command
		sw  apdu.SW
	}{
		{apdu.Command{INS: 0x88, Data: make([]byte, 7), Ne: 256}, apdu.SWWrongLength},
		{apdu.Command{INS: 0x88, P1: 1, Data: make([]byte, 8), Ne: 256}, apdu.SWIncorrectP1P2},
		{apdu.Command{INS: 0x88, Data: make([]byte, 8), Ne: 16}, 0x6C40},
		{apdu.Command{INS: 0x88, Data: make([]byte, 8), Ne: 256}, apdu.SWOK},
	} {
		if resp := chip.Respond(c.cmd); resp.SW != c.sw {
			t.Errorf("%v: %v, want %v", c.cmd, resp.SW, c.sw)
		}
	}
	if _, err := Verify(context.Background(), nil, ecDG15(t, &k.PublicKey, false), nil, []byte{1, 2, 3}, nil); err == nil {
		t.Error("short challenge accepted")
	}
	if _, err := VerifySignature(nil, nil, nil, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("nil key: %v", err)
	}
	if _, err := NewChip(ChipConfig{Key: "key"}); err == nil {
		t.Error("string key accepted")
	}
}
