package sim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// recorder remembers the lengths of every exchange through it.
type recorder struct {
	nfc.Card
	mu        sync.Mutex
	exchanges []link.Exchange
}

func (r *recorder) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	resp, err := r.Card.Transmit(ctx, cmd)
	r.mu.Lock()
	r.exchanges = append(r.exchanges, link.Exchange{Command: len(cmd), Response: len(resp)})
	r.mu.Unlock()
	return resp, err
}

// BenchmarkReadCCCDLink424 reads a whole cccd chip (BAC, EF.COM, EF.SOD,
// DG1, DG2, DG13, DG14, DG15, one extended READ per file) through an
// nfc/virtual reader delaying like ISO 14443 at 424 kbit/s, and reports the
// wall time against the link model's lower bound for the same exchanges.
func BenchmarkReadCCCDLink424(b *testing.B) {
	model, err := link.New("iso14443-424")
	if err != nil {
		b.Fatal(err)
	}
	m := virtual.New()
	if err := m.AddReader("bench", virtual.ReaderConfig{Delay: model.Delay}); err != nil {
		b.Fatal(err)
	}
	chip := newChip(b, "cccd", Options{Seed: 1})
	if err := m.Insert("bench", chip); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var wall, bound time.Duration
	var exchanges int
	for b.Loop() {
		chip.Reset()
		conn, err := m.Connect(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		rec := &recorder{Card: conn}
		start := time.Now()
		readAll(b, chip, rec)
		wall += time.Since(start)
		bound += model.LowerBound(rec.exchanges)
		exchanges = len(rec.exchanges)
		conn.Close()
	}
	b.ReportMetric(float64(exchanges), "exchanges")
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "wall/bound")
}

func readAll(b *testing.B, chip *Chip, card nfc.Card) {
	ch := openBACOn(b, chip, card)
	for _, sfi := range []byte{0x1E, 0x1D, 1, 2, 13, 14, 15} {
		if _, sw := readFile(b, ch, sfi, 65536); sw != 0x9000 {
			b.Fatalf("SFI %02X: %v", sfi, sw)
		}
	}
}

func openBACOn(tb testing.TB, c *Chip, cd nfc.Card) *sm.Channel {
	tb.Helper()
	return openBACWith(tb, c, nfc.NewTransport(cd))
}
