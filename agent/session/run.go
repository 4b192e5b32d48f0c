package session

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/nfc"
)

// Spec is a read as a connection asked for it.
type Spec struct {
	Reader  string   // "" for any
	Origin  string   // who asks, for the per-origin limit ("" for native clients)
	Request Request  // access key and options
	Fields  []string // fields wanted; nil for all the policy allows
	Policy  config.Policy
	Timeout time.Duration // 0 or more than the hub's: the hub's
	// Ready, when not nil, holds the read's first event until it is
	// closed: the connection closes it once the read.start response is
	// queued, so that no event of the read overtakes it.
	Ready <-chan struct{}
}

// PersonalData marks Spec (it holds the access key).
func (Spec) PersonalData() {}

// read is one read in progress.
type read struct {
	id        string
	owner     Sink
	origin    string
	reader    string // "" while waiting for a card on any reader
	anyReader bool   // started without a reader: waits in the queue
	connected bool   // a card connection is open: removal cancels the read
	gen       uint64 // the card generation it connected to
	cancel    context.CancelCauseFunc

	mu       sync.Mutex
	finished bool // read.result or read.failed was sent
}

// send delivers a read event to the owner unless the read has finished.
func (r *read) send(name string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.finished {
		r.owner.Event(name, data)
	}
}

// finish sends the final event once.
func (r *read) finish(name string, data any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return false
	}
	r.finished = true
	r.owner.Event(name, data)
	return true
}

