package pace

import (
	"context"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// protocolOID builds id-PACE-<kind>-<cipher>.
func protocolOID(kind int, c sm.Cipher) asn1.ObjectIdentifier {
	return append(append(asn1.ObjectIdentifier(nil), lds.OIDPACE...), kind, int(c))
}

// Every mapping × key agreement × cipher × standardized domain this
// package supports, reader against chip, with CAN and MRZ passwords; the
// sessions must agree (a protected command passes) and CAM must verify.
func TestRoundTripMatrix(t *testing.T) {
	can := canKey(t, "123456")
	mrz := mrzKey(t, "L898902C<", "690806", "940623")
	ecIDs := []int{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}
	dhIDs := []int{0, 1, 2}
	ciphers := []sm.Cipher{sm.TDES, sm.AES128, sm.AES192, sm.AES256}
	type combo struct {
		kind int
		ids  []int
	}
	combos := []combo{{2, ecIDs}, {4, ecIDs}, {6, ecIDs}, {1, dhIDs}, {3, dhIDs}}
	n := 0
	for _, cb := range combos {
		for _, c := range ciphers {
			for _, id := range cb.ids {
				oid := protocolOID(cb.kind, c)
				p, err := NewParams(oid, id)
				if errors.Is(err, ErrUnsupported) && (cb.kind == 6 && c == sm.TDES || cb.kind == 4 && id == 10) {
					continue // CAM has no 3DES; IM needs p ≡ 3 mod 4 (not P-224)
				}
				if err != nil {
					t.Fatalf("%s/%d: %v", lds.ProtocolName(oid), id, err)
				}
				if testing.Short() && n%7 != 0 {
					n++
					continue
				}
				var key access.Key = can
				if n%2 == 1 {
					key = mrz
				}
				n++
				t.Run(fmt.Sprintf("%s/%d", lds.ProtocolName(oid), id), func(t *testing.T) {
					runAndCheck(t, p, key, []access.Key{can, mrz})
				})
			}
		}
	}
}

// runAndCheck runs PACE with p and checks both sessions and, for CAM, the
// chip authentication.
func runAndCheck(t *testing.T, p Params, key access.Key, chipKeys []access.Key) {
	cfg := ChipConfig{Params: []Params{p}, Keys: chipKeys}
	if p.Mapping == lds.MappingCAM {
		k, err := ec.GenerateKey(p.Domain.Curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cfg.CAKey = k
	}
	chip, err := NewChip(cfg)
	if err != nil {
		t.Fatal(err)
	}
	session, res, c, err := roundTrip(t, chip, key, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.session == nil || !sameKeys(t, session, c.session) {
		t.Fatal("reader and chip sessions differ")
	}
	// A protected exchange through the reader's channel.
	ch := sm.NewChannel(nfc.NewTransport(c), session)
	resp, err := ch.Exchange(context.Background(), apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x0C, Data: []byte{1, 0x1E}})
	if err != nil || resp.SW != apdu.SWOK {
		t.Fatalf("protected exchange: %v %v", resp.SW, err)
	}
	if (res.CAM != nil) != (p.Mapping == lds.MappingCAM) {
		t.Fatalf("CAM data %v for %s", res.CAM != nil, p.Mapping)
	}
	if res.CAM != nil {
		if err := res.CAM.VerifyPoint(cfg.CAKey.PublicKey.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
}

// A wrong password is access denied at step 4 (6300 from the chip, or the
// CCCD's 6982), and the chip keeps no session.
func TestWrongPassword(t *testing.T) {
	p, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	for _, sw := range []apdu.SW{0, apdu.SWSecurityStatus} {
		chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{canKey(t, "123456")}, DeniedStatus: sw})
		s, res, c, err := roundTrip(t, chip, canKey(t, "654321"), p, nil)
		if !errors.Is(err, access.ErrDenied) || s != nil || res != nil {
			t.Fatalf("DeniedStatus %v: session %v, err %v", sw, s != nil, err)
		}
		if c.session != nil {
			t.Fatal("the chip opened a session")
		}
		want := "R:6300"
		if sw != 0 {
			want = "R:6982"
		}
		if last := c.log[len(c.log)-1]; last != want {
			t.Errorf("last answer %s, want %s", last, want)
		}
		// The chip is ready for the next attempt, with the right password.
		if _, _, _, err := roundTrip(t, chip, canKey(t, "123456"), p, nil); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
}

// A password the chip does not hold (no MRZ key) is refused at MSE:Set AT
// with 6A88 and is not access denied.
func TestUnknownPasswordReference(t *testing.T) {
	p, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{canKey(t, "123456")}})
	_, _, c, err := roundTrip(t, chip, mrzKey(t, "L898902C<", "690806", "940623"), p, nil)
	var ae *apdu.Error
	if !errors.Is(err, ErrProtocol) || errors.Is(err, access.ErrDenied) || !errors.As(err, &ae) || ae.SW != apdu.SWReferenceDataNotFound {
		t.Fatalf("err %v", err)
	}
	t.Log(err)
	if len(c.log) != 2 {
		t.Fatalf("%d exchanges", len(c.log)/2)
	}
}

// The reader's token check: a chip answering 9000 with a wrong T_IC is an
// invalid token (an attack, never a wrong key), and a missing CAM data
// object is a protocol error.
func TestChipTokenChecks(t *testing.T) {
	p, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
	chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{canKey(t, "123456")}})
	tamper := &tamperCard{card: card{chip: chip}, step4: func(r []byte) []byte { r[5] ^= 1; return r }}
	_, _, err := Run(context.Background(), nfc.NewTransport(tamper), canKey(t, "123456"), p, nil)
	if !errors.Is(err, access.ErrTokenInvalid) || errors.Is(err, access.ErrDenied) || errors.Is(err, ErrProtocol) {
		t.Fatalf("tampered T_IC: %v", err)
	}
	camP, _ := NewParams(lds.OIDPACEECDHCAMAESCBCCMAC128, 13)
	k, _ := ec.GenerateKey(camP.Domain.Curve, rand.Reader)
	chip, _ = NewChip(ChipConfig{Params: []Params{camP}, Keys: []access.Key{canKey(t, "123456")}, CAKey: k})
	strip := &tamperCard{card: card{chip: chip}, step4: func(r []byte) []byte {
		// keep 7C 0A 86 08 <token>, drop 8A
		out := append([]byte{0x7C, 0x0A}, r[2:12]...)
		return append(out, 0x90, 0x00)
	}}
	_, _, err = Run(context.Background(), nfc.NewTransport(strip), canKey(t, "123456"), camP, nil)
	if !errors.Is(err, ErrProtocol) {
		t.Fatalf("CAM without 8A: %v", err)
	}
}

