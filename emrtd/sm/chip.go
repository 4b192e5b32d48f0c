package sm

import (
	"fmt"

	"github.com/idagent/idagent/nfc/apdu"
)

// UnwrapCommand is the chip's check of a protected command: it increments
// the SSC, verifies DO'8E' over the header and the other data objects,
// decrypts DO'87'/DO'85' and reads Ne from DO'97'. Like a real chip, any
// failure (an unprotected CLA, missing or malformed objects, a wrong MAC,
// which is also what a replayed command with a stale SSC gives) closes the
// session: the chip answers ChipStatus(err) unprotected and forgets its
// access rights. The plain command returned has CLA bits 3–4 cleared.
func (s *Session) UnwrapCommand(cmd apdu.Command) (apdu.Command, error) {
	if s.state != Open {
		return apdu.Command{}, ErrClosed
	}
	if cmd.CLA&0x0C != 0x0C {
		return apdu.Command{}, s.fail(fmt.Errorf("%w: command class %02X is not protected", ErrMissingObjects, cmd.CLA))
	}
	m, err := parseObjects(cmd.Data, true)
	if err != nil {
		return apdu.Command{}, s.fail(fmt.Errorf("command: %w", err))
	}
	s.saved = append(s.saved[:0], s.ssc...)
	s.incrementSSC()
	if err := s.verify(m, s.header(cmd.CLA, cmd.INS, cmd.P1, cmd.P2), m.macked); err != nil {
		return apdu.Command{}, s.fail(fmt.Errorf("command: %w", err))
	}
	plain := apdu.Command{CLA: cmd.CLA &^ 0x0C, INS: cmd.INS, P1: cmd.P1, P2: cmd.P2}
	if m.le.Tag != 0 {
		if plain.Ne, err = decodeLe(m.le.Value); err != nil {
			return apdu.Command{}, s.fail(fmt.Errorf("command: %w", err))
		}
	}
	if m.crypto.Tag != 0 {
		c, err := cryptogram(m.crypto)
		if err != nil {
			return apdu.Command{}, s.fail(fmt.Errorf("command: %w", err))
		}
		if plain.Data, err = s.decrypt(c); err != nil {
			return apdu.Command{}, s.fail(fmt.Errorf("command: %w", err))
		}
	}
	plain.ForceExtended = plain.Ne > apdu.MaxShortNe || len(plain.Data) > apdu.MaxShortNc
	s.oddINS = cmd.INS&1 == 1
	return plain, nil
}

// Uncount puts the SSC back to its value before the last unwrapped
// command: the chip refused it with a plain status word as if it had never
// processed it under secure messaging (a length check before secure
// messaging, gmrtd #457), so the reader's next command carries the SSC the
// refused one did.
func (s *Session) Uncount() { s.restore() }

// WrapResponse is the chip's protection of the response to the last
// unwrapped command: it increments the SSC and returns DO'87' (DO'85' after
// an odd INS) when there is data, DO'99' with the status word and DO'8E'.
// The outer status word repeats the inner one, except that 61xx and 6Cxx
// are carried inside only (outer 9000), so that the transport's GET
// RESPONSE and resend rules do not replay a protected command.
func (s *Session) WrapResponse(resp apdu.Response) (apdu.Response, error) {
	if s.state != Open {
		return apdu.Response{}, ErrClosed
	}
	s.incrementSSC()
	var objects []byte
	if len(resp.Data) > 0 {
		objects = s.dataObject(resp.Data, s.oddINS)
	}
	objects = append(objects, 0x99, 0x02, resp.SW.SW1(), resp.SW.SW2())
	objects = append(objects, 0x8E, 0x08)
	objects = append(objects, s.checksum(objects[:len(objects)-2])...)
	outer := resp.SW
	if sw1 := outer.SW1(); sw1 == 0x61 || sw1 == 0x6C {
		outer = apdu.SWOK
	}
	return apdu.Response{Data: objects, SW: outer}, nil
}
