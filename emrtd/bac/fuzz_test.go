package bac

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

func seedKey() *access.MRZKey {
	k, err := access.NewMRZKey("L898902C<", "690806", "940623")
	if err != nil {
		panic(err)
	}
	return k
}

// FuzzChipExternalAuthenticate: the chip side never panics on a hostile
// EXTERNAL AUTHENTICATE and opens a session only with 9000.
func FuzzChipExternalAuthenticate(f *testing.F) {
	ea, _ := hex.DecodeString("008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728")
	f.Add(ea)
	f.Add([]byte{0, 0x82, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		cmd, err := apdu.ParseCommand(raw)
		if err != nil {
			return
		}
		rnd, _ := hex.DecodeString("46089F19887022120B4F80323EB3191CB04970CB4052790B")
		chip, _ := NewChip(seedKey().BACSeed(), bytes.NewReader(rnd))
		chip.GetChallenge(apdu.Command{INS: 0x84, Ne: 8})
		resp, s := chip.ExternalAuthenticate(cmd)
		if (s != nil) != (resp.SW == apdu.SWOK) {
			t.Fatalf("session %v with %v", s != nil, resp.SW)
		}
	})
}

// FuzzReaderResponses: the reader side never panics on hostile answers to
// GET CHALLENGE and EXTERNAL AUTHENTICATE.
func FuzzReaderResponses(f *testing.F) {
	ch, _ := hex.DecodeString("4608F919887022129000")
	ea, _ := hex.DecodeString("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000")
	f.Add(ch, ea)
	f.Add(ch, []byte{0x63, 0x00})
	f.Add([]byte{0x90}, []byte{})
	f.Fuzz(func(t *testing.T, challenge, answer []byte) {
		s := scripted{challenge, answer}
		rnd, _ := hex.DecodeString("781723860C06C2260B795240CB7049B01C19B33E32804F0B")
		session, err := Authenticate(context.Background(), nfc.NewTransport(&s), seedKey(), bytes.NewReader(rnd))
		if (session == nil) == (err == nil) {
			t.Fatalf("session %v, err %v", session != nil, err)
		}
	})
}
