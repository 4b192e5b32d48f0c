package bac

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// card is an in-process card: a BAC chip answering raw APDUs, recording
// every exchange.
type card struct {
	chip    *Chip
	session *sm.Session
	log     []string // "C:hex" and "R:hex"
	remove  bool     // the card leaves the field at the next command
}

func (c *card) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	if c.remove {
		return nil, fmt.Errorf("transmit: %w", nfc.ErrCardRemoved)
	}
	c.log = append(c.log, fmt.Sprintf("C:%X", raw))
	cmd, err := apdu.ParseCommand(raw)
	var resp apdu.Response
	switch {
	case err != nil:
		resp.SW = apdu.SWWrongLength
	case cmd.INS == apdu.InsGetChallenge:
		resp = c.chip.GetChallenge(cmd)
	case cmd.INS == apdu.InsExternalAuthenticate:
		resp, c.session = c.chip.ExternalAuthenticate(cmd)
	default:
		resp.SW = apdu.SWINSNotSupported
	}
	out := resp.Bytes()
	c.log = append(c.log, fmt.Sprintf("R:%X", out))
	return out, nil
}

func appendixDKey(t *testing.T) *access.MRZKey {
	k, err := access.NewMRZKey("L898902C<", "690806", "940623")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ICAO 9303-11 Appendix D.3, both ends, byte for byte.
func TestAppendixD(t *testing.T) {
	key := appendixDKey(t)
	k, err := deriveKeys(key.BACSeed())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%X", k.enc) != "AB94FDECF2674FDFB9B391F85D7F76F2" || fmt.Sprintf("%X", k.mac) != "7962D9ECE03D1ACD4C76089DCE131543" {
		t.Errorf("KEnc %X KMAC %X", k.enc, k.mac)
	}
	chipRand := bytes.NewReader(unhex(t, "4608F91988702212"+"0B4F80323EB3191CB04970CB4052790B"))
	chip, err := NewChip(key.BACSeed(), chipRand)
	if err != nil {
		t.Fatal(err)
	}
	c := &card{chip: chip}
	readerRand := bytes.NewReader(unhex(t, "781723860C06C226"+"0B795240CB7049B01C19B33E32804F0B"))
	session, err := Authenticate(context.Background(), nfc.NewTransport(c), key, readerRand)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"C:0084000008",
		"R:4608F919887022129000",
		"C:0082000028" + "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2" + "5F1448EEA8AD90A7" + "28",
		"R:46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F" + "2F2D235D074D7449" + "9000",
	}
	if len(c.log) != len(want) {
		t.Fatalf("log %v", c.log)
	}
	for i := range want {
		if c.log[i] != want[i] {
			t.Errorf("exchange %d:\n got %s\nwant %s", i, c.log[i], want[i])
		}
	}
	// R decrypted by the reader, and the session keys.
	r, ok := k.open(unhex(t, want[3][2:len(want[3])-4]))
	if !ok || fmt.Sprintf("%X", r) != "4608F91988702212781723860C06C2260B4F80323EB3191CB04970CB4052790B" {
		t.Errorf("R %X", r)
	}
	kIFD, kIC := unhex(t, "0B795240CB7049B01C19B33E32804F0B"), r[16:]
	seed := make([]byte, 16)
	subtle.XORBytes(seed, kIFD, kIC)
	if fmt.Sprintf("%X", seed) != "0036D272F5C350ACAC50C3F572D23600" {
		t.Errorf("KSseed %X", seed)
	}
	if fmt.Sprintf("%X", sm.KDF(sm.TDES, seed, 1)) != "979EC13B1CBFE9DCD01AB0FED307EAE5" ||
		fmt.Sprintf("%X", sm.KDF(sm.TDES, seed, 2)) != "F1CB1F1FB5ADF208806B89DC579DC1F8" {
		t.Error("session keys")
	}
	for _, s := range []*sm.Session{session, c.session} {
		if fmt.Sprintf("%X", s.SSC()) != "887022120C06C226" {
			t.Errorf("SSC %X", s.SSC())
		}
		// The session keys: the first protected command of D.4.
		prot, err := s.WrapCommand(apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x0C, Data: []byte{0x01, 0x1E}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%X", prot.MustBytes()); got != "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800" {
			t.Errorf("protected SELECT %s", got)
		}
	}
}

