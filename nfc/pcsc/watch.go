//go:build cgo || windows

package pcsc

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/ebfe/scard"

	"github.com/idagent/idagent/nfc"
)

// Watcher timing.
const (
	// safetyTimeout bounds every status wait, so that a missed notification
	// costs at most this long.
	safetyTimeout = 5 * time.Second
	// defaultPoll is how often the reader list is polled without PnP
	// notifications.
	defaultPoll = time.Second
	// cancelRetry is how often a cancelled watcher repeats SCardCancel, in
	// case the first one came before the wait it was meant to end.
	cancelRetry = 100 * time.Millisecond
	// Backoff for re-establishing the context. The cap keeps recovery
	// within a second of the service coming back.
	minBackoff = 100 * time.Millisecond
	maxBackoff = time.Second
)

// Watch reports readers and cards until ctx is done, then closes the
// channel. It starts with the current state. When the service goes away it
// reports ServiceLost followed by CardRemoved and ReaderRemoved for
// everything it had announced, and keeps trying to re-establish its context;
// once it succeeds it reports ServiceRestored and announces the readers and
// cards again.
func (m *Manager) Watch(ctx context.Context) <-chan nfc.Event {
	out := make(chan nfc.Event)
	poll := m.PollInterval
	if poll <= 0 {
		poll = defaultPoll
	}
	w := &watcher{out: out, poll: poll, noPnP: m.noPnP, known: map[string]*readerInfo{}}
	go w.run(ctx)
	return out
}

// watcher is one Watch call: its goroutine owns a PC/SC context at a time.
type watcher struct {
	out   chan<- nfc.Event
	poll  time.Duration
	known map[string]*readerInfo // readers announced, by name
	order []string               // their names, in announcement order
	lost  bool                   // ServiceLost reported, ServiceRestored not yet
	noPnP bool
}

// readerInfo is what the watcher has announced about one reader.
type readerInfo struct {
	state   scard.StateFlag // last event state, fed back as the current state
	present bool
}

