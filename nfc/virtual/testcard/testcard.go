// Package testcard is a trivial software card for testing the card
// transport: it answers SELECT of its own application and a handful of
// proprietary commands that exercise the transport rules (61xx chaining,
// 6Cxx, long responses, slow answers, reset).
//
// Commands (CLA 80 unless said otherwise), all refused with 6985 until the
// application is selected:
//
//	00 A4 04 0C|00 Lc AID    SELECT the application (AID below): 9000, other AIDs 6A82
//	80 10 00 00 [Lc data] Le ECHO: answers the data back
//	80 20 P1 P2 Le           CHAINED: P1P2 bytes, delivered through 61xx and GET RESPONSE (CLA 00 or 80)
//	80 22 00 P2 Le           EXACT: P2 bytes, but only when Le = P2; otherwise 6CP2
//	80 24 P1 P2 Le           LONG: min(P1P2, Ne) bytes in one response (extended Le for more than 256)
//	80 26 00 00 04           COUNT: commands answered since the last reset, 4 bytes big-endian
//	80 30 P1 P2              SLOW: answers 9000 after P1P2 milliseconds
//
// Response data byte i is byte(i) so that tests check content and order.
package testcard

import (
	"bytes"
	"encoding/binary"
	"sync"
	"time"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// AID is the test application's identifier.
var AID = []byte{0xF0, 0x69, 0x64, 0x61, 0x67, 0x65, 0x6E, 0x74} // F0 "idagent"

// ATR is an ISO 14443-4 contactless ATR as PC/SC part 3 builds it for a card
// without historical bytes.
var ATR = []byte{0x3B, 0x80, 0x80, 0x01, 0x01}

// Instructions of the test application.
const (
	InsEcho    = 0x10
	InsChained = 0x20
	InsExact   = 0x22
	InsLong    = 0x24
	InsCount   = 0x26
	InsSlow    = 0x30
)

// Card is the test card. The zero value is not selected, like after a reset.
type Card struct {
	mu       sync.Mutex
	selected bool
	count    uint32
	pending  []byte // data still to deliver through GET RESPONSE
	resets   int
}

var _ nfc.Responder = (*Card)(nil)

// New returns a test card.
func New() *Card { return &Card{} }

// ATR returns ATR.
func (c *Card) ATR() []byte { return append([]byte(nil), ATR...) }

// Reset deselects the application and clears the counter.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.selected, c.count, c.pending = false, 0, nil
	c.resets++
}

// Resets reports how many times Reset was called.
func (c *Card) Resets() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resets
}

// Respond answers one command APDU.
func (c *Card) Respond(raw []byte) []byte {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return sw(apdu.SWWrongLength)
	}
	if cmd.INS == InsSlow && cmd.CLA == 0x80 {
		// Sleep without holding the lock: a test may reset the card meanwhile.
		time.Sleep(time.Duration(int(cmd.P1)<<8|int(cmd.P2)) * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count++
	if cmd.INS != apdu.InsGetResponse {
		c.pending = nil
	}
	return c.respond(cmd)
}

func (c *Card) respond(cmd apdu.Command) []byte {
	switch {
	case cmd.CLA == 0x00 && cmd.INS == apdu.InsSelect:
		return c.selectApp(cmd)
	case cmd.CLA&0x7F == 0x00 && cmd.INS == apdu.InsGetResponse: // 00 or 80
		return c.getResponse(cmd)
	case !c.selected:
		return sw(apdu.SWConditionsNotSatisfied)
	case cmd.CLA != 0x80:
		return sw(apdu.SWCLANotSupported)
	}
	switch cmd.INS {
	case InsEcho:
		return ok(cmd.Data)
	case InsChained:
		c.pending = pattern(int(cmd.P1)<<8 | int(cmd.P2))
		return c.getResponse(apdu.Command{Ne: 0})
	case InsExact:
		if cmd.Ne != int(cmd.P2) {
			return sw(apdu.SW(0x6C00 | uint16(cmd.P2)))
		}
		return ok(pattern(int(cmd.P2)))
	case InsLong:
		if cmd.Ne == 0 {
			return sw(apdu.SWWrongLength)
		}
		return ok(pattern(min(int(cmd.P1)<<8|int(cmd.P2), cmd.Ne)))
	case InsCount:
		return ok(binary.BigEndian.AppendUint32(nil, c.count))
	case InsSlow:
		return sw(apdu.SWOK)
	}
	return sw(apdu.SWINSNotSupported)
}

func (c *Card) selectApp(cmd apdu.Command) []byte {
	if cmd.P1 != 0x04 {
		return sw(apdu.SWIncorrectP1P2)
	}
	if !bytes.Equal(cmd.Data, AID) {
		return sw(apdu.SWFileNotFound)
	}
	c.selected = true
	return sw(apdu.SWOK)
}

// getResponse delivers up to Ne pending bytes (none for Ne = 0), then 61xx
// while more remain.
func (c *Card) getResponse(cmd apdu.Command) []byte {
	if c.pending == nil {
		return sw(apdu.SWConditionsNotSatisfied)
	}
	n := min(cmd.Ne, len(c.pending))
	out := append([]byte(nil), c.pending[:n]...)
	c.pending = c.pending[n:]
	if len(c.pending) == 0 {
		c.pending = nil
		return ok(out)
	}
	next := min(len(c.pending), 256)
	return apdu.Response{Data: out, SW: apdu.SW(0x6100 | uint16(next&0xFF))}.Bytes()
}

// pattern returns n bytes whose byte i is byte(i).
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func ok(data []byte) []byte { return apdu.Response{Data: data, SW: apdu.SWOK}.Bytes() }

func sw(s apdu.SW) []byte { return apdu.Response{SW: s}.Bytes() }
