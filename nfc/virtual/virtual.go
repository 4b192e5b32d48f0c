// Package virtual is an in-process smart-card resource manager: named
// readers into which any nfc.Responder (a software chip) is inserted and from
// which it is removed at runtime. It satisfies nfc.Manager, so the agent's
// simulate mode and every test above nfc run the same code as with pcscd,
// without pcscd.
//
// A reader can be given the limits of a real one (longest command and
// response it passes, short APDUs only) so that fallbacks can be tested, and
// a delay per exchange that models the radio link.
//
// Removing a card makes every exchange in flight and every later Transmit on
// its connections fail with an error wrapping nfc.ErrCardRemoved; removing a
// reader gives nfc.ErrReaderRemoved. Neither ever hangs, even when the
// responder itself never answers. All methods are safe for concurrent use.
package virtual

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/idagent/idagent/nfc"
)

// ErrClosed is returned by Transmit on a connection that was closed.
var ErrClosed = errors.New("virtual: connection closed")

// ErrReaderExists is returned by AddReader for a name already in use.
var ErrReaderExists = errors.New("virtual: reader already exists")

// Limits are the APDU lengths a reader passes. The zero value passes
// everything.
type Limits struct {
	// MaxCommand is the longest command APDU in bytes the reader passes;
	// 0 means no limit.
	MaxCommand int
	// MaxResponse is the longest response APDU in bytes (data and status
	// word) the reader passes back; 0 means no limit.
	MaxResponse int
	// ShortOnly makes the reader refuse extended-length commands and
	// responses longer than a short APDU (256 data bytes and the status
	// word), like readers whose driver only does short APDUs.
	ShortOnly bool
}

// maxShortResponse is the longest short response APDU: 256 data bytes and
// SW1 SW2.
const maxShortResponse = 256 + 2

// checkCommand reports whether the reader passes command.
func (l Limits) checkCommand(command []byte) error {
	if l.MaxCommand > 0 && len(command) > l.MaxCommand {
		return fmt.Errorf("command of %d bytes exceeds the reader's %d: %w", len(command), l.MaxCommand, nfc.ErrAPDUTooLong)
	}
	if l.ShortOnly && isExtended(command) {
		return fmt.Errorf("extended-length command on a short-APDU reader: %w", nfc.ErrAPDUTooLong)
	}
	return nil
}

// checkResponse reports whether the reader passes response.
func (l Limits) checkResponse(response []byte) error {
	if l.MaxResponse > 0 && len(response) > l.MaxResponse {
		return fmt.Errorf("response of %d bytes exceeds the reader's %d: %w", len(response), l.MaxResponse, nfc.ErrAPDUTooLong)
	}
	if l.ShortOnly && len(response) > maxShortResponse {
		return fmt.Errorf("response of %d bytes on a short-APDU reader: %w", len(response), nfc.ErrAPDUTooLong)
	}
	return nil
}

// isExtended reports whether a command APDU uses extended length fields: a
// body longer than one byte starting with 00 (a short Lc is never 00).
func isExtended(command []byte) bool {
	return len(command) > 5 && command[4] == 0
}

// Delay returns how long one exchange takes on the link between reader and
// card, given the command and the card's response. A link model plugs in
// here; Transmit waits that long before it returns the response, and the wait
// ends early when the context is cancelled or the card is removed.
type Delay func(command, response []byte) time.Duration

// ReaderConfig configures one reader.
type ReaderConfig struct {
	Limits Limits
	Delay  Delay // nil: no delay
}

// Manager is a set of virtual readers. The zero value is not usable; call
// New.
type Manager struct {
	mu       sync.Mutex
	readers  map[string]*reader
	order    []string // reader names in the order they were added
	watchers map[*watcher]struct{}
	locks    responderLocks
}

var _ nfc.Manager = (*Manager)(nil)

// New returns a Manager holding empty readers with the given names and a
// default configuration.
func New(readers ...string) *Manager {
	m := &Manager{readers: map[string]*reader{}, watchers: map[*watcher]struct{}{}}
	for _, name := range readers {
		if err := m.AddReader(name, ReaderConfig{}); err != nil {
			panic(err) // duplicate names in the caller's literal list
		}
	}
	return m
}