// StartRead starts a read for owner and returns its id. Everything else is
// reported to owner as events.
func (h *Hub) StartRead(owner Sink, spec Spec) (string, *protocol.Error) {
	spec.Request.Photo = spec.Request.Photo && spec.Policy.Photo
	spec.Request.Evidence = spec.Request.Evidence && spec.Policy.AllowsPart(config.PartEvidence)
	timeout := h.timeout
	if spec.Timeout > 0 && spec.Timeout < timeout {
		timeout = spec.Timeout
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return "", errStopping
	}
	if perr := h.admit(owner, spec.Origin); perr != nil {
		return "", perr
	}
	name, perr := h.pickReader(spec.Reader)
	if perr != nil {
		return "", perr
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	r := &read{id: newReadID(), owner: owner, origin: spec.Origin, reader: name, cancel: cancel}
	h.reads[r.id] = r
	if name != "" {
		h.readers[name].read = r
	} else {
		h.enqueue(r)
	}
	h.wg.Add(1)
	go h.run(ctx, r, spec, timeout)
	return r.id, nil
}

// pickReader chooses the reader of a new read (with h.mu held): the named
// one, or "" for the queue of reads that take the next card on any free
// reader.
func (h *Hub) pickReader(want string) (string, *protocol.Error) {
	if !h.pcscOK {
		return "", protocol.Errorf(protocol.PCSCUnavailable, "the smart card service is not running")
	}
	if want != "" {
		rs, ok := h.readers[want]
		if !ok {
			return "", protocol.Errorf(protocol.NoReader, "no reader with this name is connected")
		}
		if rs.read != nil {
			return "", protocol.Errorf(protocol.Busy, "a read is already running on this reader")
		}
		return want, nil
	}
	if len(h.order) == 0 {
		return "", protocol.Errorf(protocol.NoReader, "no smart card reader is connected")
	}
	if len(h.waiting) > 0 {
		return "", nil // behind the reads already waiting
	}
	var withCard []string
	for _, n := range h.order {
		if rs := h.readers[n]; rs.read == nil && rs.present {
			withCard = append(withCard, n)
		}
	}
	if len(withCard) > 1 {
		return "", protocol.Errorf(protocol.BadRequest, "several readers hold a card: name the reader")
	}
	return "", nil // the one card there is, or the next one, through the queue
}

// run performs one read and sends its events.
func (h *Hub) run(parent context.Context, r *read, spec Spec, timeout time.Duration) {
	defer h.wg.Done()
	if spec.Ready != nil {
		select {
		case <-spec.Ready:
		case <-parent.Done():
		}
	}
	ctx, cancelTimeout := context.WithTimeoutCause(parent, timeout, errTimeout)
	defer cancelTimeout()
	start := time.Now()
	em := newEmitter(r, spec)
	res, err := h.waitAndRead(ctx, r, spec, em)
	if err != nil {
		// A cancellation cause (card removed, client gone, timeout) says
		// more than the error it provoked in the reader.
		perr := errorOf(err)
		if cause := context.Cause(ctx); ctx.Err() != nil && cause != nil {
			perr = errorOf(cause)
		}
		if perr.Code == protocol.AccessDenied && r.connected {
			h.noteWrongKey(r.reader, r.gen)
		}
		h.release(r)
		if r.finish(protocol.EvReadFailed, protocol.Failed{ReadID: r.id, Error: perr}) {
			h.log.Info("read failed", zap.String("readId", r.id), zap.String("code", string(perr.Code)),
				zap.Error(err), zap.Duration("took", time.Since(start)))
		}
		return
	}
	em.Progress(protocol.PhaseDone, 100)
	out := em.result(res)
	h.release(r)
	if r.finish(protocol.EvReadResult, out) {
		h.log.Info("read finished", zap.String("readId", r.id), zap.String("overall", string(out.Verification.Overall)),
			zap.Duration("took", time.Since(start)))
	}
}

// waitAndRead waits for a card, connects and runs the reader. It returns
// as soon as ctx is done, even if the reader implementation lingers; the
// reader is released only when the implementation has returned.
func (h *Hub) waitAndRead(ctx context.Context, r *read, spec Spec, em *emitter) (*Result, error) {
	name, gen, err := h.waitForTurn(ctx, r, em)
	if err != nil {
		return nil, err
	}
	em.Progress(protocol.PhaseConnecting, 5)
	conn, err := h.mgr.Connect(ctx, name)
	if err != nil {
		if errors.Is(err, nfc.ErrNoCard) {
			err = errors.Join(nfc.ErrCardRemoved, err)
		}
		return nil, err
	}
	defer conn.Close()
	if !h.markConnected(r, name, gen) {
		return nil, nfc.ErrCardRemoved
	}
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		// A bug in a parser must cost one read, not the service: the
		// panic becomes INTERNAL for this read, logged with where it
		// happened (function names and lines, never values).
		defer func() {
			if p := recover(); p != nil {
				h.log.Error("read stopped by an internal fault", zap.String("readId", r.id),
					zap.String("kind", panicKind(p)), zap.Stack("stacktrace"))
				done <- outcome{nil, errReadFault}
			}
		}()
		res, err := h.reader.Read(ctx, conn, spec.Request, em)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
	}
	// Cancelled: the implementation normally returns at once (its
	// exchanges fail). If it lingers, report the failure anyway, and wait
	// for it before the reader is released for the next card.
	select {
	case o := <-done:
		if o.err == nil {
			o.err = context.Cause(ctx) // finished, but too late to count
		}
		return nil, o.err
	case <-time.After(lingerGrace):
		failed := errorOf(context.Cause(ctx))
		r.finish(protocol.EvReadFailed, protocol.Failed{ReadID: r.id, Error: failed})
		h.log.Info("read failed", zap.String("readId", r.id), zap.String("code", string(failed.Code)))
		<-done
		return nil, context.Cause(ctx)
	}
}

// lingerGrace is how long a cancelled read may take to return before its
// failure is reported without it.
const lingerGrace = time.Second

// waitForTurn waits for a card (waitForCard), then for the wrong-key
// throttle of that card to let a key be tried.
func (h *Hub) waitForTurn(ctx context.Context, r *read, em *emitter) (string, uint64, error) {
	var announced time.Time // the turn the client was told of
	for {
		name, gen, err := h.waitForCard(ctx, r, em)
		if err != nil {
			return "", 0, err
		}
		turn, changed := h.turn(name, gen)
		wait := turn.Sub(h.clock.Now())
		if wait <= 0 {
			return name, gen, nil
		}
		if !turn.Equal(announced) {
			em.throttled(wait)
			announced = turn
		}
		select {
		case <-ctx.Done():
			return "", 0, context.Cause(ctx)
		case <-h.clock.After(wait):
		case <-changed: // a new card starts afresh
		}
	}
}

