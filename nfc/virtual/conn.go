package virtual

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/idagent/idagent/nfc"
)

// conn is a connection to one insertion of a card.
type conn struct {
	m         *Manager
	reader    *reader
	card      *slot
	closeOnce sync.Once
	closed    chan struct{}
}

func (c *conn) ATR() []byte    { return clone(c.card.atr) }
func (c *conn) Reader() string { return c.reader.name }

// Close disconnects. Closing twice is not an error.
func (c *conn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

// Transmit passes command through the reader's limits to the card, waits
// for the link delay and returns the card's response.
func (c *conn) Transmit(ctx context.Context, command []byte) ([]byte, error) {
	resp, err := c.transmit(ctx, command)
	if err != nil {
		return nil, fmt.Errorf("virtual reader %q: transmit: %w", c.reader.name, err)
	}
	return resp, nil
}

func (c *conn) transmit(ctx context.Context, command []byte) ([]byte, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	c.m.mu.Lock()
	cfg := c.reader.cfg
	c.m.mu.Unlock()
	if err := cfg.Limits.checkCommand(command); err != nil {
		return nil, err
	}
	resp, err := c.exchange(ctx, command)
	if err != nil {
		return nil, err
	}
	if err := cfg.Limits.checkResponse(resp); err != nil {
		return nil, err
	}
	if cfg.Delay != nil {
		if err := c.sleep(ctx, cfg.Delay(command, resp)); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// check returns why the connection cannot be used now, or nil.
func (c *conn) check(ctx context.Context) error {
	select {
	case <-c.closed:
		return ErrClosed
	default:
	}
	select {
	case <-c.reader.gone:
		return nfc.ErrReaderRemoved
	default:
	}
	select {
	case <-c.card.removed:
		return nfc.ErrCardRemoved
	default:
	}
	return ctx.Err()
}

// await blocks until ch is ready or the exchange must end, and returns why
// it ended (nil when ch was ready).
func await[T any](ctx context.Context, c *conn, ch <-chan T) error {
	select {
	case <-ch:
		return nil
	case <-c.closed:
	case <-c.reader.gone:
	case <-c.card.removed:
	case <-ctx.Done():
	}
	return c.check(ctx)
}

// exchange runs the responder in its own goroutine so that a removal or a
// cancellation ends the wait even when the responder never answers. The
// responder's lock keeps one exchange at a time per responder, even across
// removal and re-insertion.
func (c *conn) exchange(ctx context.Context, command []byte) ([]byte, error) {
	lock := c.card.lock
	if err := await(ctx, c, lock.sem); err != nil {
		return nil, err
	}
	c.m.locks.hold(lock)
	done := make(chan struct{})
	var resp []byte
	card := c.card
	cmd := clone(command) // the caller may reuse its buffer once we return
	go func() {
		defer func() {
			c.m.locks.unhold(lock)
			lock.sem <- struct{}{}
		}()
		if card.fresh {
			card.fresh = false
			card.responder.Reset()
		}
		resp = clone(card.responder.Respond(cmd))
		close(done)
	}()
	if err := await(ctx, c, done); err != nil {
		return nil, err
	}
	return resp, nil
}

// Reset power-cycles the card (nfc.Resetter), after any exchange in
// progress.
func (c *conn) Reset(ctx context.Context) error {
	if err := c.check(ctx); err != nil {
		return fmt.Errorf("virtual reader %q: reset: %w", c.reader.name, err)
	}
	lock := c.card.lock
	if err := await(ctx, c, lock.sem); err != nil {
		return fmt.Errorf("virtual reader %q: reset: %w", c.reader.name, err)
	}
	c.m.locks.hold(lock)
	defer func() {
		c.m.locks.unhold(lock)
		lock.sem <- struct{}{}
	}()
	c.card.fresh = false
	c.card.responder.Reset()
	return nil
}

// sleep waits d, ending early when the exchange must end.
func (c *conn) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	return await(ctx, c, t.C)
}

// responderLocks gives each responder one lock (a one-token semaphore), so
// a responder abandoned mid-exchange by a removal is never called again
// before it has answered. Responders that cannot be map keys get a lock per
// insertion.
type responderLocks struct {
	mu sync.Mutex
	m  map[any]*responderLock
}

type responderLock struct {
	key  any // nil when not shared
	sem  chan struct{}
	refs int // insertions and exchanges using it
}

func newResponderLock(key any) *responderLock {
	l := &responderLock{key: key, sem: make(chan struct{}, 1)}
	l.sem <- struct{}{}
	return l
}

// acquire returns the lock of r with one more reference.
func (ls *responderLocks) acquire(r nfc.Responder) *responderLock {
	if !reflect.ValueOf(r).Comparable() {
		return newResponderLock(nil)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.m == nil {
		ls.m = map[any]*responderLock{}
	}
	l, ok := ls.m[r]
	if !ok {
		l = newResponderLock(r)
		ls.m[r] = l
	}
	l.refs++
	return l
}

func (ls *responderLocks) hold(l *responderLock) {
	ls.mu.Lock()
	l.refs++
	ls.mu.Unlock()
}

func (ls *responderLocks) unhold(l *responderLock) { ls.release(l) }

// release drops one reference, forgetting the lock when none is left.
func (ls *responderLocks) release(l *responderLock) {
	if l.key == nil {
		return
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		delete(ls.m, l.key)
	}
}
