package bac

import (
	"crypto/rand"
	"crypto/subtle"
	"io"

	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc/apdu"
)

// Chip is the chip end of BAC: it answers GET CHALLENGE and EXTERNAL
// AUTHENTICATE for one document's key seed. Each challenge allows one
// attempt; a failed attempt answers 6300 and leaves no session, as on a
// real chip. A Chip is not safe for concurrent use.
type Chip struct {
	keys      keys
	rng       io.Reader
	challenge []byte // RND.IC of the last GET CHALLENGE; nil when spent
}

// NewChip returns the BAC chip side for K_seed (access.MRZKey.BACSeed). rng
// supplies RND.IC for each challenge and K.IC for each successful
// authentication (crypto/rand when nil).
func NewChip(seed []byte, rng io.Reader) (*Chip, error) {
	k, err := deriveKeys(seed)
	if err != nil {
		return nil, err
	}
	if rng == nil {
		rng = rand.Reader
	}
	return &Chip{keys: k, rng: rng}, nil
}

// Reset forgets an outstanding challenge (power cycle, application
// selection).
func (c *Chip) Reset() { c.challenge = nil }

// GetChallenge answers GET CHALLENGE (00 84 00 00 08) with a fresh RND.IC.
func (c *Chip) GetChallenge(cmd apdu.Command) apdu.Response {
	c.challenge = nil
	if cmd.P1 != 0 || cmd.P2 != 0 {
		return apdu.Response{SW: apdu.SWIncorrectP1P2}
	}
	if cmd.Ne != nonceLen || len(cmd.Data) != 0 {
		return apdu.Response{SW: apdu.SWWrongLength}
	}
	rnd := make([]byte, nonceLen)
	if _, err := io.ReadFull(c.rng, rnd); err != nil {
		return apdu.Response{SW: apdu.SWNoPreciseDiagnosis}
	}
	c.challenge = rnd
	return apdu.Response{Data: append([]byte(nil), rnd...), SW: apdu.SWOK}
}

// ExternalAuthenticate answers EXTERNAL AUTHENTICATE. On success it
// returns E.IC ‖ M.IC with 9000 and the chip's secure messaging session;
// on any failure a status word (6300 for a wrong key) and no session. The
// challenge is spent either way.
func (c *Chip) ExternalAuthenticate(cmd apdu.Command) (apdu.Response, *sm.Session) {
	rndIC := c.challenge
	c.challenge = nil
	switch {
	case cmd.P1 != 0 || cmd.P2 != 0:
		return apdu.Response{SW: apdu.SWIncorrectP1P2}, nil
	case len(cmd.Data) != authDataLen || (cmd.Ne != 0 && cmd.Ne < authDataLen):
		return apdu.Response{SW: apdu.SWWrongLength}, nil
	case rndIC == nil:
		return apdu.Response{SW: apdu.SWConditionsNotSatisfied}, nil
	}
	s, ok := c.keys.open(cmd.Data)
	if !ok || subtle.ConstantTimeCompare(s[nonceLen:2*nonceLen], rndIC) != 1 {
		return apdu.Response{SW: apdu.SWVerifyFailed}, nil
	}
	rndIFD, kIFD := s[:nonceLen], s[2*nonceLen:]
	kIC := make([]byte, keyLen)
	if _, err := io.ReadFull(c.rng, kIC); err != nil {
		return apdu.Response{SW: apdu.SWNoPreciseDiagnosis}, nil
	}
	r := append(append(append([]byte(nil), rndIC...), rndIFD...), kIC...)
	sealed, err := c.keys.seal(r)
	if err != nil {
		return apdu.Response{SW: apdu.SWNoPreciseDiagnosis}, nil
	}
	session, err := newSession(kIFD, kIC, rndIC, rndIFD)
	if err != nil {
		return apdu.Response{SW: apdu.SWNoPreciseDiagnosis}, nil
	}
	return apdu.Response{Data: sealed, SW: apdu.SWOK}, session
}
