// Package session is the agent's core: a hub that watches an nfc.Manager,
// fans reader and card events out to every connection, and runs reads (one
// per reader) whose identity goes only to the connection that started them,
// filtered by that connection's field policy.
package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/clock"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/nfc"
)

// Sink receives events for one connection. Event must not block: it queues
// the event or, when the connection cannot keep up, drops the connection and
// returns false.
type Sink interface {
	Event(name string, data any) bool
}

// Hub tracks readers and cards and runs reads.
type Hub struct {
	mgr     nfc.Manager
	reader  Reader
	log     *zap.Logger
	ignore  func(reader string) bool
	timeout time.Duration
	clock   clock.Clock
	// maxPerOrigin bounds the reads one origin has waiting or running.
	maxPerOrigin int

	mu      sync.Mutex
	readers map[string]*readerState
	order   []string // reader names in the order they appeared
	pcscOK  bool
	sinks   map[Sink]struct{}
	reads   map[string]*read
	waiting []*read       // reads waiting for a card on any reader, in arrival order
	changed chan struct{} // closed and replaced on every reader or card change
	stopped bool
	wg      sync.WaitGroup
}

type readerState struct {
	name    string
	atr     []byte
	present bool
	gen     uint64 // incremented on every card insertion
	read    *read  // the read holding the reader, if any
	// wrongKeys counts the keys this card refused; retryAt is when the
	// next may be tried (scarce.go).
	wrongKeys int
	retryAt   time.Time
}

// Options configure a Hub.
type Options struct {
	Manager nfc.Manager
	Reader  Reader
	Log     *zap.Logger
	// Ignore hides readers (config ignoreReaders); nil hides none.
	Ignore func(reader string) bool
	// ReadTimeout is the default and maximum read timeout.
	ReadTimeout time.Duration
	// MaxReadsPerOrigin bounds the reads an origin may have waiting or
	// running at once; 0 is config.DefaultMaxReadsPerOrigin.
	MaxReadsPerOrigin int
	// Clock drives the wrong-key throttle; nil is the system clock.
	Clock clock.Clock
}

// New returns a hub; call Run to start watching.
func New(o Options) *Hub {
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Ignore == nil {
		o.Ignore = func(string) bool { return false }
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = time.Minute
	}
	if o.MaxReadsPerOrigin <= 0 {
		o.MaxReadsPerOrigin = config.DefaultMaxReadsPerOrigin
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	return &Hub{
		mgr: o.Manager, reader: o.Reader, log: o.Log, ignore: o.Ignore, timeout: o.ReadTimeout,
		clock: o.Clock, maxPerOrigin: o.MaxReadsPerOrigin,
		readers: map[string]*readerState{}, pcscOK: true, sinks: map[Sink]struct{}{},
		reads: map[string]*read{}, changed: make(chan struct{}),
	}
}

// Run watches the manager until ctx is done, then cancels the reads and
// waits for them to end.
func (h *Hub) Run(ctx context.Context) {
	for ev := range h.mgr.Watch(ctx) {
		h.handle(ev)
	}
	h.mu.Lock()
	h.stopped = true
	for _, r := range h.reads {
		r.cancel(errStopping)
	}
	h.mu.Unlock()
	h.wg.Wait()
}

var errStopping = protocol.Errorf(protocol.Cancelled, "the agent is stopping")

func (h *Hub) handle(ev nfc.Event) {
	if ev.Reader != "" && h.ignore(ev.Reader) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch ev.Kind {
	case nfc.ReaderAdded:
		h.addReader(ev.Reader)
	case nfc.ReaderRemoved:
		h.removeReader(ev.Reader, nfc.ErrReaderRemoved)
	case nfc.CardInserted:
		h.cardInserted(ev.Reader, ev.ATR)
	case nfc.CardRemoved:
		h.cardRemoved(ev.Reader, nfc.ErrCardRemoved)
	case nfc.ServiceLost:
		h.log.Warn("smart card service lost", zap.Error(ev.Err))
		h.pcscOK = false
		for _, name := range slices.Clone(h.order) {
			h.removeReader(name, nfc.ErrNoService)
		}
	case nfc.ServiceRestored:
		h.log.Info("smart card service restored")
		h.pcscOK = true
		h.notifyChange()
	}
}

// addReader, removeReader, cardInserted and cardRemoved run with h.mu held.
func (h *Hub) addReader(name string) {
	if _, ok := h.readers[name]; ok {
		return
	}
	h.pcscOK = true
	h.readers[name] = &readerState{name: name}
	h.order = append(h.order, name)
	h.log.Info("reader added", zap.String("reader", name))
	h.broadcast(protocol.EvReaderAdded, protocol.ReaderEvent{Reader: name})
	h.notifyChange()
}

func (h *Hub) removeReader(name string, cause error) {
	rs, ok := h.readers[name]
	if !ok {
		return
	}
	if rs.present {
		h.cardRemoved(name, cause)
	}
	if rs.read != nil {
		rs.read.cancel(cause)
	}
	delete(h.readers, name)
	h.order = slices.DeleteFunc(h.order, func(n string) bool { return n == name })
	h.log.Info("reader removed", zap.String("reader", name))
	h.broadcast(protocol.EvReaderRemoved, protocol.ReaderEvent{Reader: name})
	h.notifyChange()
}

func (h *Hub) cardInserted(name string, atr []byte) {
	rs, ok := h.readers[name]
	if !ok {
		h.addReader(name)
		rs = h.readers[name]
	}
	if rs.present {
		h.cardRemoved(name, nfc.ErrCardRemoved)
	}
	rs.present, rs.atr = true, slices.Clone(atr)
	rs.gen++
	rs.wrongKeys, rs.retryAt = 0, time.Time{} // a new card: the throttle starts afresh
	h.log.Info("card inserted", zap.String("reader", name), zap.String("atr", hex.EncodeToString(atr)))
	h.broadcast(protocol.EvCardInserted, protocol.CardEvent{Reader: name, ATR: hex.EncodeToString(atr)})
	h.notifyChange()
	h.assign()
}

func (h *Hub) cardRemoved(name string, cause error) {
	rs, ok := h.readers[name]
	if !ok || !rs.present {
		return
	}
	rs.present, rs.atr = false, nil
	if r := rs.read; r != nil && r.connected {
		r.cancel(cause)
	}
	h.log.Info("card removed", zap.String("reader", name))
	h.broadcast(protocol.EvCardRemoved, protocol.CardEvent{Reader: name})
	h.notifyChange()
}

func (h *Hub) notifyChange() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *Hub) broadcast(name string, data any) {
	for s := range h.sinks {
		s.Event(name, data)
	}
}

