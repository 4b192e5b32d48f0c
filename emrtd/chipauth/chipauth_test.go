package chipauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// BSI TR-03110 worked example (brainpoolP256r1): the chip's static key,
// the terminal's ephemeral key and their shared secret.
const (
	bsiChipSK = "7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D"
	bsiChipPK = "04A44EBE5451DF7AADB01E459B8C928A87746A57927C8C28A6775C97A7E1FE8D9A46FF4A1CC7E4D1389AEA19758E4F75C28C598FD734AEBEB135337CF95BE12E94"
	bsiTermSK = "A6A4D255C5BF7A77EC3D0553DB74F693CF044E18C98364D4977A296108AF19BD"
	bsiTermPK = "045A7A377FC9CAFC03AC7FF45441A8B2909D88EAB8E6B0173847AB49B949DF3799A34EE57EC55268CF8B1C3EC489F8BF4CF4C68D3FD9670E89C0D5D3FFF1AAF89F"
	bsiK      = "791DA04273CCFE862E52DF60347E2557192E1F8D7517822CE3D306056C1CDEB4"
)

// The BSI worked example through the protocol: the reader's commands
// carry the example's ephemeral key, K is the example's shared secret and
// the new session uses the version 1 keys KDF(K,1), KDF(K,2) (the example
// prints the version 2 keys, KDF(K‖r); its K and KDF(K‖r,1) are checked
// too, so the KDF input is known right).
func TestBSIWorkedExample(t *testing.T) {
	c := ec.BrainpoolP256r1()
	chipKey, _ := ec.NewPrivateKey(c, unhex(t, bsiChipSK))
	if !bytes.Equal(chipKey.PublicKey.Bytes(), unhex(t, bsiChipPK)) {
		t.Fatal("chip public key")
	}
	if k, _ := chipKey.ECDH(mustPoint(t, c, bsiTermPK)); !bytes.Equal(k, unhex(t, bsiK)) {
		t.Fatalf("K = %X", k)
	}
	if got := sm.KDF(sm.AES128, unhex(t, bsiK), 1); !bytes.Equal(got, unhex(t, "74DFF1029B548FA273C13D86CE775A5B")) {
		t.Fatalf("KDF(K,1) = %X", got)
	}
	if got := sm.KDF(sm.AES128, unhex(t, bsiK+"4287B3072A3EDC60"), 1); !bytes.Equal(got, unhex(t, "94ABCD271AB7D9A5590BA52CB518B831")) {
		t.Fatalf("KDF(K‖r,1) = %X", got)
	}
	p, err := ParamsOf(ptr(caInfo(lds.OIDCAECDHAESCBCCMAC128, nil)), pkInfo(ecSPKI(t, &chipKey.PublicKey, 13), nil))
	if err != nil {
		t.Fatal(err)
	}
	chip, err := NewChip(ChipConfig{Key: chipKey, Protocol: lds.OIDCAECDHAESCBCCMAC128})
	if err != nil {
		t.Fatal(err)
	}
	reader, chipSide := pair(t, sm.AES128)
	cd := &card{chip: chip, session: chipSide}
	next, res, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, &Options{Rand: bytes.NewReader(unhex(t, bsiTermSK))})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"002241A40C800A04007F00070202030202",
		"0086000045" + "7C438041" + bsiTermPK + "00",
		"00A4020C02011E",
	}
	if fmt.Sprint(cd.plain) != fmt.Sprint(want) {
		t.Errorf("commands\n got %v\nwant %v", cd.plain, want)
	}
	wantNext, _ := sm.NewSession(sm.AES128, unhex(t, "74DFF1029B548FA273C13D86CE775A5B"), sm.KDF(sm.AES128, unhex(t, bsiK), 2), []byte{15: 2})
	if !sameSession(t, next, wantNext) {
		t.Error("new session keys are not KDF(K,1), KDF(K,2) with SSC 0 (2 after the probe)")
	}
	if !bytes.Equal(res.EphemeralPublicKey, unhex(t, bsiTermPK)) || res.Probe.SW != apdu.SWOK {
		t.Errorf("result %+v", res)
	}
}

