// Package nfc is idagent's card transport: the Card and Transport
// interfaces that everything above it talks to, the typed errors of the
// smart-card stack, and the card side (Responder) that a software chip
// implements.
//
// Sub-packages hold the implementations: apdu (ISO 7816-4 encoding),
// pcsc (the PC/SC resource manager through github.com/ebfe/scard), vpcd (the
// connector that plugs a software card into the vsmartcard virtual reader of
// a real pcscd) and virtual (an in-process reader for tests and the agent's
// simulate mode).
package nfc

import (
	"context"
	"errors"
)

// Card exchanges raw APDUs with one card. A PC/SC card handle and an
// in-process software chip both satisfy it, so everything above nfc is
// tested without pcscd too.
type Card interface {
	// Transmit sends one command APDU and returns the response APDU (data
	// followed by SW1 SW2). It returns promptly with ctx.Err() when ctx is
	// cancelled, and with an error wrapping ErrCardRemoved when the card left
	// the field.
	Transmit(ctx context.Context, command []byte) ([]byte, error)
}

// Conn is a connected card in a reader: a Card with its ATR and a way to let
// go of it.
type Conn interface {
	Card
	// ATR returns the card's answer to reset (ATS-derived for contactless).
	ATR() []byte
	// Reader names the reader the card is in.
	Reader() string
	// Close disconnects, leaving the card powered in the reader.
	Close() error
}

// Resetter is a connection that can reset its card (a warm reset): the
// chip forgets its secure messaging session, its selections and any
// protocol in progress, as after a power cycle. ICAO 9303-11 §4.1 allows
// BAC or PACE in one session, not both: a reader resets the card before
// BAC after a failed PACE. PC/SC does it with SCardReconnect and
// SCARD_RESET_CARD.
type Resetter interface {
	Reset(ctx context.Context) error
}

// Responder is the card side of an exchange: a software chip. The vpcd
// connector and the in-process virtual reader drive it.
type Responder interface {
	// ATR is the answer to reset the chip presents.
	ATR() []byte
	// Reset is a power cycle: the chip forgets selected files and sessions.
	Reset()
	// Respond answers one command APDU with one response APDU.
	Respond(command []byte) []byte
}

// Typed errors of the card stack. Implementations wrap them with context
// (reader name, operation) so callers test with errors.Is.
var (
	// ErrNoService: the smart-card service (pcscd, SCardSvr) is not running
	// or went away; the monitor re-establishes its context by itself.
	ErrNoService = errors.New("the smart card service is not running")
	// ErrNoReaders: the service runs but no reader is attached.
	ErrNoReaders = errors.New("no smart card reader is connected")
	// ErrReaderRemoved: the reader was unplugged or is unknown.
	ErrReaderRemoved = errors.New("the reader was removed")
	// ErrNoCard: the reader holds no card.
	ErrNoCard = errors.New("no card on the reader")
	// ErrCardRemoved: the card left the reader (or was reset) during use.
	ErrCardRemoved = errors.New("the card was removed")
	// ErrCardUnresponsive: the card does not answer (mute, badly placed).
	ErrCardUnresponsive = errors.New("the card does not respond")
	// ErrSharingViolation: another program holds the card exclusively.
	ErrSharingViolation = errors.New("the card is in use by another program")
	// ErrAPDUTooLong: the reader or its driver cannot pass a command or a
	// response of this length (typically extended length on a reader that
	// only does short APDUs). The card is still there: retry with shorter
	// exchanges.
	ErrAPDUTooLong = errors.New("the reader cannot pass an APDU of this length")
)
