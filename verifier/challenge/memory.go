package challenge

import (
	"context"
	"sync"
	"time"
)

// Memory keeps challenges in this process: for one instance. Its zero
// value is not usable; call NewMemory.
type Memory struct {
	mu      sync.Mutex
	entries map[string]memoryEntry
	swept   time.Time
}

type memoryEntry struct {
	grant  Grant
	used   bool
	forget time.Time // when the entry may go
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{entries: map[string]memoryEntry{}} }

// Put implements Store.
func (m *Memory) Put(_ context.Context, caller string, g Grant, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	m.entries[key(caller, g.Challenge)] = memoryEntry{grant: g, forget: g.Expires.Add(usedRetention)}
	return nil
}

// Take implements Store.
func (m *Memory) Take(_ context.Context, caller string, challenge []byte, now time.Time) (Grant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	k := key(caller, challenge)
	e, ok := m.entries[k]
	switch {
	case !ok:
		return Grant{}, ErrUnknown
	case e.used:
		return Grant{}, ErrUsed
	}
	e.used = true
	m.entries[k] = e
	return e.grant, nil
}

// Ping implements Store: memory always answers.
func (m *Memory) Ping(context.Context) error { return nil }

// Len is the number of challenges remembered.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// sweep forgets entries past their retention, at most once a second so
// that issuing stays O(1) on average.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.swept) < time.Second {
		return
	}
	m.swept = now
	for k, e := range m.entries {
		if now.After(e.forget) {
			delete(m.entries, k)
		}
	}
}