// reader is one virtual reader. gone is closed when it is removed.
type reader struct {
	name string
	cfg  ReaderConfig
	card *slot // nil when empty
	gone chan struct{}
}

// slot is one insertion of a card: a new slot per Insert, so connections to
// an earlier insertion of the same responder still see it removed.
type slot struct {
	responder nfc.Responder
	atr       []byte
	removed   chan struct{}
	lock      *responderLock
	fresh     bool // not yet reset: the first exchange powers it up
}

// AddReader attaches a new empty reader.
func (m *Manager) AddReader(name string, cfg ReaderConfig) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.readers[name]; ok {
		return fmt.Errorf("add reader %q: %w", name, ErrReaderExists)
	}
	m.readers[name] = &reader{name: name, cfg: cfg, gone: make(chan struct{})}
	m.order = append(m.order, name)
	m.broadcast(nfc.Event{Kind: nfc.ReaderAdded, Reader: name})
	return nil
}

// Configure changes the limits and delay of a reader. Exchanges already
// running keep the configuration they started with.
func (m *Manager) Configure(name string, cfg ReaderConfig) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.lookup("configure", name)
	if err != nil {
		return err
	}
	r.cfg = cfg
	return nil
}

// RemoveReader unplugs a reader, removing its card first.
func (m *Manager) RemoveReader(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.lookup("remove reader", name)
	if err != nil {
		return err
	}
	close(r.gone) // first, so that exchanges woken by the ejection see the reader gone
	m.eject(r)
	delete(m.readers, name)
	m.order = slices.DeleteFunc(m.order, func(n string) bool { return n == name })
	m.broadcast(nfc.Event{Kind: nfc.ReaderRemoved, Reader: name})
	return nil
}

// Insert puts a card into a reader, removing the card already there. The
// card is powered up: its Reset is called before its first exchange.
func (m *Manager) Insert(name string, card nfc.Responder) error {
	if card == nil {
		return fmt.Errorf("insert into %q: nil responder", name)
	}
	atr := append([]byte(nil), card.ATR()...)
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.lookup("insert", name)
	if err != nil {
		return err
	}
	m.eject(r)
	r.card = &slot{
		responder: card,
		atr:       atr,
		removed:   make(chan struct{}),
		lock:      m.locks.acquire(card),
		fresh:     true,
	}
	m.broadcast(nfc.Event{Kind: nfc.CardInserted, Reader: name, ATR: clone(atr)})
	return nil
}

// Remove takes the card out of a reader. Removing from an empty reader is
// not an error.
func (m *Manager) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.lookup("remove card from", name)
	if err != nil {
		return err
	}
	m.eject(r)
	return nil
}

// eject removes the card of r, if any. m.mu is held.
func (m *Manager) eject(r *reader) {
	if r.card == nil {
		return
	}
	close(r.card.removed)
	m.locks.release(r.card.lock)
	r.card = nil
	m.broadcast(nfc.Event{Kind: nfc.CardRemoved, Reader: r.name})
}

// lookup finds a reader by name. m.mu is held.
func (m *Manager) lookup(op, name string) (*reader, error) {
	r, ok := m.readers[name]
	if !ok {
		return nil, fmt.Errorf("%s virtual reader %q: %w", op, name, nfc.ErrReaderRemoved)
	}
	return r, nil
}

// Readers lists the readers in the order they were added.
func (m *Manager) Readers(ctx context.Context) ([]nfc.ReaderState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snapshot(), nil
}

// snapshot returns the state of every reader. m.mu is held.
func (m *Manager) snapshot() []nfc.ReaderState {
	states := make([]nfc.ReaderState, 0, len(m.order))
	for _, name := range m.order {
		r := m.readers[name]
		st := nfc.ReaderState{Name: name}
		if r.card != nil {
			st.CardPresent = true
			st.ATR = clone(r.card.atr)
		}
		states = append(states, st)
	}
	return states
}

// Connect connects to the card in the named reader.
func (m *Manager) Connect(ctx context.Context, name string) (nfc.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.lookup("connect to", name)
	if err != nil {
		return nil, err
	}
	if r.card == nil {
		return nil, fmt.Errorf("connect to virtual reader %q: %w", name, nfc.ErrNoCard)
	}
	return &conn{m: m, reader: r, card: r.card, closed: make(chan struct{})}, nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
