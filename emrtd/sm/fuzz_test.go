package sm

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/idagent/idagent/nfc/apdu"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzUnwrapCommand feeds the chip side arbitrary protected commands. It
// must never panic, and whatever it accepts must come back from a reader
// that wraps the plain command with the same SSC.
func FuzzUnwrapCommand(f *testing.F) {
	for _, step := range appendixDSteps {
		f.Add(mustHex(step.protected))
	}
	f.Add(mustHex("0C2281B62D872101B37BB57DA1DB37D1C49604917BD699E61D6A3074E69E4067A1B39903882336338E08F36526DE03A31A1900"))
	f.Add(mustHex("0CB000000D97020000850180" + "8E08ED6705417E96BA55" + "0000"))
	f.Add([]byte{0x0C, 0xB0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		cmd, err := apdu.ParseCommand(raw)
		if err != nil {
			return
		}
		ksEnc := mustHex("979EC13B1CBFE9DCD01AB0FED307EAE5")
		ksMAC := mustHex("F1CB1F1FB5ADF208806B89DC579DC1F8")
		ssc := mustHex("887022120C06C226")
		chip, _ := NewSession(TDES, ksEnc, ksMAC, ssc)
		plain, err := chip.UnwrapCommand(cmd)
		if err != nil {
			if chip.State() != Closed {
				t.Fatal("failed command left the session open")
			}
			return
		}
		reader, _ := NewSession(TDES, ksEnc, ksMAC, ssc)
		again, err := reader.WrapCommand(plain)
		if err != nil {
			t.Fatalf("accepted command cannot be rewrapped: %v", err)
		}
		if !bytes.Equal(again.Data[len(again.Data)-8:], cmd.Data[len(cmd.Data)-8:]) {
			t.Fatal("accepted command with a MAC the reader would not compute")
		}
	})
}

// FuzzUnwrapResponse feeds the reader side arbitrary responses to an
// Appendix D command. It must never panic; a failure other than an
// unprotected status word closes the session, and an unprotected status
// word leaves the SSC untouched.
func FuzzUnwrapResponse(f *testing.F) {
	for _, step := range appendixDSteps {
		f.Add(mustHex(step.protResp))
	}
	f.Add(mustHex("6A82"))
	f.Add(mustHex("8709019FF0EC34F99226518E08AD55CC17140B2DED9000"))
	f.Add(mustHex("85089FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		resp, err := apdu.ParseResponse(raw)
		if err != nil {
			return
		}
		reader, _ := NewSession(TDES, mustHex("979EC13B1CBFE9DCD01AB0FED307EAE5"),
			mustHex("F1CB1F1FB5ADF208806B89DC579DC1F8"), mustHex("887022120C06C228"))
		if _, err := reader.WrapCommand(apdu.Command{INS: 0xB0, Ne: 4}); err != nil {
			t.Fatal(err)
		}
		_, err = reader.UnwrapResponse(resp)
		if err == nil {
			return
		}
		if _, plain := err.(*PlainStatusError); plain {
			if !bytes.Equal(reader.SSC(), mustHex("887022120C06C228")) || reader.State() != Open {
				t.Fatal("plain status moved the SSC or closed the session")
			}
		} else if reader.State() != Closed {
			t.Fatal("failed response left the session open")
		}
	})
}
