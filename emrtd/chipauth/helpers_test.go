package chipauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/dh"
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

// pair returns two sessions with the same random keys and SSC: the
// reader's and the chip's copy of a session opened by BAC or PACE.
func pair(t testing.TB, c sm.Cipher) (*sm.Session, *sm.Session) {
	t.Helper()
	enc, mac := make([]byte, c.KeySize()), make([]byte, c.KeySize())
	rand.Read(enc)
	rand.Read(mac)
	a, err := sm.NewSession(c, enc, mac, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sm.NewSession(c, enc, mac, nil)
	return a, b
}

// card is an in-process chip under secure messaging: it unwraps each
// command, lets the CA chip answer what it accepts (SELECT answers 9000),
// protects the answer and then switches to a session the CA chip
// returned, as a real chip does. It records the unwrapped commands.
type card struct {
	chip    *Chip
	session *sm.Session
	plain   []string // unwrapped commands
	probe   apdu.SW  // when set, the answer to SELECT, sent unprotected
	removed bool
	// plainRefusals answers the chip's refusals unprotected and ends the
	// session (SM-02b).
	plainRefusals bool
}

func (c *card) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	if c.removed {
		return nil, fmt.Errorf("card: %w", nfc.ErrCardRemoved)
	}
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return apdu.Response{SW: apdu.SWWrongLength}.Bytes(), nil
	}
	if c.session == nil || cmd.CLA&0x0C == 0 {
		c.session = nil
		return apdu.Response{SW: apdu.SWSMDataObjectsIncorrect}.Bytes(), nil
	}
	in, err := c.session.UnwrapCommand(cmd)
	if err != nil {
		c.session = nil
		return apdu.Response{SW: sm.ChipStatus(err)}.Bytes(), nil
	}
	c.plain = append(c.plain, fmt.Sprintf("%X", in.MustBytes()))
	var resp apdu.Response
	var next *sm.Session
	switch {
	case c.chip.Accepts(in):
		resp, next = c.chip.Respond(in)
	case in.INS == apdu.InsSelect && c.probe != 0:
		return apdu.Response{SW: c.probe}.Bytes(), nil
	case in.INS == apdu.InsSelect:
		resp.SW = apdu.SWOK
	default:
		resp.SW = apdu.SWINSNotSupported
	}
	if c.plainRefusals && resp.SW != apdu.SWOK {
		c.session = nil
		return resp.Bytes(), nil
	}
	out, err := c.session.WrapResponse(resp)
	if err != nil {
		return nil, err
	}
	if next != nil {
		c.session = next
	}
	return out.Bytes(), nil
}

// spki builds a SubjectPublicKeyInfo and parses it as lds does.
func spki(t testing.TB, alg asn1.ObjectIdentifier, params func(*cryptobyte.Builder), key []byte) *lds.PublicKey {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			params(b)
		})
		b.AddASN1BitString(key)
	})
	k, err := lds.ParseSubjectPublicKeyInfo(b.BytesOrPanic())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ecSPKI is the public key of k on a named curve, or with standardized
// domain parameter id when id > 0.
func ecSPKI(t testing.TB, k *ec.PublicKey, id int) *lds.PublicKey {
	if id > 0 {
		return spki(t, lds.OIDStandardizedDomainParameters, func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(id)) }, k.Bytes())
	}
	return spki(t, lds.OIDECPublicKey, func(b *cryptobyte.Builder) { b.AddBytes(k.Curve.MarshalParameters()) }, k.Bytes())
}

// dhSPKI is the public key of k with X9.42 domain parameters.
func dhSPKI(t testing.TB, k *dh.PrivateKey) *lds.PublicKey {
	var y cryptobyte.Builder
	y.AddASN1BigInt(k.Y)
	return spki(t, lds.OIDDHPublicNumber, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(k.Group.P())
			b.AddASN1BigInt(k.Group.G())
			b.AddASN1BigInt(k.Group.Q())
		})
	}, y.BytesOrPanic())
}

func pkInfo(pk *lds.PublicKey, keyID *int) lds.ChipAuthenticationPublicKeyInfo {
	ka := lds.KeyAgreementECDH
	if pk.Algorithm == "DH" {
		ka = lds.KeyAgreementDH
	}
	return lds.ChipAuthenticationPublicKeyInfo{KeyAgreement: ka, PublicKey: pk, KeyID: keyID}
}

func caInfo(oid asn1.ObjectIdentifier, keyID *int) lds.ChipAuthenticationInfo {
	ka := lds.KeyAgreementECDH
	if oid[len(lds.OIDCA)] == 1 {
		ka = lds.KeyAgreementDH
	}
	return lds.ChipAuthenticationInfo{Info: lds.Info{Protocol: oid}, KeyAgreement: ka, Version: 1, KeyID: keyID}
}

func intp(n int) *int { return &n }

// sameSession reports whether two sessions protect a command identically.
func sameSession(t testing.TB, a, b *sm.Session) bool {
	cmd := apdu.Command{INS: apdu.InsReadBinary, P1: 0x9E, Ne: 4}
	wa, err1 := a.WrapCommand(cmd)
	wb, err2 := b.WrapCommand(cmd)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return bytes.Equal(wa.MustBytes(), wb.MustBytes())
}
