package ratelimit

import (
	"testing"
	"time"
)

// A full bucket allows its burst at once, then one request per 1/rate.
func TestBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := New(2, 3, now)
	for i := range 3 {
		if !b.Allow(now) {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	if b.Allow(now) {
		t.Fatal("a fourth request at once allowed")
	}
	if !b.Allow(now.Add(500 * time.Millisecond)) {
		t.Fatal("a token after 1/rate refused")
	}
	if b.Allow(now.Add(600 * time.Millisecond)) {
		t.Fatal("a second token 100 ms later allowed")
	}
	if n := allowed(&b, now.Add(time.Hour)); n != 3 {
		t.Fatalf("after an hour %d allowed, want the burst (3)", n)
	}
}

func allowed(b *Bucket, at time.Time) int {
	n := 0
	for b.Allow(at) {
		n++
	}
	return n
}