func (w *watcher) run(ctx context.Context) {
	defer close(w.out)
	backoff := minBackoff
	for ctx.Err() == nil {
		sc, err := establish("watch")
		if err != nil {
			if !w.serviceLost(ctx, err) || !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		if w.lost {
			w.lost = false
			if !w.emit(ctx, nfc.Event{Kind: nfc.ServiceRestored}) {
				sc.Release()
				return
			}
		}
		start := time.Now()
		err = w.monitor(ctx, sc)
		sc.Release()
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > maxBackoff {
			backoff = minBackoff
		}
		if serviceLost(err) && !w.serviceLost(ctx, err) {
			return
		}
		// Any other error: start over with a fresh context, silently; the
		// state diff announces whatever changed meanwhile.
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// serviceLost reports ServiceLost once, then withdraws every reader.
func (w *watcher) serviceLost(ctx context.Context, err error) bool {
	if w.lost {
		return true
	}
	w.lost = true
	if !w.emit(ctx, nfc.Event{Kind: nfc.ServiceLost, Err: err}) {
		return false
	}
	return w.sync(ctx, nil)
}

// monitor watches with sc until ctx is done (nil) or sc fails (the error).
func (w *watcher) monitor(ctx context.Context, sc *scard.Context) error {
	stop := cancelOnDone(ctx, sc)
	defer stop()
	pnp, err := pnpState(sc)
	if err != nil {
		return err
	}
	if w.noPnP {
		pnp = nil
	}
	for ctx.Err() == nil {
		names, err := listReaders(sc)
		if err != nil {
			return err
		}
		if !w.sync(ctx, names) {
			return nil
		}
		if err := w.waitChanges(ctx, sc, names, pnp); err != nil {
			return err
		}
	}
	return nil
}

// waitChanges waits for card changes in the readers named until the reader
// list may have changed (nil) or sc fails.
func (w *watcher) waitChanges(ctx context.Context, sc *scard.Context, names []string, pnp *scard.ReaderState) error {
	states := make([]scard.ReaderState, 0, len(names)+1)
	for _, n := range names {
		states = append(states, scard.ReaderState{Reader: n, CurrentState: w.known[n].state})
	}
	timeout := safetyTimeout
	if pnp != nil {
		states = append(states, *pnp)
	} else {
		timeout = w.poll // no notifications: the timeout is the poll
	}
	if len(states) == 0 {
		sleep(ctx, timeout)
		return nil
	}
	for ctx.Err() == nil {
		err := sc.GetStatusChange(states, timeout)
		switch {
		case errors.Is(err, scard.ErrTimeout):
			return nil // relist: the safety net, or the poll
		case errors.Is(err, scard.ErrCancelled):
			return nil
		case errors.Is(err, scard.ErrUnknownReader), errors.Is(err, scard.ErrReaderUnavailable):
			return nil
		case err != nil:
			return wrap("wait for status change", "", err, false)
		}
		relist := false
		for i := range states {
			st := &states[i]
			if st.Reader == pnpReader {
				relist = relist || st.EventState&scard.StateChanged != 0
				pnp.CurrentState = st.EventState &^ scard.StateChanged
				st.CurrentState = pnp.CurrentState
				continue
			}
			if st.EventState&(scard.StateUnknown|scard.StateUnavailable|scard.StateIgnore) != 0 {
				relist = true // the reader went away
				continue
			}
			if !w.cardChanged(ctx, st) {
				return nil
			}
			st.CurrentState = st.EventState &^ scard.StateChanged
		}
		if relist {
			return nil
		}
	}
	return nil
}

// cardChanged announces a change of card in one reader. A change of the
// event counter (the high 16 bits in pcsc-lite and Windows) while a card is
// present means it was swapped between two waits.
func (w *watcher) cardChanged(ctx context.Context, st *scard.ReaderState) bool {
	info := w.known[st.Reader]
	if info == nil {
		return true
	}
	present := cardPresent(st.EventState)
	swapped := info.state != scard.StateUnaware && info.state>>16 != st.EventState>>16
	info.state = st.EventState &^ scard.StateChanged
	if info.present && (!present || swapped) {
		info.present = false
		if !w.emit(ctx, nfc.Event{Kind: nfc.CardRemoved, Reader: st.Reader}) {
			return false
		}
	}
	if !info.present && present {
		info.present = true
		return w.emit(ctx, nfc.Event{Kind: nfc.CardInserted, Reader: st.Reader, ATR: append([]byte(nil), st.Atr...)})
	}
	return true
}

// sync announces readers that appeared or went away since the last call.
func (w *watcher) sync(ctx context.Context, names []string) bool {
	for _, n := range slices.Clone(w.order) {
		if slices.Contains(names, n) {
			continue
		}
		if w.known[n].present && !w.emit(ctx, nfc.Event{Kind: nfc.CardRemoved, Reader: n}) {
			return false
		}
		delete(w.known, n)
		w.order = slices.DeleteFunc(w.order, func(s string) bool { return s == n })
		if !w.emit(ctx, nfc.Event{Kind: nfc.ReaderRemoved, Reader: n}) {
			return false
		}
	}
	for _, n := range names {
		if _, ok := w.known[n]; ok {
			continue
		}
		w.known[n] = &readerInfo{}
		w.order = append(w.order, n)
		if !w.emit(ctx, nfc.Event{Kind: nfc.ReaderAdded, Reader: n}) {
			return false
		}
	}
	return true
}

func (w *watcher) emit(ctx context.Context, ev nfc.Event) bool {
	select {
	case w.out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// pnpState returns the state of the PnP pseudo-reader to wait on, or nil
// when the service does not support it (macOS), in which case the watcher
// polls the reader list.
func pnpState(sc *scard.Context) (*scard.ReaderState, error) {
	states := []scard.ReaderState{{Reader: pnpReader, CurrentState: scard.StateUnaware}}
	err := sc.GetStatusChange(states, 0)
	if err != nil && !errors.Is(err, scard.ErrTimeout) {
		if errors.Is(err, scard.ErrUnknownReader) {
			return nil, nil
		}
		return nil, wrap("probe PnP notifications", "", err, false)
	}
	if states[0].EventState&scard.StateUnknown != 0 {
		return nil, nil
	}
	// Never wait with UNAWARE again: it returns at once, a busy loop.
	st := scard.ReaderState{Reader: pnpReader, CurrentState: states[0].EventState &^ scard.StateChanged}
	return &st, nil
}

// cancelOnDone wakes the watcher's blocked status wait when ctx is done.
// SCardCancel is the one call pcsc-lite allows on a context from another
// thread. It is repeated until stop, because a cancel that lands before the
// wait begins is lost. stop returns once the canceller no longer uses sc.
func cancelOnDone(ctx context.Context, sc *scard.Context) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
		case <-quit:
			return
		}
		t := time.NewTicker(cancelRetry)
		defer t.Stop()
		for {
			sc.Cancel()
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// sleep waits d or until ctx is done, reporting whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
