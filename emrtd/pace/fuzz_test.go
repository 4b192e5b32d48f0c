package pace

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

func fuzzHex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzDynamicAuthData: the parser of GENERAL AUTHENTICATE data never
// panics and keeps every value inside the input.
func FuzzDynamicAuthData(f *testing.F) {
	f.Add(fuzzHex("7C12801095A3A016522EE98D01E76CB6B98B42C3"))
	f.Add(fuzzHex("7C0A86083ABB9674BCE93C08"))
	f.Add(fuzzHex("7C1B8608917F37B5C0E6D8D1870F444554455354435643413030303033"))
	f.Add(fuzzHex("7C00"))
	f.Add(fuzzHex("7C028200"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := parseDynamicAuthData(data)
		if err != nil {
			return
		}
		total := 0
		for _, v := range objs {
			total += len(v)
		}
		if total > len(data) {
			t.Fatalf("%d value bytes from %d input bytes", total, len(data))
		}
	})
}

// FuzzSetAT: the chip's parser of MSE:Set AT never panics.
func FuzzSetAT(f *testing.F) {
	f.Add(fuzzHex("800A04007F00070202040202830101 84010D"))
	f.Add(fuzzHex("800A04007F00070202040602830102"))
	f.Add(fuzzHex("8000830101"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseSetAT(data)
		if err == nil && m.protocol == nil {
			t.Fatal("accepted without a protocol")
		}
	})
}

// scripted answers each command with the next canned response.
type scripted struct{ answers [][]byte }

func (s *scripted) Transmit(context.Context, []byte) ([]byte, error) {
	if len(s.answers) == 0 {
		return nil, fmt.Errorf("scripted: %w", nfc.ErrCardRemoved)
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

// FuzzReaderResponses: the reader never panics on hostile answers to the
// five PACE commands and returns a session exactly when it returns no
// error. The seeds are the Appendix G.1 and I answers.
func FuzzReaderResponses(f *testing.F) {
	f.Add(fuzzHex("9000"), fuzzHex("7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
		fuzzHex("7C438241"+g1ChipMapP+"9000"), fuzzHex("7C438441"+g1ChipEphP+"9000"), fuzzHex("7C0A86083ABB9674BCE93C089000"), false)
	f.Add(fuzzHex("9000"), fuzzHex("7C128010CB60E8E0D85B76A9BD304747C2AD42E29000"),
		fuzzHex("7C438241"+iChipMapP+"9000"), fuzzHex("7C438441"+iChipEphP+"9000"),
		fuzzHex("7C3C86088596CF055C67C1A38A30"+iEncCAData+"9000"), true)
	f.Add(fuzzHex("9000"), fuzzHex("7C12801095A3A016522EE98D01E76CB6B98B42C39000"), fuzzHex("7C0282009000"), fuzzHex("6300"), fuzzHex("6300"), false)
	f.Fuzz(func(t *testing.T, r0, r1, r2, r3, r4 []byte, cam bool) {
		oid, key := lds.OIDPACEECDHGMAESCBCCMAC128, access.Key(mrzKey(t, "T22000129", "640812", "101031"))
		rnd := cat(fuzzHex(g1TermMap), fuzzHex(g1TermEph))
		if cam {
			oid, key = lds.OIDPACEECDHCAMAESCBCCMAC128, mrzKey(t, "C11T002JM", "960812", "231031")
			rnd = cat(fuzzHex(iTermMap), fuzzHex(iTermEph))
		}
		p, _ := NewParams(oid, 13)
		s := &scripted{answers: [][]byte{r0, r1, r2, r3, r4}}
		session, res, err := Run(context.Background(), nfc.NewTransport(s), key, p, &Options{Rand: bytes.NewReader(rnd)})
		if (session == nil) != (err != nil) || (res == nil) != (err != nil) {
			t.Fatalf("session %v, result %v, err %v", session != nil, res != nil, err)
		}
	})
}

// FuzzChip: the chip never panics on hostile command sequences and opens
// a session only with 9000.
func FuzzChip(f *testing.F) {
	f.Add(fuzzHex("0022C1A412800A04007F00070202040202830101 84010D"), fuzzHex("10860000027C0000"),
		fuzzHex("10860000457C438141"+g1TermMapP+"00"), fuzzHex("10860000457C438341"+g1TermEphP+"00"), fuzzHex("008600000C7C0A8508C2B0BD78D94BA86600"))
	f.Add(fuzzHex("0022C1A412800A04007F00070202040402830101 84010D"), fuzzHex("10860000027C0000"),
		fuzzHex("10860000147C1281105DD4CBFC96F5453B130D890A1CDBAE3200"), fuzzHex("10860000457C438341"+g1TermEphP+"00"), fuzzHex("008600000C7C0A8508C2B0BD78D94BA86600"))
	f.Fuzz(func(t *testing.T, c0, c1, c2, c3, c4 []byte) {
		key := mrzKey(t, "T22000129", "640812", "101031")
		gm, _ := NewParams(lds.OIDPACEECDHGMAESCBCCMAC128, 13)
		im, _ := NewParams(lds.OIDPACEECDHIMAESCBCCMAC128, 13)
		chip, _ := NewChip(ChipConfig{Params: []Params{gm, im}, Keys: []access.Key{key},
			Rand: bytes.NewReader(cat(fuzzHex(g1Nonce), fuzzHex(g1ChipMap), fuzzHex(g1ChipEph), fuzzHex(g1ChipEph)))})
		for _, raw := range [][]byte{c0, c1, c2, c3, c4} {
			cmd, err := apdu.ParseCommand(raw)
			if err != nil || !chip.Accepts(cmd) {
				continue
			}
			resp, s := chip.Respond(cmd)
			if (s != nil) && resp.SW != apdu.SWOK {
				t.Fatalf("session with %v", resp.SW)
			}
		}
	})
}

// FuzzCAM: decrypting and verifying hostile chip authentication data never
// panics and never verifies against the wrong key.
func FuzzCAM(f *testing.F) {
	f.Add(fuzzHex(iEncCAData), fuzzHex(iChipMapP))
	f.Add(fuzzHex("00112233445566778899AABBCCDDEEFF"), fuzzHex("04"))
	f.Fuzz(func(t *testing.T, a, mapping []byte) {
		ksEnc := fuzzHex("0A9DA4DB 03BDDE39 FC5202BC 44B2E89E")
		ca, err := decryptCAM(sm.AES128, ksEnc, a)
		if err != nil {
			return
		}
		cam := &CAM{Domain: keyagree.Domain{Curve: ec.BrainpoolP256r1()}, MappingPublicKey: mapping, Data: ca}
		err = cam.VerifyPoint(fuzzHex("04 18727094 94399E74 70A6431B E25E83EE E24FEA56 8C2ED28D B48E05DB 3A610DC8 84D256A4 0E35EFCB 59BF6753 D3A489D2 8C7A4D97 3C2DA138 A6E7A4A0 8F68E16F"))
		if err == nil && (!bytes.Equal(a, fuzzHex(iEncCAData)) || !bytes.Equal(mapping, fuzzHex(iChipMapP))) {
			t.Fatal("verified data other than Appendix I's")
		}
		if err != nil && !errors.Is(err, ErrChipAuthentication) {
			t.Fatalf("error not typed: %v", err)
		}
	})
}