func mustPoint(t *testing.T, c *ec.Curve, s string) ec.Point {
	p, err := c.Unmarshal(unhex(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// chipKey is a test chip's static key with its published form.
type chipKey struct {
	name string
	priv any
	pk   *lds.PublicKey
}

func testKeys(t *testing.T) []chipKey {
	bp, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p256, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	p384, _ := ec.GenerateKey(ec.P384(), rand.Reader)
	keys := []chipKey{
		{"brainpoolP256r1", bp, ecSPKI(t, &bp.PublicKey, 0)},
		{"brainpoolP256r1 standardized", bp, ecSPKI(t, &bp.PublicKey, 13)},
		{"P-256", p256, ecSPKI(t, &p256.PublicKey, 0)},
		{"P-384", p384, ecSPKI(t, &p384.PublicKey, 0)},
	}
	for id := 0; id <= 2; id++ {
		g, _ := dh.Standard(id)
		k, _ := dh.GenerateKey(g, rand.Reader)
		keys = append(keys, chipKey{fmt.Sprintf("DH %d", id), k, dhSPKI(t, k)})
	}
	return keys
}

// Reader against chip for ECDH (brainpoolP256r1, P-256, P-384) and DH (the
// three RFC 5114 groups) with 3DES (MSE:Set KAT) and AES-128/192/256 (MSE:
// Set AT + GENERAL AUTHENTICATE), under 3DES and AES sessions.
func TestRoundTrips(t *testing.T) {
	for _, k := range testKeys(t) {
		for _, c := range []sm.Cipher{sm.TDES, sm.AES128, sm.AES192, sm.AES256} {
			t.Run(fmt.Sprintf("%s/%s", k.name, c), func(t *testing.T) {
				info := pkInfo(k.pk, intp(1))
				p, err := ParamsOf(ptr(caInfo(ProtocolFor(info.KeyAgreement, c), intp(1))), info)
				if err != nil {
					t.Fatal(err)
				}
				chip, err := NewChip(ChipConfig{Key: k.priv, Protocol: p.Protocol, KeyID: intp(1)})
				if err != nil {
					t.Fatal(err)
				}
				old := sm.AES128
				if c == sm.TDES {
					old = sm.TDES
				}
				reader, chipSide := pair(t, old)
				cd := &card{chip: chip, session: chipSide}
				next, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !sameSession(t, next, cd.session) || next.Cipher() != c {
					t.Fatal("reader and chip sessions differ")
				}
				kat := cd.plain[0][:8] == "002241A6"
				if kat != (c == sm.TDES) || len(cd.plain) != 3-b2i(kat) {
					t.Errorf("commands %v", cd.plain)
				}
			})
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A chip whose private key is not the one DG14 publishes completes the key
// agreement, but its answer under the new keys fails: FAIL, not a crash.
func TestClone(t *testing.T) {
	for _, c := range []sm.Cipher{sm.TDES, sm.AES128} {
		genuine, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
		clone, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
		info := pkInfo(ecSPKI(t, &genuine.PublicKey, 0), nil)
		p, _ := ParamsOf(ptr(caInfo(ProtocolFor(lds.KeyAgreementECDH, c), nil)), info)
		chip, _ := NewChip(ChipConfig{Key: clone, Protocol: p.Protocol})
		reader, chipSide := pair(t, sm.AES128)
		cd := &card{chip: chip, session: chipSide}
		next, res, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
		if !errors.Is(err, ErrFailed) || next != nil || res != nil {
			t.Fatalf("%s: session %v, err %v", c, next != nil, err)
		}
	}
}

// Without a ChipAuthenticationInfo the protocol is inferred: 3DES by the
// key's agreement, run with MSE:Set KAT.
func TestInferred3DES(t *testing.T) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	infos := &lds.SecurityInfos{ChipAuthenticationPublicKeys: []lds.ChipAuthenticationPublicKeyInfo{pkInfo(ecSPKI(t, &key.PublicKey, 0), nil)}}
	p, err := Select(infos)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Inferred || p.Cipher != sm.TDES || !p.Protocol.Equal(lds.OIDCAECDH3DESCBCCBC) {
		t.Fatalf("%s", p)
	}
	chip, _ := NewChip(ChipConfig{Key: key, Protocol: p.Protocol})
	reader, chipSide := pair(t, sm.TDES)
	cd := &card{chip: chip, session: chipSide}
	if _, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil); err != nil {
		t.Fatal(err)
	}
	if want := "002241A643" + "9141" + fmt.Sprintf("%X", []byte{}); cd.plain[0][:len(want)] != want {
		t.Errorf("MSE:Set KAT %s", cd.plain[0])
	}
}

// Select pairs infos by key ID, prefers named protocols and stronger
// ciphers, and merges EF.CardAccess (CAInfo) with DG14 (the key).
func TestSelect(t *testing.T) {
	k1, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	k2, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	dg14 := &lds.SecurityInfos{
		ChipAuthenticationPublicKeys: []lds.ChipAuthenticationPublicKeyInfo{
			pkInfo(ecSPKI(t, &k1.PublicKey, 0), intp(1)), pkInfo(ecSPKI(t, &k2.PublicKey, 0), intp(2))},
		ChipAuthentication: []lds.ChipAuthenticationInfo{
			caInfo(lds.OIDCAECDH3DESCBCCBC, intp(1)), caInfo(lds.OIDCAECDHAESCBCCMAC256, intp(2))},
	}
	p, err := Select(dg14)
	if err != nil || *p.KeyID != 2 || p.Cipher != sm.AES256 || p.Inferred {
		t.Fatalf("%s, %v", p, err)
	}
	if c := Candidates(dg14); len(c) != 2 || *c[1].KeyID != 1 || c[1].Cipher != sm.TDES {
		t.Fatalf("candidates %v", c)
	}
	// The CCCD: CAInfo in EF.CardAccess, the key in DG14.
	cardAccess := &lds.SecurityInfos{ChipAuthentication: []lds.ChipAuthenticationInfo{caInfo(lds.OIDCAECDHAESCBCCMAC128, nil)}}
	keyOnly := &lds.SecurityInfos{ChipAuthenticationPublicKeys: []lds.ChipAuthenticationPublicKeyInfo{pkInfo(ecSPKI(t, &k1.PublicKey, 0), nil)}}
	if p, err := Select(cardAccess, keyOnly); err != nil || p.Inferred || p.Cipher != sm.AES128 {
		t.Fatalf("%s, %v", p, err)
	}
	// A CAInfo of the other agreement does not name the key.
	dhInfo := &lds.SecurityInfos{ChipAuthentication: []lds.ChipAuthenticationInfo{caInfo(lds.OIDCADHAESCBCCMAC128, nil)}}
	if p, err := Select(dhInfo, keyOnly); err != nil || !p.Inferred {
		t.Fatalf("%s, %v", p, err)
	}
	if _, err := Select(cardAccess); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("no key: %v", err)
	}
}

// A chip that answers the probe unprotected with a status that is no
// secure messaging error leaves the check undecided.
func TestUnconfirmed(t *testing.T) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p, _ := ParamsOf(ptr(caInfo(lds.OIDCAECDHAESCBCCMAC128, nil)), pkInfo(ecSPKI(t, &key.PublicKey, 0), nil))
	chip, _ := NewChip(ChipConfig{Key: key, Protocol: p.Protocol})
	reader, chipSide := pair(t, sm.AES128)
	cd := &card{chip: chip, session: chipSide, probe: apdu.SWFileNotFound}
	_, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
	if !errors.Is(err, ErrUnconfirmed) || errors.Is(err, ErrFailed) {
		t.Fatalf("err %v", err)
	}
}

// A chip refusing the protocol (another OID, an unknown key) is a protocol
// error, and the old session stays usable; a removed card is neither FAIL
// nor a protocol error.
func TestRefusedAndRemoved(t *testing.T) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p, _ := ParamsOf(ptr(caInfo(lds.OIDCAECDHAESCBCCMAC128, intp(7))), pkInfo(ecSPKI(t, &key.PublicKey, 0), intp(7)))
	chip, _ := NewChip(ChipConfig{Key: key, Protocol: lds.OIDCAECDHAESCBCCMAC256, KeyID: intp(7)})
	reader, chipSide := pair(t, sm.AES128)
	cd := &card{chip: chip, session: chipSide}
	_, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
	var ae *apdu.Error
	if !errors.Is(err, ErrProtocol) || !errors.As(err, &ae) || ae.SW != apdu.SWWrongData {
		t.Fatalf("err %v", err)
	}
	ch := sm.NewChannel(nfc.NewTransport(cd), reader)
	if resp, err := ch.Exchange(context.Background(), defaultProbe); err != nil || resp.SW != apdu.SWOK {
		t.Fatalf("old session after a refusal: %v %v", resp.SW, err)
	}
	chip, _ = NewChip(ChipConfig{Key: key, Protocol: lds.OIDCAECDHAESCBCCMAC128, KeyID: intp(8)})
	reader, chipSide = pair(t, sm.AES128)
	cd = &card{chip: chip, session: chipSide}
	if _, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil); !errors.As(err, &ae) || ae.SW != apdu.SWReferenceDataNotFound {
		t.Fatalf("unknown key: %v", err)
	}
	reader, chipSide = pair(t, sm.AES128)
	cd = &card{chip: chip, session: chipSide, removed: true}
	_, _, err = Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
	if !errors.Is(err, nfc.ErrCardRemoved) || errors.Is(err, ErrFailed) || errors.Is(err, ErrProtocol) {
		t.Fatalf("removed: %v", err)
	}
}

