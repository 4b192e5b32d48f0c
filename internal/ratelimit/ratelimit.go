// Package ratelimit is the token bucket of the agent's WebSocket
// connections (agent/api) and the verification service's callers
// (verifier): rate tokens a second, at most burst, one per request.
package ratelimit

import "time"

// Bucket is a token bucket. It is not safe for concurrent use: its owner
// serialises calls (one reading goroutine, or a mutex).
type Bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// New returns a full bucket of burst tokens refilled at rate a second,
// as of now.
func New(rate float64, burst int, now time.Time) Bucket {
	return Bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// Allow takes a token at now, reporting whether there was one.
func (b *Bucket) Allow(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