// waitForCard returns the reader and card generation to read, waiting for a
// card when there is none. A read started without a reader waits until the
// queue gives it one (assign); if that card leaves before the read
// connects, the read goes back to the head of the queue.
func (h *Hub) waitForCard(ctx context.Context, r *read, em *emitter) (string, uint64, error) {
	announced := false
	for {
		h.mu.Lock()
		if name := r.reader; name != "" {
			rs, ok := h.readers[name]
			if ok && rs.present {
				gen := rs.gen
				h.mu.Unlock()
				return name, gen, nil
			}
			if r.anyReader {
				h.requeue(r)
			}
		}
		changed := h.changed
		h.mu.Unlock()
		if !announced {
			em.Progress(protocol.PhaseWaiting, 0)
			announced = true
		}
		select {
		case <-ctx.Done():
			return "", 0, context.Cause(ctx)
		case <-changed:
		}
	}
}

func (h *Hub) freeReaderWithCard() string {
	for _, n := range h.order {
		if rs := h.readers[n]; rs.read == nil && rs.present {
			return n
		}
	}
	return ""
}

// markConnected records that r holds a connection to card generation gen;
// false if that card has already left.
func (h *Hub) markConnected(r *read, name string, gen uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	rs, ok := h.readers[name]
	if !ok || !rs.present || rs.gen != gen {
		return false
	}
	r.connected, r.gen = true, gen
	h.takeSlot(rs)
	return true
}

// release frees the reader and forgets the read.
func (h *Hub) release(r *read) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.reads, r.id)
	h.dequeue(r)
	if rs, ok := h.readers[r.reader]; ok && rs.read == r {
		rs.read = nil
	}
	r.cancel(nil)
	h.notifyChange()
	h.assign()
}

// emitter turns observer calls into events for the read's owner, as the
// owner's policy discloses them.
type emitter struct {
	r        *read
	spec     Spec
	disclose Disclosure
	phase    string
	percent  int
}

func newEmitter(r *read, spec Spec) *emitter {
	return &emitter{r: r, spec: spec, disclose: Disclosure{Policy: spec.Policy, Wanted: spec.Fields}}
}

// phaseOrder is the order of read.progress phases: a phase never comes
// back after a later one, and a progress event is sent only when its
// phase or percent changes.
var phaseOrder = []string{protocol.PhaseWaiting, protocol.PhaseThrottled, protocol.PhaseConnecting, protocol.PhaseAccess,
	protocol.PhaseReading, protocol.PhasePhoto, protocol.PhaseVerifying, protocol.PhaseDone}

func (e *emitter) Progress(phase string, percent int) {
	if e.phase != "" && slices.Index(phaseOrder, phase) < slices.Index(phaseOrder, e.phase) {
		phase = e.phase
	}
	percent = max(min(e.disclose.Percent(phase, percent), 100), e.percent)
	if phase == e.phase && percent == e.percent {
		return
	}
	e.phase, e.percent = phase, percent
	e.r.send(protocol.EvReadProgress, protocol.Progress{ReadID: e.r.id, Phase: phase, Percent: percent})
}

// throttled tells the client its key waits for the wrong-key throttle.
func (e *emitter) throttled(wait time.Duration) {
	if slices.Index(phaseOrder, e.phase) > slices.Index(phaseOrder, protocol.PhaseThrottled) {
		return
	}
	e.phase = protocol.PhaseThrottled
	e.r.send(protocol.EvReadProgress, protocol.Progress{ReadID: e.r.id, Phase: e.phase, Percent: e.percent,
		RetryAfterMs: max(wait.Milliseconds(), 1)})
}

func (e *emitter) Identity(fields protocol.Fields, checks check.Report) {
	e.r.send(protocol.EvReadIdentity, e.disclose.Identity(e.r.id, fields, checks))
}

func (e *emitter) Photo(mime string, data []byte) {
	if !e.spec.Request.Photo || len(data) == 0 {
		return
	}
	e.r.send(protocol.EvReadPhoto, protocol.Photo{ReadID: e.r.id, Mime: mime, Base64: base64.StdEncoding.EncodeToString(data)})
}

func (e *emitter) result(res *Result) protocol.Result {
	return e.disclose.Result(e.r.id, res, e.spec.Request.Evidence)
}

// errReadFault is a read that panicked (INTERNAL).
var errReadFault = errors.New("the read stopped on an internal fault")

// panicKind describes a panic value without its contents: a runtime
// error's message (an index, a nil dereference) or only its type, since
// a value given to panic could hold what was being parsed.
func panicKind(p any) string {
	if re, ok := p.(runtime.Error); ok {
		return re.Error()
	}
	return fmt.Sprintf("panic(%T)", p)
}
