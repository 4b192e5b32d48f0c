package chipauth

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

func fuzzHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzChip: the chip never panics on hostile commands and returns a new
// session only with 9000.
func FuzzChip(f *testing.F) {
	f.Add(fuzzHex("002241A40C800A04007F00070202030202"), fuzzHex("00860000457C438041"+bsiTermPK+"00"))
	f.Add(fuzzHex("002241A643914104"+bsiTermPK[2:]), fuzzHex(""))
	f.Add(fuzzHex("002241A40F800A04007F00070202030202840101"), fuzzHex("00860000047C028000"))
	f.Fuzz(func(t *testing.T, c0, c1 []byte) {
		key, _ := ec.NewPrivateKey(ec.BrainpoolP256r1(), fuzzHex(bsiChipSK))
		for _, oid := range []struct{ id []int }{{lds.OIDCAECDHAESCBCCMAC128}, {lds.OIDCAECDH3DESCBCCBC}} {
			chip, _ := NewChip(ChipConfig{Key: key, Protocol: oid.id, KeyID: intp(1)})
			for _, raw := range [][]byte{c0, c1} {
				cmd, err := apdu.ParseCommand(raw)
				if err != nil || !chip.Accepts(cmd) {
					continue
				}
				resp, s := chip.Respond(cmd)
				if s != nil && resp.SW != apdu.SWOK {
					t.Fatalf("session with %v", resp.SW)
				}
			}
		}
	})
}

// answering is a chip under secure messaging whose plain answers to the
// key agreement commands are scripted; the probe is answered 9000.
type answering struct {
	session *sm.Session
	answers [][]byte
}

func (a *answering) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil || a.session == nil {
		return []byte{0x69, 0x88}, nil
	}
	if _, err := a.session.UnwrapCommand(cmd); err != nil {
		return []byte{0x69, 0x88}, nil
	}
	resp := apdu.Response{SW: apdu.SWOK}
	if len(a.answers) > 0 {
		r, err := apdu.ParseResponse(a.answers[0])
		a.answers = a.answers[1:]
		if err != nil {
			return []byte{}, nil
		}
		resp = r
	}
	out, _ := a.session.WrapResponse(resp)
	return out.Bytes(), nil
}

// FuzzReaderAnswers: the reader never panics on hostile (well protected)
// answers to MSE:Set AT and GENERAL AUTHENTICATE, and returns a session
// exactly when it returns no error.
func FuzzReaderAnswers(f *testing.F) {
	f.Add(fuzzHex("9000"), fuzzHex("7C009000"))
	f.Add(fuzzHex("9000"), fuzzHex("9000"))
	f.Add(fuzzHex("6A80"), fuzzHex(""))
	f.Add(fuzzHex("9000"), fuzzHex("7C148108000102030405060782080001020304050607"+"9000"))
	f.Fuzz(func(t *testing.T, r0, r1 []byte) {
		key, _ := ec.NewPrivateKey(ec.BrainpoolP256r1(), fuzzHex(bsiChipSK))
		p, err := ParamsOf(ptr(caInfo(lds.OIDCAECDHAESCBCCMAC128, nil)), pkInfo(ecSPKI(t, &key.PublicKey, 0), nil))
		if err != nil {
			t.Fatal(err)
		}
		reader, chipSide := pair(t, sm.AES128)
		card := &answering{session: chipSide, answers: [][]byte{r0, r1}}
		s, res, err := Authenticate(context.Background(), nfc.NewTransport(card), reader, p, &Options{Rand: bytes.NewReader(fuzzHex(bsiTermSK))})
		if (s == nil) != (err != nil) || (res == nil) != (err != nil) {
			t.Fatalf("session %v, result %v, err %v", s != nil, res != nil, err)
		}
	})
}
