package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	late, early := f.After(2*time.Second), f.After(time.Second)
	if !f.WaitForWaiters(2, time.Second) {
		t.Fatal("waiters not counted")
	}
	f.Advance(time.Second)
	select {
	case got := <-early:
		if !got.Equal(start.Add(time.Second)) {
			t.Fatalf("early fired at %v", got)
		}
	default:
		t.Fatal("early did not fire")
	}
	select {
	case <-late:
		t.Fatal("late fired early")
	default:
	}
	f.Advance(time.Second)
	<-late
	if f.Waiters() != 0 || !f.Now().Equal(start.Add(2*time.Second)) {
		t.Fatalf("waiters %d, now %v", f.Waiters(), f.Now())
	}
	select {
	case <-f.After(0):
	default:
		t.Fatal("After(0) did not fire at once")
	}
	if f.WaitForWaiters(1, 10*time.Millisecond) {
		t.Fatal("no waiter, yet WaitForWaiters reported one")
	}
}
