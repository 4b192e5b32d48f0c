//go:build cgo || windows

package pcsc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ebfe/scard"

	"github.com/idagent/idagent/nfc"
)

// ErrClosed is returned by Transmit on a closed connection.
var ErrClosed = errors.New("pcsc: connection closed")

// minCommand is the shortest command APDU PC/SC accepts: the header.
const minCommand = 4

// conn is a card handle with its own context. One exchange runs at a time:
// the token in sem is the right to use the handle. SCardTransmit cannot be
// interrupted, so a cancelled Transmit returns at once and the exchange
// finishes in the background, holding the token until it does.
type conn struct {
	sc     *scard.Context
	card   *scard.Card
	reader string
	atr    []byte
	mode   scard.ShareMode // how the card was connected, for Reset
	proto  scard.Protocol

	sem       chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	closeErr  error
}

func newConn(sc *scard.Context, card *scard.Card, reader string, atr []byte, mode scard.ShareMode, proto scard.Protocol) *conn {
	c := &conn{
		sc: sc, card: card, reader: reader, atr: append([]byte(nil), atr...), mode: mode, proto: proto,
		sem: make(chan struct{}, 1), closed: make(chan struct{}),
	}
	c.sem <- struct{}{}
	return c
}

func (c *conn) ATR() []byte    { return append([]byte(nil), c.atr...) }
func (c *conn) Reader() string { return c.reader }

// Close disconnects, leaving the card powered, and releases the context. If
// an abandoned exchange is still running, that happens when it ends.
func (c *conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		select {
		case <-c.sem:
			c.closeErr = c.dispose()
		default: // the exchange in flight disposes of the handle
		}
	})
	return c.closeErr
}

// unlock returns the token, or disposes of the handle when the connection
// was closed meanwhile.
func (c *conn) unlock() {
	select {
	case <-c.closed:
		c.dispose()
	default:
		c.sem <- struct{}{}
	}
}

func (c *conn) dispose() error {
	err := c.card.Disconnect(scard.LeaveCard)
	c.sc.Release()
	if err != nil && !errors.Is(err, scard.ErrInvalidHandle) {
		return wrap("disconnect from", c.reader, err, false)
	}
	return nil
}

// Transmit sends one command APDU and returns the response. It checks ctx
// before the exchange and returns as soon as ctx is done, even while the
// reader has not answered yet.
func (c *conn) Transmit(ctx context.Context, command []byte) ([]byte, error) {
	if len(command) < minCommand {
		return nil, fmt.Errorf("pcsc: transmit to %q: command of %d bytes is shorter than its header", c.reader, len(command))
	}
	select {
	case <-c.closed:
		return nil, ErrClosed
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case <-c.sem:
	case <-c.closed:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-c.closed:
		c.unlock()
		return nil, ErrClosed
	default:
	}
	type result struct {
		resp []byte
		err  error
	}
	done := make(chan result, 1)
	cmd := append([]byte(nil), command...) // the caller may reuse its buffer once we return
	go func() {
		defer c.unlock()
		resp, err := c.card.Transmit(cmd)
		if err == nil && len(resp) < 2 {
			// vpcd reports a card that left mid-exchange as an empty answer.
			err = fmt.Errorf("response of %d bytes: %w", len(resp), nfc.ErrCardUnresponsive)
		}
		if err != nil {
			err = c.diagnose(err)
		}
		done <- result{resp, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		// scard returns a slice of a 64 KiB buffer: keep only the response.
		return append([]byte(nil), r.resp...), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Reset resets the card (nfc.Resetter): SCardReconnect with
// SCARD_RESET_CARD, keeping the connection. Like Transmit it returns as
// soon as ctx is done.
func (c *conn) Reset(ctx context.Context) error {
	select {
	case <-c.closed:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	case <-c.sem:
	}
	done := make(chan error, 1)
	go func() {
		defer c.unlock()
		err := c.card.Reconnect(c.mode, c.proto, scard.ResetCard)
		if err != nil {
			err = wrap("reset the card in", c.reader, err, false)
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// diagnoseTimeout bounds the wait for the service to notice that a card
// left. pcscd polls readers like vpcd about every 400 ms.
const diagnoseTimeout = time.Second

// diagnose turns a failed exchange into the typed error it means. A card
// pulled mid-exchange first shows as a failed transaction or a
// communication error; the reader state, once the service has noticed,
// tells a removed card (or reader) from an unresponsive one.
func (c *conn) diagnose(err error) error {
	if !errors.Is(err, nfc.ErrCardUnresponsive) && typed(err, true) != nfc.ErrCardUnresponsive {
		return wrap("transmit to", c.reader, err, true)
	}
	switch gone := c.cardGone(diagnoseTimeout); {
	case errors.Is(gone, nfc.ErrCardRemoved), errors.Is(gone, nfc.ErrReaderRemoved):
		return fmt.Errorf("pcsc: transmit to %q: %w (%w)", c.reader, gone, err)
	}
	return wrap("transmit to", c.reader, err, true)
}

// cardGone waits up to timeout for the card to leave the reader and
// returns nfc.ErrCardRemoved or nfc.ErrReaderRemoved if it does, nil if it
// stays. It runs on the goroutine that holds the connection's context.
func (c *conn) cardGone(timeout time.Duration) error {
	states := []scard.ReaderState{{Reader: c.reader, CurrentState: scard.StateUnaware}}
	deadline := time.Now().Add(timeout)
	var first scard.StateFlag
	for i := 0; ; i++ {
		wait := time.Until(deadline)
		if i == 0 {
			wait = 0
		} else if wait <= 0 {
			return nil
		}
		err := c.sc.GetStatusChange(states, wait)
		if errors.Is(err, scard.ErrTimeout) {
			continue
		}
		if err != nil {
			return typed(err, true)
		}
		ev := states[0].EventState
		switch {
		case ev&(scard.StateUnknown|scard.StateUnavailable) != 0:
			return nfc.ErrReaderRemoved
		case !cardPresent(ev):
			return nfc.ErrCardRemoved
		case i == 0:
			first = ev
		case first>>16 != ev>>16: // the event counter moved: another card
			return nfc.ErrCardRemoved
		}
		states[0].CurrentState = ev &^ scard.StateChanged
	}
}