// Subscribe registers a connection for reader and card events. It first
// receives reader.added and card.inserted for what is attached now.
func (h *Hub) Subscribe(s Sink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sinks[s] = struct{}{}
	for _, name := range h.order {
		rs := h.readers[name]
		s.Event(protocol.EvReaderAdded, protocol.ReaderEvent{Reader: name})
		if rs.present {
			s.Event(protocol.EvCardInserted, protocol.CardEvent{Reader: name, ATR: hex.EncodeToString(rs.atr)})
		}
	}
}

// Unsubscribe removes a connection and cancels the reads it started.
func (h *Hub) Unsubscribe(s Sink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.sinks, s)
	for _, r := range h.reads {
		if r.owner == s {
			r.cancel(errClientGone)
		}
	}
}

var errClientGone = protocol.Errorf(protocol.Cancelled, "the client disconnected")

// Readers returns the readers now attached.
func (h *Hub) Readers() []protocol.ReaderInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]protocol.ReaderInfo, 0, len(h.order))
	for _, name := range h.order {
		rs := h.readers[name]
		info := protocol.ReaderInfo{Name: name, CardPresent: rs.present, Busy: rs.read != nil}
		if rs.present {
			info.ATR = hex.EncodeToString(rs.atr)
		}
		out = append(out, info)
	}
	return out
}

// ServiceAvailable reports whether the smart-card service is up.
func (h *Hub) ServiceAvailable() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pcscOK
}

// ActiveReads counts reads in progress.
func (h *Hub) ActiveReads() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reads)
}

func newReadID() string {
	// Letters only, so that the log redactor's digit masking never touches it.
	const alphabet = "abcdefghijkmnpqrstuvwxyz"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "rd_" + string(b)
}

// Cancel cancels a read started by owner.
func (h *Hub) Cancel(owner Sink, readID string) *protocol.Error {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.reads[readID]
	if !ok || r.owner != owner {
		return protocol.Errorf(protocol.BadState, "no running read with this readId on this connection")
	}
	r.cancel(errCancelled)
	return nil
}

var errCancelled = protocol.Errorf(protocol.Cancelled, "the read was cancelled")

// errTimeout is the cause of a read's deadline.
var errTimeout = protocol.Errorf(protocol.Timeout, "no card was read within the timeout")

var errNoReader = errors.New("no reader")

// CardGen returns how many cards the hub has seen inserted into reader.
func (h *Hub) CardGen(reader string) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if rs, ok := h.readers[reader]; ok {
		return rs.gen
	}
	return 0
}

// WaitCard waits until the hub has taken in a card change on reader: a
// card present with a generation above after (present true), or no card
// (present false). Simulate mode uses it so that a read started right
// after sim.insert sees the new card, not the one it replaced.
func (h *Hub) WaitCard(ctx context.Context, reader string, present bool, after uint64) error {
	for {
		h.mu.Lock()
		rs, ok := h.readers[reader]
		done := ok && rs.present == present && (!present || rs.gen > after)
		changed := h.changed
		h.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the card change on the reader: %w", ctx.Err())
		case <-changed:
		}
	}
}