// The caller's probe replaces SELECT EF.COM and its answer is returned.
func TestCallerProbe(t *testing.T) {
	key, _ := ec.GenerateKey(ec.P256(), rand.Reader)
	p, _ := ParamsOf(ptr(caInfo(lds.OIDCAECDHAESCBCCMAC128, nil)), pkInfo(ecSPKI(t, &key.PublicKey, 0), nil))
	chip, _ := NewChip(ChipConfig{Key: key, Protocol: p.Protocol})
	reader, chipSide := pair(t, sm.AES128)
	cd := &card{chip: chip, session: chipSide}
	probe := apdu.Command{INS: 0xB0, P1: 0x9E, Ne: 4}
	_, res, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, &Options{Probe: &probe})
	if err != nil {
		t.Fatal(err)
	}
	if res.Probe.SW != apdu.SWINSNotSupported || cd.plain[2] != "00B09E0004" {
		t.Fatalf("probe %v, commands %v", res.Probe.SW, cd.plain)
	}
}

// C-01: 3DES chips that take only MSE:Set KAT or only MSE:Set AT with
// GENERAL AUTHENTICATE. The reader sends MSE:Set KAT and, when a chip
// refuses it under secure messaging, MSE:Set AT and GENERAL AUTHENTICATE,
// and says so in Result.Params for the next run. C-04: GENERAL
// AUTHENTICATE answered without data. C-02: the key ID encoded minimal.
func TestChipVariants(t *testing.T) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	info := pkInfo(ecSPKI(t, &key.PublicKey, 0), intp(1))
	for _, tc := range []struct {
		name     string
		cipher   sm.Cipher
		cfg      ChipConfig
		commands []string // the headers of the unwrapped commands, the probe last
		setAT    bool
	}{
		{"KAT only", sm.TDES, ChipConfig{NoSetAT: true}, []string{"002241A6", "00A4020C"}, false},
		{"Set AT only", sm.TDES, ChipConfig{NoKAT: true}, []string{"002241A6", "002241A4", "00860000", "00A4020C"}, true},
		{"GA without data", sm.AES128, ChipConfig{GANoData: true}, []string{"002241A4", "00860000", "00A4020C"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParamsOf(ptr(caInfo(ProtocolFor(lds.KeyAgreementECDH, tc.cipher), intp(1))), info)
			if err != nil {
				t.Fatal(err)
			}
			cfg := tc.cfg
			cfg.Key, cfg.Protocol, cfg.KeyID = key, p.Protocol, intp(1)
			chip, _ := NewChip(cfg)
			reader, chipSide := pair(t, sm.TDES)
			cd := &card{chip: chip, session: chipSide}
			next, res, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
			if err != nil || !sameSession(t, next, cd.session) {
				t.Fatalf("%v", err)
			}
			var got []string
			for _, c := range cd.plain {
				got = append(got, c[:8])
			}
			if !slices.Equal(got, tc.commands) || res.Params.SetAT != tc.setAT {
				t.Errorf("commands %v, Set AT %v", got, res.Params.SetAT)
			}
			if !strings.Contains(cd.plain[0], "840101") {
				t.Errorf("key reference not 84 01 01: %s", cd.plain[0])
			}
		})
	}
	// A key reference encoded on two bytes is refused (6A80), a wrong one
	// 6A88.
	chip, _ := NewChip(ChipConfig{Key: key, Protocol: lds.OIDCAECDHAESCBCCMAC128, KeyID: intp(1)})
	for ref, want := range map[string]apdu.SW{"84020001": apdu.SWWrongData, "840102": apdu.SWReferenceDataNotFound, "840101": apdu.SWOK} {
		data := append(unhex(t, "800A04007F00070202030202"), unhex(t, ref)...)
		if resp, _ := chip.Respond(apdu.Command{INS: apdu.InsManageSecurityEnv, P1: 0x41, P2: 0xA4, Data: data}); resp.SW != want {
			t.Errorf("key reference %s: %v, want %v", ref, resp.SW, want)
		}
	}
}

// A 3DES chip that refuses MSE:Set KAT with an unprotected status word may
// have dropped the session: ErrKATRefused says to open it again and run
// with Set AT.
func TestKATRefusedUnprotected(t *testing.T) {
	key, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p, _ := ParamsOf(ptr(caInfo(lds.OIDCAECDH3DESCBCCBC, nil)), pkInfo(ecSPKI(t, &key.PublicKey, 0), nil))
	chip, _ := NewChip(ChipConfig{Key: key, Protocol: p.Protocol, NoKAT: true})
	reader, chipSide := pair(t, sm.TDES)
	cd := &card{chip: chip, session: chipSide, plainRefusals: true}
	_, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil)
	if !errors.Is(err, ErrKATRefused) || !errors.Is(err, ErrProtocol) {
		t.Fatalf("%v", err)
	}
	p.SetAT = true
	reader, chipSide = pair(t, sm.TDES)
	cd = &card{chip: chip, session: chipSide}
	if _, _, err := Authenticate(context.Background(), nfc.NewTransport(cd), reader, p, nil); err != nil || cd.plain[0][:8] != "002241A4" {
		t.Fatalf("with Set AT: %v, %v", err, cd.plain)
	}
}
