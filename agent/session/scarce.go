package session

import (
	"time"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/protocol"
)

// Reads are scarce (docs/PROTOCOL.md §9): a chip counts wrong keys, and
// every read that reaches it with one costs the desk time and may make a
// real chip slow down or suspend its CAN. So a connection holds at most
// one read, waiting or running; an origin at most MaxReadsPerOrigin; reads
// that wait for a card on any reader take the cards one at a time, in the
// order they were started; and wrong keys on one card are throttled.

// Wrong-key throttle: the first wrongKeysFree wrong keys on a card are
// tried at once; after that each try, right or wrong, waits wrongKeyDelay
// after the one before, doubled after every further wrong key up to
// wrongKeyMaxDelay. A new card starts afresh.
const (
	wrongKeysFree    = 2
	wrongKeyDelay    = time.Second
	wrongKeyMaxDelay = time.Minute
)

// admit refuses a read its connection or its origin has no room for
// (h.mu held).
func (h *Hub) admit(owner Sink, origin string) *protocol.Error {
	perOrigin := 0
	for _, r := range h.reads {
		if r.owner == owner {
			return protocol.Errorf(protocol.Busy, "this connection already has a read waiting or running: cancel it or wait for its end")
		}
		if r.origin == origin {
			perOrigin++
		}
	}
	if perOrigin >= h.maxPerOrigin {
		return protocol.Errorf(protocol.Busy, "this origin already has %d reads waiting or running", perOrigin)
	}
	return nil
}

// enqueue makes r wait for a card on any free reader, after the reads
// already waiting (h.mu held).
func (h *Hub) enqueue(r *read) {
	r.anyReader = true
	h.waiting = append(h.waiting, r)
	h.assign()
}

// assign gives the cards on free readers to waiting reads, first come
// first served, one read per card at a time (h.mu held).
func (h *Hub) assign() {
	for len(h.waiting) > 0 {
		name := h.freeReaderWithCard()
		if name == "" {
			return
		}
		r := h.waiting[0]
		h.waiting = h.waiting[1:]
		r.reader = name
		h.readers[name].read = r
		h.notifyChange()
	}
}

// requeue puts a read that waited on any reader back at the head of the
// queue when the card it was given left before it connected (h.mu held).
func (h *Hub) requeue(r *read) {
	if rs, ok := h.readers[r.reader]; ok && rs.read == r {
		rs.read = nil
	}
	r.reader = ""
	h.waiting = append([]*read{r}, h.waiting...)
	h.assign()
}

// dequeue forgets a read that ends while waiting (h.mu held).
func (h *Hub) dequeue(r *read) {
	for i, w := range h.waiting {
		if w == r {
			h.waiting = append(h.waiting[:i], h.waiting[i+1:]...)
			return
		}
	}
}

// turn returns when a read may try its key on card generation gen of
// reader name (the zero time: at once), and a channel closed at the next
// reader or card change (a new card lifts the throttle).
func (h *Hub) turn(name string, gen uint64) (time.Time, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rs, ok := h.readers[name]
	if !ok || rs.gen != gen {
		return time.Time{}, h.changed
	}
	return rs.retryAt, h.changed
}

// takeSlot is called as a key is tried on a card (h.mu held): once the
// throttle holds, every try, right or wrong, takes its slot, so that the
// next waits as long again.
func (h *Hub) takeSlot(rs *readerState) {
	if rs.wrongKeys >= wrongKeysFree {
		rs.retryAt = h.clock.Now().Add(throttleDelay(rs.wrongKeys))
	}
}

// noteWrongKey counts a wrong key on card generation gen of reader name
// and sets when the next key may be tried.
func (h *Hub) noteWrongKey(name string, gen uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rs, ok := h.readers[name]
	if !ok || rs.gen != gen {
		return
	}
	rs.wrongKeys++
	if next := h.clock.Now().Add(throttleDelay(rs.wrongKeys)); rs.wrongKeys >= wrongKeysFree && next.After(rs.retryAt) {
		rs.retryAt = next
	}
	h.log.Info("wrong key on the card", zap.String("reader", name), zap.Int("wrongKeys", rs.wrongKeys))
}

// throttleDelay is the wait before the next key after n wrong ones.
func throttleDelay(n int) time.Duration {
	d := wrongKeyDelay
	for i := wrongKeysFree; i < n && d < wrongKeyMaxDelay; i++ {
		d *= 2
	}
	return min(d, wrongKeyMaxDelay)
}
