package sim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim/link"
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

// BenchmarkReadCCCDLink424 reads a whole cccd chip as the target
// read does (EF.CardAccess, PACE with the CAN, chip authentication with
// DG14, active authentication with DG15, EF.COM, EF.SOD, DG1, DG2, DG13;
// one extended READ per file) through an nfc/virtual reader delaying like
// ISO 14443 at 424 kbit/s, and reports the exchanges and the wall time
// against the link model's lower bound for the same exchanges. It drives
// the protocol packages directly: the floor under emrtd/read's pipeline.
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
	var exchanges, reads int
	cpu := processCPU()
	for ; b.Loop(); reads++ {
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
	b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(reads), "cpu-ms/op")
}

func readAll(b *testing.B, chip *Chip, card nfc.Card) {
	r := newRunOn(b, chip, card)
	r.readCardAccess()
	if err := r.pace(paceKey(b, chip)); err != nil {
		b.Fatal(err)
	}
	r.selectApp()
	dg14, err := lds.ParseDG14(r.read(14))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.chipAuth(dg14); err != nil {
		b.Fatal(err)
	}
	if _, err := r.activeAuth(dg14); err != nil {
		b.Fatal(err)
	}
	for _, sfi := range []byte{0x1E, 0x1D, 1, 2, 13} {
		r.read(sfi)
	}
}
