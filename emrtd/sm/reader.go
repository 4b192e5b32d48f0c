package sm

import (
	"context"
	"fmt"
	"sync"

	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// WrapCommand increments the SSC and returns the protected form of cmd:
// CLA with bits 3–4 set, data DO'87' (DO'85' for an odd INS), DO'97' when
// cmd expects response data, and DO'8E'. The protected command always
// expects a response (Le = 00, or 0000 when extended length is needed); it
// is extended when its data exceed 255 bytes, when cmd expects more than
// 256 bytes, or when cmd.ForceExtended is set.
func (s *Session) WrapCommand(cmd apdu.Command) (apdu.Command, error) {
	if s.state != Open {
		return apdu.Command{}, ErrClosed
	}
	if cmd.Ne < 0 || cmd.Ne > apdu.MaxExtendedNe || len(cmd.Data) > apdu.MaxExtendedNc {
		return apdu.Command{}, apdu.ErrTooLong
	}
	s.saved = append(s.saved[:0], s.ssc...)
	s.incrementSSC()
	var objects []byte
	if len(cmd.Data) > 0 {
		objects = s.dataObject(cmd.Data, cmd.INS&1 == 1)
	}
	if cmd.Ne > 0 {
		objects = append(objects, tlv.Encode(0x97, encodeLe(cmd.Ne))...)
	}
	mac := s.checksum(s.header(cmd.CLA, cmd.INS, cmd.P1, cmd.P2), objects)
	objects = append(objects, tlv.Encode(0x8E, mac)...)
	if len(objects) > apdu.MaxExtendedNc {
		s.restore()
		return apdu.Command{}, apdu.ErrTooLong
	}
	out := apdu.Command{CLA: cmd.CLA | 0x0C, INS: cmd.INS, P1: cmd.P1, P2: cmd.P2, Data: objects}
	out.ForceExtended = cmd.ForceExtended || cmd.Ne > apdu.MaxShortNe || len(objects) > apdu.MaxShortNc
	out.Ne = apdu.MaxShortNe
	if out.ForceExtended {
		out.Ne = apdu.MaxExtendedNe
	}
	return out, nil
}

// restore puts the SSC back to its value before the last WrapCommand.
func (s *Session) restore() {
	if len(s.saved) == len(s.ssc) {
		copy(s.ssc, s.saved)
	}
}

// CountCommand steps the SSC past the last command after an unprotected
// answer put it back (UnwrapResponse): for a chip that counted the refused
// command but not its answer (real-chips SM-02c), so the next command
// carries the SSC the chip expects.
func (s *Session) CountCommand() { s.incrementSSC() }

// UnwrapResponse checks and decrypts the response to the last wrapped
// command. A response without data objects is an unprotected status word:
// it returns a *PlainStatusError and puts the SSC back to its value before
// the command. A wrong or missing MAC, or malformed objects, close the
// session (ErrMAC, ErrMissingObjects, ErrMalformed). The status word
// returned is the one of DO'99' (the outer one when DO'99' is absent).
func (s *Session) UnwrapResponse(resp apdu.Response) (apdu.Response, error) {
	if s.state != Open {
		return apdu.Response{}, ErrClosed
	}
	if len(resp.Data) == 0 {
		s.restore()
		return apdu.Response{}, &PlainStatusError{SW: resp.SW}
	}
	m, err := parseObjects(resp.Data, false)
	if err != nil {
		return apdu.Response{}, s.fail(fmt.Errorf("response: %w", err))
	}
	s.incrementSSC()
	if err := s.verify(m, m.macked); err != nil {
		return apdu.Response{}, s.fail(fmt.Errorf("response: %w", err))
	}
	out := apdu.Response{SW: resp.SW}
	if m.status.Tag != 0 {
		if len(m.status.Value) != 2 {
			return apdu.Response{}, s.fail(fmt.Errorf("response: %w: DO'99' of %d bytes", ErrMalformed, len(m.status.Value)))
		}
		out.SW = apdu.SW(uint16(m.status.Value[0])<<8 | uint16(m.status.Value[1]))
	}
	if m.crypto.Tag != 0 {
		c, err := cryptogram(m.crypto)
		if err != nil {
			return apdu.Response{}, s.fail(fmt.Errorf("response: %w", err))
		}
		if out.Data, err = s.decrypt(c); err != nil {
			return apdu.Response{}, s.fail(fmt.Errorf("response: %w", err))
		}
	}
	return out, nil
}

// Channel is the reader end of a secure messaging session: an
// nfc.Transport that protects every command it is given and checks every
// response before passing it on to the transport underneath. It is safe for
// concurrent use (exchanges are serialised).
type Channel struct {
	mu      sync.Mutex
	next    nfc.Transport
	session *Session
}

// NewChannel returns a channel that protects the commands sent to next
// with session.
func NewChannel(next nfc.Transport, session *Session) *Channel {
	return &Channel{next: next, session: session}
}

// Session returns the channel's session.
func (c *Channel) Session() *Session { return c.session }

// maxWrongLe bounds the 6Cxx retries under secure messaging.
const maxWrongLe = 2

// Exchange protects cmd, sends it and returns the checked, decrypted
// response. A protected 6Cxx (wrong Le) is retried with Ne = SW2. Errors:
// *PlainStatusError for an unprotected status word (SSC unchanged), ErrMAC
// and friends when the response fails its checks (session closed), ErrClosed
// once closed, and the transport's errors (nfc.ErrCardRemoved, ...) as they
// come, with the SSC put back.
func (c *Channel) Exchange(ctx context.Context, cmd apdu.Command) (apdu.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; ; i++ {
		resp, err := c.exchangeOnce(ctx, cmd)
		if err != nil || resp.SW.SW1() != 0x6C || i >= maxWrongLe {
			return resp, err
		}
		cmd.Ne = int(resp.SW.SW2())
		if cmd.Ne == 0 {
			cmd.Ne = apdu.MaxShortNe
		}
	}
}

func (c *Channel) exchangeOnce(ctx context.Context, cmd apdu.Command) (apdu.Response, error) {
	protected, err := c.session.WrapCommand(cmd)
	if err != nil {
		return apdu.Response{}, fmt.Errorf("%v: %w", cmd, err)
	}
	resp, err := c.next.Exchange(ctx, protected)
	if err != nil {
		// The chip may never have seen the command; if it did, the next
		// command fails its MAC and the caller authenticates again.
		c.session.restore()
		return apdu.Response{}, err
	}
	out, err := c.session.UnwrapResponse(resp)
	if err != nil {
		return apdu.Response{}, fmt.Errorf("%v: %w", cmd, err)
	}
	return out, nil
}
