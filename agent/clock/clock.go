// Package clock is the time the agent's timers read: keepalive, rate
// limits, the wrong-key throttle. Production uses Real; tests use a Fake
// they advance by hand, so that what depends on time is tested without
// sleeping and without depending on how fast a loaded machine runs.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and wakes callers after a duration.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// Real is the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Fake is a clock that moves only when Advance is called.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	armed   *sync.Cond
}

type waiter struct {
	at time.Time
	c  chan time.Time
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake {
	f := &Fake{now: start}
	f.armed = sync.NewCond(&f.mu)
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After returns a channel that receives the fake time once Advance has
// moved it d past now.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan time.Time, 1)
	if d <= 0 {
		c <- f.now
		return c
	}
	f.waiters = append(f.waiters, waiter{at: f.now.Add(d), c: c})
	f.armed.Broadcast()
	return c
}

// Advance moves the clock by d and wakes the waiters whose time has come,
// earliest first.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	sort.SliceStable(f.waiters, func(i, j int) bool { return f.waiters[i].at.Before(f.waiters[j].at) })
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.at.After(f.now) {
			kept = append(kept, w)
			continue
		}
		w.c <- f.now
	}
	f.waiters = kept
}

// Waiters returns how many After calls are still waiting.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// WaitForWaiters blocks until at least n After calls are waiting, or
// until timeout (real time) has passed; it reports whether they are. Tests
// call it before Advance so that a timer a goroutine is about to set is
// not skipped.
func (f *Fake) WaitForWaiters(n int, timeout time.Duration) bool {
	stop := time.AfterFunc(timeout, func() {
		f.mu.Lock()
		f.armed.Broadcast()
		f.mu.Unlock()
	})
	defer stop.Stop()
	deadline := time.Now().Add(timeout)
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.waiters) < n {
		if time.Now().After(deadline) {
			return false
		}
		f.armed.Wait()
	}
	return true
}
