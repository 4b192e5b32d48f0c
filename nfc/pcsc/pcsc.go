//go:build cgo || windows

package pcsc

import (
	"context"
	"errors"
	"fmt"

	"github.com/ebfe/scard"

	"github.com/idagent/idagent/nfc"
)

// pnpReader is the pseudo-reader whose state changes when a reader is
// attached or detached.
const pnpReader = `\\?PnP?\Notification`

func (p Protocol) scard() scard.Protocol {
	switch p {
	case T0:
		return scard.ProtocolT0
	case T1:
		return scard.ProtocolT1
	}
	return scard.ProtocolAny
}

var _ nfc.Manager = (*Manager)(nil)

// New returns a Manager with the default settings.
func New() *Manager { return &Manager{} }

// establish opens a new PC/SC context.
func establish(op string) (*scard.Context, error) {
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap(op+": establish context", "", err, false)
	}
	return sc, nil
}

// listReaders lists the readers of sc; none is an empty list, not an error.
func listReaders(sc *scard.Context) ([]string, error) {
	names, err := sc.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return []string{}, nil
	}
	if err != nil {
		return nil, wrap("list readers", "", err, false)
	}
	return names, nil
}

// Readers lists the attached readers with their card state, using a context
// of its own.
func (m *Manager) Readers(ctx context.Context) ([]nfc.ReaderState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sc, err := establish("readers")
	if err != nil {
		return nil, err
	}
	defer sc.Release()
	names, err := listReaders(sc)
	if err != nil || len(names) == 0 {
		return []nfc.ReaderState{}, err
	}
	states := make([]scard.ReaderState, len(names))
	for i, n := range names {
		states[i] = scard.ReaderState{Reader: n, CurrentState: scard.StateUnaware}
	}
	if err := sc.GetStatusChange(states, 0); err != nil && !errors.Is(err, scard.ErrTimeout) {
		return nil, wrap("reader states", "", err, false)
	}
	out := make([]nfc.ReaderState, 0, len(states))
	for _, st := range states {
		if st.EventState&(scard.StateUnknown|scard.StateIgnore) != 0 {
			continue // detached between the two calls
		}
		out = append(out, readerState(st))
	}
	return out, nil
}

// readerState converts a PC/SC reader state.
func readerState(st scard.ReaderState) nfc.ReaderState {
	rs := nfc.ReaderState{Name: st.Reader}
	if cardPresent(st.EventState) {
		rs.CardPresent = true
		rs.ATR = append([]byte(nil), st.Atr...)
	}
	return rs
}

// cardPresent reports whether a state flag word says a usable card is in the
// reader. A mute card (no ATR) counts as absent: nothing can talk to it.
func cardPresent(f scard.StateFlag) bool {
	return f&scard.StatePresent != 0 && f&scard.StateMute == 0
}

// Connect connects to the card in the named reader with a PC/SC context of
// its own.
func (m *Manager) Connect(ctx context.Context, reader string) (nfc.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		c   *conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := m.connect(reader)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-ctx.Done():
		// SCardConnect cannot be interrupted: let it finish and let go of
		// whatever it got.
		go func() {
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

func (m *Manager) connect(reader string) (*conn, error) {
	sc, err := establish("connect")
	if err != nil {
		return nil, err
	}
	mode := scard.ShareShared
	if m.Exclusive {
		mode = scard.ShareExclusive
	}
	card, err := sc.Connect(reader, mode, m.Protocol.scard())
	if err != nil {
		sc.Release()
		return nil, wrap("connect to", reader, err, false)
	}
	if p := card.ActiveProtocol(); p != scard.ProtocolT0 && p != scard.ProtocolT1 {
		card.Disconnect(scard.LeaveCard)
		sc.Release()
		return nil, fmt.Errorf("pcsc: connect to %q: card negotiated protocol %d, not T=0 or T=1: %w", reader, p, nfc.ErrCardUnresponsive)
	}
	status, err := card.Status()
	if err != nil {
		card.Disconnect(scard.LeaveCard)
		sc.Release()
		return nil, wrap("card status", reader, err, false)
	}
	return newConn(sc, card, reader, status.Atr, mode, m.Protocol.scard()), nil
}
