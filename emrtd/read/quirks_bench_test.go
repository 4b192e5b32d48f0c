package read

import (
	"context"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/nfc"
)

// recordingCard passes commands to a chip and records each exchange's
// lengths, for the link model's time.
type recordingCard struct {
	chip      nfc.Responder
	exchanges []link.Exchange
}

func (c *recordingCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	resp := c.chip.Respond(cmd)
	c.exchanges = append(c.exchanges, link.Exchange{Command: len(cmd), Response: len(resp)})
	return resp, nil
}

// BenchmarkQuirkCost is the cost of each quirk (alone, on cccd and
// passport) and of each document profile: exchanges and time under the
// iso14443-424 link model of a full verified read with the photo, first
// when the reader meets the chip (learn-*), then once learned (a read that
// starts from the first one's Result.Hints: exchanges/read, link-ms/read).
// "none" is each profile without quirks. The link time is the model's
// lower bound for the exchanges made (nothing sleeps: the numbers do not
// depend on the host). The table in /work/notes/quirks.md comes from
// `go test -run - -bench QuirkCost -benchtime 3x ./emrtd/read`.
func BenchmarkQuirkCost(b *testing.B) {
	model, err := link.New("iso14443-424")
	if err != nil {
		b.Fatal(err)
	}
	type run struct{ profile, quirk string }
	var runs []run
	for _, p := range []string{"cccd", "passport"} {
		runs = append(runs, run{p, "none"})
		for _, q := range sim.Quirks() {
			if q.Name != "bac-delay" {
				runs = append(runs, run{p, q.Name})
			}
		}
	}
	for _, p := range []string{"cccd", "passport", "passport-bac-only"} {
		for _, mode := range []string{"sm-error-protected", "sm-error-plain-abort", "sm-error-plain-counted", "sm-error-plain-uncounted"} {
			runs = append(runs, run{p, "no-sfi-lds," + mode})
		}
	}
	for _, d := range sim.Documents() {
		runs = append(runs, run{d, "none"})
	}
	for _, r := range runs {
		b.Run(r.profile+"/"+r.quirk, func(b *testing.B) {
			var quirks []string
			if r.quirk != "none" {
				quirks = strings.Split(r.quirk, ",")
			}
			chip, err := sim.New(r.profile, sim.Options{Seed: 1, Quirks: quirks})
			if err != nil {
				b.Skip(err) // not applicable to the profile
			}
			card := &recordingCard{chip: chip}
			opts := fullOptions(b, deskKey(b, chip))
			first, err := Read(context.Background(), card, opts)
			if err != nil {
				b.Fatal(err)
			}
			learnEx, learnTime := len(card.exchanges), model.LowerBound(card.exchanges)
			opts.Hints = first.Hints()
			var exchanges int
			var bound float64
			for b.Loop() {
				chip.Reset()
				card.exchanges = card.exchanges[:0]
				if _, err := Read(context.Background(), card, opts); err != nil {
					b.Fatal(err)
				}
				exchanges += len(card.exchanges)
				bound += float64(model.LowerBound(card.exchanges).Microseconds()) / 1000
			}
			b.ReportMetric(float64(learnEx), "learn-exchanges")
			b.ReportMetric(float64(learnTime.Microseconds())/1000, "learn-link-ms")
			b.ReportMetric(float64(exchanges)/float64(b.N), "exchanges/read")
			b.ReportMetric(bound/float64(b.N), "link-ms/read")
		})
	}
}
