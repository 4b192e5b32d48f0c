package files

import (
	"context"
	"sync"

	"github.com/idagent/idagent/nfc"
)

// Meter is an nfc.Card that counts the exchanges and bytes passing through
// to the card underneath. Put it directly over the card so that every
// exchange (access control, GET RESPONSE, retries) is counted.
type Meter struct {
	card  nfc.Card
	mu    sync.Mutex
	stats Stats
}

// NewMeter returns a Meter over card.
func NewMeter(card nfc.Card) *Meter { return &Meter{card: card} }

// Transmit counts and forwards one command.
func (m *Meter) Transmit(ctx context.Context, command []byte) ([]byte, error) {
	m.mu.Lock()
	m.stats.Exchanges++
	m.stats.BytesOut += int64(len(command))
	m.mu.Unlock()
	resp, err := m.card.Transmit(ctx, command)
	m.mu.Lock()
	m.stats.BytesIn += int64(len(resp))
	m.mu.Unlock()
	return resp, err
}

// Stats returns the counts so far.
func (m *Meter) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}