// tamperCard rewrites the chip's answer to step 4.
type tamperCard struct {
	card
	step4 func([]byte) []byte
}

func (c *tamperCard) Transmit(ctx context.Context, raw []byte) ([]byte, error) {
	out, err := c.card.Transmit(ctx, raw)
	if err == nil && len(raw) > 1 && raw[0] == 0 && raw[1] == apdu.InsGeneralAuthenticate && len(out) > 2 {
		out = c.step4(append([]byte(nil), out...))
	}
	return out, err
}

// A chip whose chip authentication key is not the one EF.CardSecurity
// publishes (a clone) completes PACE-CAM, but the check fails.
func TestCAMClone(t *testing.T) {
	p, _ := NewParams(lds.OIDPACEECDHCAMAESCBCCMAC128, 13)
	genuine, _ := ec.GenerateKey(p.Domain.Curve, rand.Reader)
	clone, _ := ec.GenerateKey(p.Domain.Curve, rand.Reader)
	chip, _ := NewChip(ChipConfig{Params: []Params{p}, Keys: []access.Key{canKey(t, "123456")}, CAKey: clone})
	_, res, _, err := roundTrip(t, chip, canKey(t, "123456"), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.CAM.VerifyPoint(genuine.PublicKey.Bytes()); !errors.Is(err, ErrChipAuthentication) {
		t.Fatalf("clone verified: %v", err)
	}
	if err := res.CAM.VerifyPoint(clone.PublicKey.Bytes()); err != nil {
		t.Fatalf("own key: %v", err)
	}
	// A key on another curve is refused, not a panic.
	other := &lds.PublicKey{AlgorithmOID: lds.OIDECPublicKey, Parameters: ec.P256().MarshalParameters(), Key: genuine.PublicKey.Bytes()}
	if err := res.CAM.Verify(other); !errors.Is(err, ErrChipAuthentication) {
		t.Fatalf("other curve: %v", err)
	}
}

// AC-05: a chip whose mapping key and shared secret start with a zero
// byte, and one that sends a 32-byte nonce, run PACE with the reader:
// every value is encoded in its fixed length on both sides.
func TestLeadingZerosAndLongNonces(t *testing.T) {
	for _, tc := range []struct {
		name string
		oid  asn1.ObjectIdentifier
		id   int
		cfg  ChipConfig
	}{
		{"EC leading zeros", lds.OIDPACEECDHGMAESCBCCMAC128, 13, ChipConfig{LeadingZeros: true}},
		{"DH leading zeros", lds.OIDPACEDHGMAESCBCCMAC128, 0, ChipConfig{LeadingZeros: true}},
		{"CAM leading zeros", lds.OIDPACEECDHCAMAESCBCCMAC128, 12, ChipConfig{LeadingZeros: true}},
		{"32-byte nonce", lds.OIDPACEECDHGMAESCBCCMAC128, 13, ChipConfig{NonceLen: 32}},
		{"32-byte nonce, 3DES", lds.OIDPACEECDHGM3DESCBCCBC, 12, ChipConfig{NonceLen: 32}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewParams(tc.oid, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			key := canKey(t, "123456")
			cfg := tc.cfg
			cfg.Params, cfg.Keys = []Params{p}, []access.Key{key}
			if p.Mapping == lds.MappingCAM {
				cfg.CAKey, _ = ec.GenerateKey(p.Domain.Curve, rand.Reader)
			}
			chip, err := NewChip(cfg)
			if err != nil {
				t.Fatal(err)
			}
			session, _, c, err := roundTrip(t, chip, key, p, nil)
			if err != nil || c.session == nil || !sameKeys(t, session, c.session) {
				t.Fatalf("%v", err)
			}
			if cfg.LeadingZeros {
				// The step 2 answer (the third exchange) carries PK_Map,IC.
				resp := unhex(t, c.log[5][2:])
				objs, err := parseDynamicAuthData(resp[:len(resp)-2])
				if pub := objs[tagMapIC]; err != nil || p.Domain.Curve != nil && pub[1] != 0 || p.Domain.Group != nil && pub[0] != 0 {
					t.Errorf("the chip's mapping key %X has no leading zero (%v)", pub, err)
				}
			}
		})
	}
}

// The AC-05 chip's keys: the public value, or the shared secret with the
// peer, starts with a zero byte.
func TestLeadingZeroKeys(t *testing.T) {
	for _, id := range []int{13, 0} {
		d, _ := keyagree.StandardDomain(id)
		chip := &Chip{cfg: ChipConfig{LeadingZeros: true}, rng: rand.Reader}
		peer, _ := d.GenerateKey(rand.Reader)
		k, err := chip.generateKey(d, peer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if secret, err := k.Agree(peer.PublicKey()); err != nil || secret[0] != 0 {
			t.Errorf("ID %d: K %X…, %v", id, secret[:2], err)
		}
		k, _ = chip.generateKey(d, nil)
		pub := k.PublicKey()
		if d.Curve != nil {
			pub = pub[1:]
		}
		if pub[0] != 0 {
			t.Errorf("ID %d: public value %X…", id, pub[:2])
		}
	}
}