func TestWrongKeyIsAccessDenied(t *testing.T) {
	chip, _ := NewChip(appendixDKey(t).BACSeed(), nil)
	c := &card{chip: chip}
	other, _ := access.NewMRZKey("L898902C<", "690806", "940624")
	_, err := Authenticate(context.Background(), nfc.NewTransport(c), other, nil)
	if !errors.Is(err, access.ErrDenied) {
		t.Fatalf("wrong key: %v", err)
	}
	if c.session != nil {
		t.Error("chip opened a session for a wrong key")
	}
	if len(c.log) != 4 || c.log[3] != "R:6300" {
		t.Errorf("log %v", c.log)
	}
	// The challenge is spent: replaying the right answer now fails too.
	if resp, s := chip.ExternalAuthenticate(apdu.Command{Data: make([]byte, 40), Ne: 40}); resp.SW != apdu.SWConditionsNotSatisfied || s != nil {
		t.Errorf("without a challenge: %v", resp.SW)
	}
	// The right key still works afterwards.
	if _, err := Authenticate(context.Background(), nfc.NewTransport(c), appendixDKey(t), nil); err != nil || c.session == nil {
		t.Fatalf("right key after a wrong one: %v", err)
	}
}

func TestRoundTripSessionsAgree(t *testing.T) {
	key := appendixDKey(t)
	chip, _ := NewChip(key.BACSeed(), nil)
	c := &card{chip: chip}
	reader, err := Authenticate(context.Background(), nfc.NewTransport(c), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	prot, _ := reader.WrapCommand(apdu.Command{INS: apdu.InsReadBinary, Ne: 100})
	plain, err := c.session.UnwrapCommand(prot)
	if err != nil || plain.Ne != 100 {
		t.Fatalf("%v %v", plain, err)
	}
	resp, _ := c.session.WrapResponse(apdu.Response{Data: bytes.Repeat([]byte{7}, 100), SW: apdu.SWOK})
	got, err := reader.UnwrapResponse(resp)
	if err != nil || len(got.Data) != 100 {
		t.Fatal(err)
	}
}

func TestCardRemoved(t *testing.T) {
	chip, _ := NewChip(appendixDKey(t).BACSeed(), nil)
	c := &card{chip: chip, remove: true}
	_, err := Authenticate(context.Background(), nfc.NewTransport(c), appendixDKey(t), nil)
	if !errors.Is(err, nfc.ErrCardRemoved) || errors.Is(err, access.ErrDenied) {
		t.Fatal(err)
	}
}

// scripted answers each command with the next canned response.
type scripted [][]byte

func (s *scripted) Transmit(_ context.Context, _ []byte) ([]byte, error) {
	if len(*s) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	out := (*s)[0]
	*s = (*s)[1:]
	return out, nil
}

func TestBadChipAnswers(t *testing.T) {
	key := appendixDKey(t)
	challenge := unhex(t, "4608F919887022129000")
	k, _ := deriveKeys(key.BACSeed())
	// Answers that pass the MAC but do not return RND.IC ‖ RND.IFD.
	wrongNonces, _ := k.seal(make([]byte, cryptLen))
	for name, tc := range map[string]struct {
		script       [][]byte
		denied       bool
		tokenInvalid bool
	}{
		"no BAC":           {[][]byte{unhex(t, "6D00")}, false, false},
		"short challenge":  {[][]byte{unhex(t, "46089000")}, false, false},
		"6982":             {[][]byte{challenge, unhex(t, "6982")}, true, false},
		"63C2":             {[][]byte{challenge, unhex(t, "63C2")}, true, false},
		"not supported":    {[][]byte{challenge, unhex(t, "6A81")}, false, false},
		"short response":   {[][]byte{challenge, unhex(t, "01029000")}, false, false},
		"response bad MAC": {[][]byte{challenge, append(make([]byte, 40), 0x90, 0)}, false, true},
		"wrong nonces":     {[][]byte{challenge, append(wrongNonces, 0x90, 0)}, false, true},
	} {
		s := scripted(tc.script)
		_, err := Authenticate(context.Background(), nfc.NewTransport(&s), key, nil)
		if err == nil || errors.Is(err, access.ErrDenied) != tc.denied || errors.Is(err, access.ErrTokenInvalid) != tc.tokenInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestChipRejectsMalformed(t *testing.T) {
	chip, _ := NewChip(appendixDKey(t).BACSeed(), nil)
	if r := chip.GetChallenge(apdu.Command{INS: 0x84, Ne: 4}); r.SW != apdu.SWWrongLength {
		t.Errorf("Le 4: %v", r.SW)
	}
	if r := chip.GetChallenge(apdu.Command{INS: 0x84, P1: 1, Ne: 8}); r.SW != apdu.SWIncorrectP1P2 {
		t.Errorf("P1: %v", r.SW)
	}
	chip.GetChallenge(apdu.Command{INS: 0x84, Ne: 8})
	if r, s := chip.ExternalAuthenticate(apdu.Command{INS: 0x82, Data: make([]byte, 39), Ne: 40}); r.SW != apdu.SWWrongLength || s != nil {
		t.Errorf("39 bytes: %v", r.SW)
	}
	if _, err := NewChip(make([]byte, 8), nil); err == nil {
		t.Error("short seed accepted")
	}
}
