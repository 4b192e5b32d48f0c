package pace

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// unhex decodes hex written with spaces, as the specifications print it.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// card is an in-process card holding a PACE chip. It records every
// exchange and, after a successful run, answers protected commands with
// the chip's session (a protected SELECT answers 9000).
type card struct {
	chip    *Chip
	session *sm.Session
	log     []string // "C:HEX" and "R:HEX"
}

func (c *card) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	c.log = append(c.log, fmt.Sprintf("C:%X", raw))
	out := c.respond(raw).Bytes()
	c.log = append(c.log, fmt.Sprintf("R:%X", out))
	return out, nil
}

func (c *card) respond(raw []byte) apdu.Response {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return apdu.Response{SW: apdu.SWWrongLength}
	}
	if cmd.CLA&0x0C != 0 {
		return c.secured(cmd)
	}
	c.session = nil
	if !c.chip.Accepts(cmd) {
		return apdu.Response{SW: apdu.SWINSNotSupported}
	}
	resp, s := c.chip.Respond(cmd)
	if s != nil {
		c.session = s
	}
	return resp
}

func (c *card) secured(cmd apdu.Command) apdu.Response {
	if c.session == nil {
		return apdu.Response{SW: apdu.SWSMDataObjectsIncorrect}
	}
	if _, err := c.session.UnwrapCommand(cmd); err != nil {
		c.session = nil
		return apdu.Response{SW: sm.ChipStatus(err)}
	}
	resp, _ := c.session.WrapResponse(apdu.Response{SW: apdu.SWOK})
	return resp
}

// checkLog compares the recorded exchanges with the expected ones.
func checkLog(t *testing.T, got []string, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d exchanges, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		w := strings.Join(strings.Fields(want[i]), "")
		if got[i] != w {
			t.Errorf("exchange %d:\n got %s\nwant %s", i, got[i], w)
		}
	}
}

// sameKeys reports whether two sessions protect a command identically.
// It advances both sessions' SSC: check sessions last.
func sameKeys(t *testing.T, a, b *sm.Session) bool {
	t.Helper()
	cmd := apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x0C, Data: []byte{1, 0x1E}}
	wa, err := a.WrapCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.WrapCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(wa.MustBytes(), wb.MustBytes())
}

// checkSession checks a session against published keys and SSC 0. It
// advances the session's SSC: call it after the session's last use.
func checkSession(t *testing.T, s *sm.Session, c sm.Cipher, enc, mac []byte) {
	t.Helper()
	want, err := sm.NewSession(c, enc, mac, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.SSC(), make([]byte, c.BlockSize())) {
		t.Errorf("SSC %X, want zero", s.SSC())
	}
	if !sameKeys(t, s, want) {
		t.Error("session keys differ from the published KSEnc/KSMAC")
	}
}

func mrzKey(t testing.TB, doc, dob, doe string) *access.MRZKey {
	t.Helper()
	k, err := access.NewMRZKey(doc, dob, doe)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func canKey(t testing.TB, digits string) *access.CAN {
	t.Helper()
	k, err := access.NewCAN(digits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// roundTrip runs the reader with p against a chip.
func roundTrip(t testing.TB, chip *Chip, key access.Key, p Params, opts *Options) (*sm.Session, *Result, *card, error) {
	t.Helper()
	c := &card{chip: chip}
	s, res, err := Run(context.Background(), nfc.NewTransport(c), key, p, opts)
	return s, res, c, err
}

// generator returns the encoded current generator.
func generator(d keyagree.Domain) []byte {
	if d.Curve != nil {
		return d.Curve.Marshal(d.Curve.G())
	}
	return d.Group.Encode(d.Group.G())
}
