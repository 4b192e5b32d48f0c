package virtual

import (
	"context"
	"sync"

	"github.com/idagent/idagent/nfc"
)

// watcher queues events for one Watch call. The queue is unbounded so that a
// slow consumer never blocks the Manager; events are few (insertions and
// removals), so it stays small.
type watcher struct {
	mu    sync.Mutex
	queue []nfc.Event
	wake  chan struct{} // one token: the queue is not empty
}

func (w *watcher) push(ev nfc.Event) {
	w.mu.Lock()
	w.queue = append(w.queue, ev)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) take() []nfc.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

// broadcast queues ev for every watcher. m.mu is held.
func (m *Manager) broadcast(ev nfc.Event) {
	for w := range m.watchers {
		ev := ev
		ev.ATR = clone(ev.ATR) // each consumer owns its copy
		w.push(ev)
	}
}

// Watch reports the current readers and cards, then every change, until
// ctx is done.
func (m *Manager) Watch(ctx context.Context) <-chan nfc.Event {
	w := &watcher{wake: make(chan struct{}, 1)}
	m.mu.Lock()
	for _, st := range m.snapshot() {
		w.push(nfc.Event{Kind: nfc.ReaderAdded, Reader: st.Name})
		if st.CardPresent {
			w.push(nfc.Event{Kind: nfc.CardInserted, Reader: st.Name, ATR: st.ATR})
		}
	}
	m.watchers[w] = struct{}{}
	m.mu.Unlock()

	out := make(chan nfc.Event)
	go func() {
		defer close(out)
		defer func() {
			m.mu.Lock()
			delete(m.watchers, w)
			m.mu.Unlock()
		}()
		for {
			for _, ev := range w.take() {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-w.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
