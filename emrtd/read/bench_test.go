package read

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/nfc/virtual"
)

// BenchmarkReadCCCD: a full verified read of the cccd profile in-process
// (PACE, CA, AA, EF.COM, EF.SOD, DG1, DG2, DG13, DG14, DG15, every check):
// the reader side's and the software chip's own cost.
func BenchmarkReadCCCD(b *testing.B) {
	chip, _, conn := insert(b, "cccd", sim.Options{Seed: 1})
	opts := fullOptions(b, canKey(b, chip))
	for b.Loop() {
		chip.Reset()
		res, err := Read(context.Background(), conn, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Stats.Exchanges), "exchanges/read")
	}
}

// linkChip is the software chip behind an ISO 14443 link model: it
// records each exchange, answers, then waits the link's time for it. It
// measures its own computing (a real chip's is inside the model's
// per-exchange cost) and how much longer than asked the host's timers
// slept.
type linkChip struct {
	*sim.Chip
	model     *link.Model
	mu        sync.Mutex
	exchanges []link.Exchange
	computing time.Duration
	overslept time.Duration
}

func (c *linkChip) Respond(cmd []byte) []byte {
	start := time.Now()
	resp := c.Chip.Respond(cmd)
	computed := time.Now()
	d := c.model.Delay(cmd, resp)
	time.Sleep(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exchanges = append(c.exchanges, link.Exchange{Command: len(cmd), Response: len(resp)})
	c.computing += computed.Sub(start)
	c.overslept += time.Since(computed) - d
	return resp
}

func (c *linkChip) reset() {
	c.Chip.Reset()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exchanges, c.computing, c.overslept = nil, 0, 0
}

// BenchmarkReadCCCDLink424 reads the cccd profile through the ISO 14443
// link model at 424 kbit/s and reports the wall time against the link's
// lower bound for the same exchanges: x-bound counts everything;
// x-bound-reader leaves out the software chip's own computing and the
// host's timer overshoot (both outside the reader: on a real link the
// chip's work is inside the model's per-exchange cost). identity-% is
// when the identity callback ran, as a share of the whole read;
// x-bound-idle adds the CPU time the read used (reader and software chip)
// to the bound: what an idle host would take at most.
func BenchmarkReadCCCDLink424(b *testing.B) {
	benchmarkLink(b, "iso14443-424", sim.Limits{})
}

// BenchmarkReadCCCDLink424Short is the same read when the chip takes short
// APDUs only (223-byte reads).
func BenchmarkReadCCCDLink424Short(b *testing.B) {
	benchmarkLink(b, "iso14443-424", sim.Limits{NoExtended: true})
}

func benchmarkLink(b *testing.B, name string, limits sim.Limits) {
	model, err := link.New(name)
	if err != nil {
		b.Fatal(err)
	}
	c, err := sim.New("cccd", sim.Options{Seed: 1, Limits: limits})
	if err != nil {
		b.Fatal(err)
	}
	chip := &linkChip{Chip: c, model: model}
	m := virtual.New("reader")
	if err := m.Insert("reader", chip); err != nil {
		b.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "reader")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	opts := fullOptions(b, canKey(b, c))
	var wall, bound, outside, identity, cpu time.Duration
	for b.Loop() {
		chip.reset()
		start, cpuStart := time.Now(), processCPU()
		res, err := Read(context.Background(), conn, opts)
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		cpu += processCPU() - cpuStart
		bound += model.LowerBound(chip.exchanges)
		outside += chip.computing + chip.overslept
		identity += res.Stats.Identity
		b.ReportMetric(float64(res.Stats.Exchanges), "exchanges/read")
	}
	b.ReportMetric(float64(bound.Microseconds())/float64(b.N)/1000, "bound-ms/read")
	b.ReportMetric(float64(wall)/float64(bound), "x-bound")
	b.ReportMetric(float64(wall-outside)/float64(bound), "x-bound-reader")
	b.ReportMetric(100*float64(identity)/float64(wall), "identity-%")
	// On a loaded host the wall time measures the host; the CPU the read
	// used (reader and software chip) added to the bound is what an idle
	// host would take at most.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "cpu-ms/read")
	b.ReportMetric(float64(bound+cpu)/float64(bound), "x-bound-idle")
}

// BenchmarkVerifyCCCD is the verification of a full cccd read (passive
// authentication with the signer chain and CRL, every data group hash,
// MRZ cross-checks, the gates of chip and active authentication), without
// the reading: emrtd/verify over the read's evidence, as the read's final
// verification calls it (the read's own bookkeeping, a phase per call,
// stays out).
func BenchmarkVerifyCCCD(b *testing.B) {
	chip, _, conn := insert(b, "cccd", sim.Options{Seed: 1})
	opts := fullOptions(b, canKey(b, chip))
	r := newReading(conn, opts)
	if err := r.run(context.Background()); err != nil {
		b.Fatal(err)
	}
	ev, vopts := r.evidence(), r.verifyOptions(true)
	var res *verify.Result
	for b.Loop() {
		res = verify.Verify(ev, vopts)
	}
	if res.Verdict != "PASS" {
		b.Fatalf("verdict %s", res.Verdict)
	}
}
